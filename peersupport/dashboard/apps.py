from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The measures' pages and their stored monthly figures (peersupport.dashboard.stored)."""

    name = "peersupport.dashboard"
    label = "dashboard"
    verbose_name = "Measures"

    def ready(self):
        from peersupport.dashboard import changes

        changes.connect()
