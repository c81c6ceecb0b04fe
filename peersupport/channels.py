"""How a person can be reached (the choices stored on a person), and one transport class per
outbox channel, all with the same `send(message, to=, context=)`.

Each raises PermanentError (do not retry) or TemporaryError (retry later); the outbox records
the error on the message. The message's idempotency key travels with it: the email's
Message-ID, the GOV.UK Notify reference, the letter's row.
"""

import os
import secrets
from contextlib import contextmanager, suppress
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string

from peersupport.models import Alert, Letter


class Channel(models.TextChoices):
    """A person's preferred way of contact (AffectedPerson.preferred_channel)."""

    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    SMS = "sms", "Text message"
    LETTER = "letter", "Letter"


class AccessibleFormat(models.TextChoices):
    """Formats a person asked for (AffectedPerson.accessible_formats); a letter to someone who
    asked for large print is printed large."""

    LARGE_PRINT = "large_print", "Large print"
    EASY_READ = "easy_read", "Easy read"
    BSL = "bsl", "British Sign Language interpreter"
    BRAILLE = "braille", "Braille"


class TemporaryError(Exception):
    pass


class PermanentError(Exception):
    pass


def _one_line(text: str) -> str:
    """Header-safe: no CR/LF from anyone's name can reach an email header."""
    return " ".join(text.split())


def _email_bodies(kind: str, context: dict) -> tuple[str, str]:
    """A kind's own email, or for a notice to staff the shared one around its alert text."""
    try:
        get_template(f"messages/{kind}-body.txt")
    except TemplateDoesNotExist:
        notice = _one_line(render_to_string(f"messages/{kind}-alert.txt", context))
        context = {**context, "notice": notice}
        kind = "staff_notice"
    return (
        render_to_string(f"messages/{kind}-body.txt", context),
        render_to_string(f"messages/{kind}-body.html", context),
    )


_batch_connection: ContextVar = ContextVar("outbox_email_connection", default=None)


@contextmanager
def email_batch():
    """Every email sent inside shares one connection to the mail server, opened by the first
    and closed at the end (or after an error, to be opened afresh by the next); each message
    is still sent, and marked sent, on its own."""
    connection = get_connection()
    token = _batch_connection.set(connection)
    try:
        yield
    finally:
        _batch_connection.reset(token)
        with suppress(OSError):
            connection.close()


class EmailChannel:
    def send(self, message, *, to: str, context: dict) -> None:
        if not to:
            raise PermanentError("No email address recorded.")
        subject = render_to_string(f"messages/{message.kind}-subject.txt", context)
        body, html = _email_bodies(message.kind, context)
        email = EmailMultiAlternatives(
            subject=_one_line(subject),
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers={
                "Message-ID": f"<{message.idempotency_key}@peersupport>",
                "Auto-Submitted": "auto-generated",
            },
        )
        email.attach_alternative(html, "text/html")
        connection = _batch_connection.get()
        try:
            if connection is not None:
                connection.open()  # once per batch: a no-op while it is open
                email.connection = connection
            email.send()
        except (OSError, TimeoutError) as error:
            if connection is not None:
                with suppress(OSError):
                    connection.close()
            raise TemporaryError(f"Email not sent: {error.__class__.__name__}") from error


class RecordingSMSClient:
    """Stands in for GOV.UK Notify in tests and development: keeps every call in `sent`."""

    sent: list[dict] = []

    def send_sms_notification(self, phone_number, template_id, personalisation, reference):
        self.sent.append(
            {
                "phone_number": phone_number,
                "template_id": template_id,
                "personalisation": personalisation,
                "reference": reference,
            }
        )
        return {"id": f"recorded-{len(self.sent)}", "reference": reference}


def sms_client():
    """GOV.UK Notify when settings switch it on, the recording fake when asked for, or None."""
    provider = getattr(settings, "SMS_PROVIDER", "")
    if provider == "notify":
        # Imported only when GOV.UK Notify is switched on: an optional provider's client.
        from notifications_python_client.notifications import NotificationsAPIClient

        return NotificationsAPIClient(settings.NOTIFY_API_KEY, timeout=settings.NOTIFY_TIMEOUT)
    if provider == "record":
        return RecordingSMSClient()
    return None


class SMSChannel:
    """Text messages through GOV.UK Notify: one Notify template whose whole body is
    ((body)), so our wording stays in our templates (`<kind>-sms.txt`)."""

    def send(self, message, *, to: str, context: dict) -> None:
        client = sms_client()
        if client is None:
            raise PermanentError("Text messages are switched off (SMS_PROVIDER is not set).")
        if not to:
            raise PermanentError("No mobile number recorded.")
        body = render_to_string(f"messages/{message.kind}-sms.txt", context).strip()
        try:
            client.send_sms_notification(
                phone_number=to,
                template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
                personalisation={"body": body},
                reference=message.idempotency_key,
            )
        except Exception as error:
            raise _notify_error(error) from error


def _notify_error(error) -> Exception:
    status = getattr(error, "status_code", None)
    if status is not None and 400 <= status < 500 and status != 429:
        return PermanentError(f"GOV.UK Notify refused the message ({status}).")
    return TemporaryError(f"GOV.UK Notify unavailable: {status or error.__class__.__name__}")


REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # nothing to confuse when read aloud


def letter_reference() -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


class LetterChannel:
    """A letter is prepared for the team to print and post (peersupport.team_messages); its
    text and any answer link are made when it is printed (peersupport.team_messages.letters), never here."""

    def send(self, message, *, to, context: dict) -> None:
        if to is None or not to.address.strip():
            raise PermanentError("No postal address recorded.")
        Letter.objects.get_or_create(
            message=message,
            defaults={
                "reference": letter_reference(),
                "large_print": AccessibleFormat.LARGE_PRINT in (to.accessible_formats or []),
            },
        )


class InAppChannel:
    def send(self, message, *, to, context: dict) -> None:
        if to is None or not to.is_active:
            raise PermanentError("No active user to alert.")
        text = _one_line(render_to_string(f"messages/{message.kind}-alert.txt", context))
        link = context.get("link", "")
        if not link.startswith("/") or link.startswith("//"):
            link = ""  # an alert only ever points inside the service
        Alert.objects.get_or_create(
            message=message, defaults={"user": to, "text": text[:300], "link": link}
        )


class RecordingChannel:
    """The fake provider of the fault tests and the benchmark: appends one line per call
    (the idempotency key) to OUTBOX_RECORD_FILE, so calls are counted, not rows. While the
    file named by OUTBOX_RECORD_FAIL_FILE exists, every call fails as a provider outage."""

    def send(self, message, *, to, context: dict) -> None:
        fail_flag = getattr(settings, "OUTBOX_RECORD_FAIL_FILE", "")
        if fail_flag and os.path.exists(fail_flag):
            raise TemporaryError("Recording provider is down.")
        with open(settings.OUTBOX_RECORD_FILE, "a", encoding="utf-8") as record:
            record.write(f"{message.idempotency_key}\n")
            record.flush()
            os.fsync(record.fileno())


CHANNELS = {
    "email": EmailChannel(),
    "sms": SMSChannel(),
    "letter": LetterChannel(),
    "in_app": InAppChannel(),
    "record": RecordingChannel(),
}
