from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Surveys and feedback"

    def ready(self):
        # Imported once the app registry is ready (the modules read models): Django's place
        # for wiring an app in.
        from feedback import invitations, messages
        from incidents import hooks as incidents_hooks
        from supporters import hooks as supporters_hooks

        messages.register()
        incidents_hooks.review_closed.connect(invitations.review_closed)
        supporters_hooks.support_closed.connect(invitations.support_closed)
        supporters_hooks.concern_raised.connect(invitations.concern_raised)
        supporters_hooks.concern_acknowledged.connect(invitations.concern_acknowledged)
