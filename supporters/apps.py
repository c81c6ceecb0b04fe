from django.apps import AppConfig


class SupportersConfig(AppConfig):
    name = "supporters"
    verbose_name = "Peer supporters and support"

    def ready(self):
        # Imported once the app registry is ready (the modules read models): Django's place
        # for wiring an app in.
        from incidents import hooks as incidents_hooks
        from incidents import queue_totals
        from supporters import messages, reminders, services
        from supporters.models import Concern, ReassignmentTask, SupportOffer

        messages.register()
        messages.register_practice()
        messages.register_reminders()
        incidents_hooks.naming_changed.connect(services.alert_if_notes_unsupervised)
        incidents_hooks.consent_changed.connect(services.consent_changed)
        incidents_hooks.milestone_added.connect(reminders.milestone_added)
        # The team's work queue counts offers, concerns and reassignments.
        queue_totals.watch(SupportOffer, Concern, ReassignmentTask)
