from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Surveys and feedback"

    def ready(self):
        from feedback import messages

        messages.register()
