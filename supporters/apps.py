from django.apps import AppConfig


class SupportersConfig(AppConfig):
    name = "supporters"
    verbose_name = "Peer supporters and support"

    def ready(self):
        from supporters import messages

        messages.register()
        messages.register_practice()
        messages.register_reminders()
