from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Reviews and people affected"

    def ready(self):
        from incidents import referrals

        referrals.register()
