"""The outbox: every message is a row, written with the change that causes it, sent by a sweep.

- `enqueue` writes a Message in the caller's transaction; the idempotency key makes a second
  enqueue of the same message a no-op, and a send is also queued on commit for immediacy.
- `sweep` (Celery beat, or `manage.py send_due_messages`) reclaims rows stuck in "sending"
  by a dead worker, then claims each due row with a conditional UPDATE so two workers never
  send the same row, and delivers it.
- `deliver` re-checks, just before sending, that the message's reason still holds (the kind's
  `check`, and the person not marked "do not contact"); if not, it is cancelled with the reason.
- Temporary failures retry with backoff; after MAX_ATTEMPTS, or on a permanent error, the row
  is marked failed and shows on the team's messages page.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from peersupport.channels import CHANNELS, PermanentError, TemporaryError
from peersupport.models import Message, MessageStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
STUCK_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Kind:
    context: Callable[[Message], dict]
    check: Callable[[Message], str | None] | None = None
    # For someone with no record in the service yet (a member of staff who asked for support):
    # their address, looked up from the message's cause when sending, never stored here.
    recipient: Callable[[Message], str] | None = None


KINDS: dict[str, Kind] = {}


def register(name: str, *, context: Callable[[Message], dict], check=None, recipient=None) -> None:
    """Declare a message kind: how to build its template context, and what must still hold."""
    KINDS[name] = Kind(context=context, check=check, recipient=recipient)


def cause_of(obj) -> tuple[str, str]:
    return (obj._meta.label_lower, str(obj.pk)) if obj is not None else ("", "")


def enqueue(
    kind, channel, *, person=None, user=None, cause=None, due_at=None, key=None, context=None
):
    """Write a message to the outbox (in the caller's transaction); idempotent by key."""
    if kind not in KINDS:
        raise ValueError(f"Unknown message kind {kind!r}")
    cause_type, cause_id = cause_of(cause)
    if person is not None:
        recipient = f"p{person.pk}"
    elif user is not None:
        recipient = f"u{user.pk}"
    elif KINDS[kind].recipient is not None:
        recipient = "cause"
    else:
        raise ValueError(f"A {kind!r} message needs a person or a user to send to")
    key = key or f"{kind}:{channel}:{cause_type}:{cause_id}:{recipient}"
    due_at = due_at or timezone.now()
    message, created = Message.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "kind": kind,
            "channel": channel,
            "person": person,
            "user": user,
            "cause_type": cause_type,
            "cause_id": cause_id,
            "context": context or {},
            "due_at": due_at,
        },
    )
    if created and due_at <= timezone.now():
        from peersupport.tasks import send_message

        transaction.on_commit(lambda: send_message.delay(message.pk))
    return message


def cancel_pending(*, cause=None, person=None, reason: str) -> int:
    """Cancel what is still waiting to go for a cause or a person, recording why."""
    pending = Message.objects.filter(status=MessageStatus.PENDING)
    if cause is not None:
        cause_type, cause_id = cause_of(cause)
        pending = pending.filter(cause_type=cause_type, cause_id=cause_id)
    if person is not None:
        pending = pending.filter(person=person)
    return pending.update(status=MessageStatus.CANCELLED, cancelled_reason=reason[:200])


def claim(message_id: int) -> bool:
    """Atomically take a due message for sending; False if another worker has it."""
    now = timezone.now()
    return bool(
        Message.objects.filter(pk=message_id, status=MessageStatus.PENDING, due_at__lte=now).update(
            status=MessageStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _recipient(message, kind: Kind):
    if kind.recipient is not None:
        return kind.recipient(message)
    if message.channel == "in_app":
        return message.user
    if message.person_id:
        return message.person.email
    return message.user.email if message.user_id else ""


def _reason_to_cancel(message, kind: Kind) -> str | None:
    if message.person_id and message.person.do_not_contact:
        return "The person asked not to be contacted."
    return kind.check(message) if kind.check else None


def deliver(message_id: int) -> str | None:
    """Claim and send one message; returns its new status, or None if not claimed."""
    if not claim(message_id):
        return None
    message = Message.objects.select_related("person", "user").get(pk=message_id)
    kind = KINDS.get(message.kind)
    if kind is None:
        return _finish(message, MessageStatus.FAILED, error=f"Unknown message kind {message.kind}")
    cancel_reason = _reason_to_cancel(message, kind)
    if cancel_reason:
        message.cancelled_reason = cancel_reason[:200]
        return _finish(message, MessageStatus.CANCELLED)
    try:
        CHANNELS[message.channel].send(
            message, to=_recipient(message, kind), context=kind.context(message)
        )
    except TemporaryError as error:
        if message.attempts >= MAX_ATTEMPTS:
            return _finish(message, MessageStatus.FAILED, error=str(error))
        message.due_at = timezone.now() + timedelta(minutes=2**message.attempts)
        return _finish(message, MessageStatus.PENDING, error=str(error))
    except PermanentError as error:
        return _finish(message, MessageStatus.FAILED, error=str(error))
    except Exception as error:
        logger.exception("Message %s failed unexpectedly", message.pk)
        return _finish(
            message, MessageStatus.FAILED, error=f"Unexpected error: {error.__class__.__name__}"
        )
    message.sent_at = timezone.now()
    return _finish(message, MessageStatus.SENT)


def _finish(message, status, error=""):
    message.status = status
    if error:
        message.last_error = error[:500]
    message.save(update_fields=["status", "last_error", "sent_at", "due_at", "cancelled_reason"])
    return status


def sweep(limit: int = 200) -> dict[str, int]:
    """Reclaim stuck rows, then deliver every due message (up to `limit`)."""
    now = timezone.now()
    reclaimed = Message.objects.filter(
        status=MessageStatus.SENDING, claimed_at__lt=now - STUCK_AFTER
    ).update(status=MessageStatus.PENDING)
    due = list(
        Message.objects.filter(status=MessageStatus.PENDING, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"reclaimed": reclaimed}
    for message_id in due:
        status = deliver(message_id)
        if status:
            counts[status] = counts.get(status, 0) + 1
    return counts


def retry(message: Message) -> None:
    """The team's retry button: a failed message goes back in the queue now."""
    Message.objects.filter(pk=message.pk, status=MessageStatus.FAILED).update(
        status=MessageStatus.PENDING, due_at=timezone.now(), attempts=0
    )
