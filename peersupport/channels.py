"""One transport class per channel. Each raises PermanentError (do not retry) or
TemporaryError (retry later); the outbox records the error on the message."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


class TemporaryError(Exception):
    pass


class PermanentError(Exception):
    pass


class EmailChannel:
    def send(self, message, *, to: str, context: dict) -> None:
        if not to:
            raise PermanentError("No email address recorded.")
        subject = render_to_string(f"messages/{message.kind}-subject.txt", context).strip()
        body = render_to_string(f"messages/{message.kind}-body.txt", context)
        html = render_to_string(f"messages/{message.kind}-body.html", context)
        email = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers={
                "Message-ID": f"<{message.idempotency_key}@peersupport>",
                "Auto-Submitted": "auto-generated",
            },
        )
        email.attach_alternative(html, "text/html")
        try:
            email.send()
        except (OSError, TimeoutError) as error:
            raise TemporaryError(f"Email not sent: {error.__class__.__name__}") from error


class InAppChannel:
    def send(self, message, *, to, context: dict) -> None:
        from peersupport.models import Alert

        if to is None or not to.is_active:
            raise PermanentError("No active user to alert.")
        text = " ".join(render_to_string(f"messages/{message.kind}-alert.txt", context).split())
        link = context.get("link", "")
        if not link.startswith("/") or link.startswith("//"):
            link = ""  # an alert only ever points inside the service
        Alert.objects.get_or_create(
            message=message, defaults={"user": to, "text": text[:300], "link": link}
        )


CHANNELS = {"email": EmailChannel(), "in_app": InAppChannel()}
