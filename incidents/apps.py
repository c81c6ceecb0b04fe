from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Reviews and people affected"

    def ready(self):
        # Imported once the app registry is ready (the module reads models): Django's place
        # for wiring an app in.
        from incidents import queue_totals, referrals
        from incidents.models import (
            AffectedPerson,
            Milestone,
            Review,
            SelfReferral,
            TeamMember,
        )

        referrals.register()
        queue_totals.watch(
            AffectedPerson,
            Review,
            Milestone,
            SelfReferral,
            TeamMember,
            m2m=[Review.team_members.through],
        )
