"""The outbox: every message is a row, written with the change that causes it, sent by a sweep.

- `enqueue` writes a Message in the caller's transaction; the idempotency key makes a second
  enqueue of the same message a no-op, and a send is also queued on commit for immediacy.
- `sweep` (Celery beat, or `manage.py send_due_messages`) takes back rows whose worker's lease
  ran out (a dead worker), then claims due rows with a conditional UPDATE so two workers never
  send the same row, and delivers them, renewing its lease on the rows still waiting in its
  batch as it goes and sending every email of a batch down one SMTP connection.
- A message scheduled by a timing rule keeps the rule's key and the moment it counts from, so
  an administrator's edit of the rule moves every message still waiting (`reschedule_rule`).
- `deliver` re-checks, just before sending, that the message's reason still holds (the kind's
  `check`, and the person not marked "do not contact"); if not, it is cancelled with the reason.
  A message to a person on a date they asked us to avoid, or outside their safe times (a text
  outside 08:00 to 20:00), is deferred to the next allowed moment, never dropped.
- Temporary failures (the provider's, or the database's) retry with backoff, the first after
  OUTBOX_RETRY_BASE_SECONDS; after MAX_ATTEMPTS, or on a permanent error, the row is marked
  failed and shows on the team's messages page.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from time import monotonic

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from peersupport import links, restore_ledger, timing
from peersupport.channels import CHANNELS, Channel, PermanentError, TemporaryError, email_batch
from peersupport.contact_windows import next_allowed
from peersupport.jobs import record_job_run
from peersupport.log_filters import describe
from peersupport.models import Message, MessageStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


# A database error while sending (the database restarting, a connection dropped) says nothing
# about the message: it is tried again like a provider's temporary failure.
DATABASE_ERRORS = (DatabaseError, InterfaceError, OperationalError)


def lease_seconds() -> float:
    """How long a worker's claim on a row lasts unless it renews it. A row in "sending" whose
    lease ran out belongs to a worker that died, and is sent again."""
    return float(getattr(settings, "OUTBOX_LEASE_SECONDS", 60))


def _retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th try failed (the claim has already counted it): the
    base delay after the first, doubling after each one since."""
    base = getattr(settings, "OUTBOX_RETRY_BASE_SECONDS", 60)
    return timedelta(seconds=base * 2 ** max(attempts - 1, 0))


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
    kind,
    channel,
    *,
    person=None,
    user=None,
    cause=None,
    due_at=None,
    key=None,
    context=None,
    rule="",
    anchor=None,
    nation="",
):
    """Write a message to the outbox (in the caller's transaction); idempotent by key.

    With `rule`, the message falls due when that timing rule says, counted from `anchor` in
    the organisation's `nation`; nothing is written if an administrator switched the rule off.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown message kind {kind!r}")
    if rule:
        anchor = anchor or timezone.now()
        due_at = timing.due_after(rule, anchor, nation or "england")
        if due_at is None:
            return None
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
            "rule": rule,
            "anchor_at": anchor if rule else None,
            "nation": nation,
        },
    )
    if created and due_at <= timezone.now():
        transaction.on_commit(lambda: send_message.delay(message.pk))
    return message


def cancel_pending(*, cause=None, person=None, kinds=None, reason: str) -> int:
    """Cancel what is still waiting to go for a cause or a person, recording why."""
    pending = Message.objects.filter(status=MessageStatus.PENDING)
    if cause is not None:
        cause_type, cause_id = cause_of(cause)
        pending = pending.filter(cause_type=cause_type, cause_id=cause_id)
    if person is not None:
        pending = pending.filter(person=person)
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    return pending.update(status=MessageStatus.CANCELLED, cancelled_reason=reason[:200])


def reschedule_rule(key: str) -> int:
    """An administrator changed a timing rule: every message still waiting on it moves (or is
    cancelled, if the rule was switched off)."""
    waiting = Message.objects.filter(rule=key, status=MessageStatus.PENDING)
    if not timing.rule(key).enabled:
        return waiting.update(
            status=MessageStatus.CANCELLED,
            cancelled_reason="An administrator switched the rule off.",
        )
    moved = 0
    for message in waiting.exclude(anchor_at=None):
        message.due_at = timing.due_after(key, message.anchor_at, message.nation or "england")
        message.save(update_fields=["due_at"])
        moved += 1
    return moved


def person_channel(person) -> str | None:
    """The outbox channel for a person's preferred way of contact. Someone who prefers a
    phone call (which the team makes itself) still gets a written copy by email if we have
    their address; otherwise None."""
    preferred = {Channel.EMAIL: "email", Channel.SMS: "sms", Channel.LETTER: "letter"}
    if person.preferred_channel in preferred:
        return preferred[person.preferred_channel]
    return "email" if person.email else None


def claim(message_id: int, now=None) -> bool:
    """Atomically take a due message for sending; False if another worker has it. The claim
    is a lease: `claimed_at` is when it was taken or last renewed."""
    now = now or timezone.now()
    return bool(
        Message.objects.filter(pk=message_id, status=MessageStatus.PENDING, due_at__lte=now).update(
            status=MessageStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


class Lease:
    """A worker's hold on the rows it claimed together, all stamped with one `claimed_at`.

    The worker renews it (a new stamp on the rows still waiting) whenever a third of the lease
    has gone, so a live worker's rows never look abandoned however long its batch takes. A row
    that no longer carries the stamp was taken back after the lease ran out (the worker
    stalled), and this worker leaves it to whoever has it now.
    """

    def __init__(self, ids: list[int], stamp):
        self.ids, self.stamp, self.renewed = list(ids), stamp, monotonic()

    def keep(self, waiting: list[int]) -> None:
        if monotonic() - self.renewed < lease_seconds() / 3:
            return
        now = timezone.now()
        Message.objects.filter(
            pk__in=waiting, status=MessageStatus.SENDING, claimed_at=self.stamp
        ).update(claimed_at=now)
        self.stamp, self.renewed = now, monotonic()

    def holds(self, message: Message) -> bool:
        return message.status == MessageStatus.SENDING and message.claimed_at == self.stamp


def _recipient(message, kind: Kind):
    if kind.recipient is not None:
        return kind.recipient(message)
    if message.channel == "in_app":
        return message.user
    if message.channel == "letter":
        return message.person
    if message.person_id:
        return message.person.phone if message.channel == "sms" else message.person.email
    if message.channel == "sms":
        return ""
    return message.user.email if message.user_id else ""


def _reason_to_cancel(message, kind: Kind) -> str | None:
    if message.person_id and message.person.do_not_contact:
        return "The person asked not to be contacted."
    if message.person_id and message.person.opted_out_at:
        return "The person opted out of all messages from the service."
    return kind.check(message) if kind.check else None


def _context(message, kind: Kind) -> dict:
    """The message's context. A letter's answer link is made when it is printed
    (peersupport.team_messages.letters), so any link made while preparing it is revoked at once."""
    if message.channel != "letter":
        return kind.context(message)
    with links.collecting() as made:
        context = kind.context(message)
    for link in made:
        link.revoke()
    return context


def deliver(message_id: int) -> str | None:
    """Claim and send one message; returns its new status, or None if not claimed."""
    if not claim(message_id):
        return None
    return _send_claimed(message_id)


def _send_claimed(message_id: int, lease: Lease | None = None) -> str:
    message = Message.objects.select_related("person", "user").get(pk=message_id)
    if lease is not None and not lease.holds(message):
        return TAKEN_BACK
    kind = KINDS.get(message.kind)
    if kind is None:
        return _finish(message, MessageStatus.FAILED, error=f"Unknown message kind {message.kind}")
    cancel_reason = _reason_to_cancel(message, kind)
    if cancel_reason:
        message.cancelled_reason = cancel_reason[:200]
        return _finish(message, MessageStatus.CANCELLED)
    if message.person_id:
        allowed, why = next_allowed(message.person, message.channel, timezone.now())
        if allowed > timezone.now():
            message.due_at, message.deferred_reason = allowed, why[:200]
            Message.objects.filter(pk=message.pk).update(attempts=F("attempts") - 1)
            return _finish(message, MessageStatus.PENDING)
    try:
        CHANNELS[message.channel].send(
            message, to=_recipient(message, kind), context=_context(message, kind)
        )
    except TemporaryError as error:
        return _try_again_later(message, str(error))
    except DATABASE_ERRORS as error:
        # The class, not the text: a database error may quote the row it was writing.
        logger.warning("Message %s: database error while sending\n%s", message.pk, describe(error))
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
        return _try_again_later(message, f"Database unavailable: {error.__class__.__name__}")
    except PermanentError as error:
        return _finish(message, MessageStatus.FAILED, error=str(error))
    except Exception as error:
        # Where it failed, not what the error said: its text may quote the address or a name.
        logger.error("Message %s failed unexpectedly\n%s", message.pk, describe(error))
        return _finish(
            message, MessageStatus.FAILED, error=f"Unexpected error: {error.__class__.__name__}"
        )
    restore_ledger.record_sent(message)
    message.sent_at = timezone.now()
    return _finish(message, MessageStatus.SENT)


def _try_again_later(message, error: str) -> str:
    if message.attempts >= MAX_ATTEMPTS:
        return _finish(message, MessageStatus.FAILED, error=error)
    message.due_at = timezone.now() + _retry_delay(message.attempts)
    return _finish(message, MessageStatus.PENDING, error=error)


def _finish(message, status, error=""):
    message.status = status
    if error:
        message.last_error = error[:500]
    message.save(
        update_fields=[
            "status",
            "last_error",
            "sent_at",
            "due_at",
            "cancelled_reason",
            "deferred_reason",
        ]
    )
    return status


TAKEN_BACK = "taken back"
CLAIM_BATCH = 20


def claim_due(limit: int = CLAIM_BATCH) -> Lease:
    """Take up to `limit` due messages for this worker, under one lease. On PostgreSQL the rows
    are locked with SKIP LOCKED, so concurrent sweeps share the work without waiting on each
    other; elsewhere (SQLite ignores row locks) each row is taken by its own conditional
    UPDATE."""
    now = timezone.now()
    due = Message.objects.filter(status=MessageStatus.PENDING, due_at__lte=now).order_by(
        "due_at", "id"
    )
    if not connection.features.has_select_for_update_skip_locked:
        return Lease([pk for pk in due.values_list("pk", flat=True)[:limit] if claim(pk, now)], now)
    with transaction.atomic():
        ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        Message.objects.filter(pk__in=ids, status=MessageStatus.PENDING).update(
            status=MessageStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return Lease(ids, now)


def reclaim_stuck() -> int:
    """Rows whose lease ran out (their worker died) go back in the queue; one taken
    MAX_ATTEMPTS times is failed instead, for the team to look at: sending it may be what
    kills the worker, and each earlier try may have reached the person."""
    expired = timezone.now() - timedelta(seconds=lease_seconds())
    stuck = Message.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=expired)
    stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=MessageStatus.FAILED,
        last_error=f"The worker stopped while sending it, {MAX_ATTEMPTS} times.",
    )
    return stuck.update(status=MessageStatus.PENDING)


# A sweep stops after this long and leaves the rest to the next one, so that even with a slow
# provider it ends well inside Celery's time limits (CELERY_TASK_SOFT_TIME_LIMIT): a sweep cut
# off there would leave a message half-sent and its batch in "sending" until its lease ran out.
SWEEP_SECONDS = 60


def sweep(limit: int | None = None) -> dict[str, int]:
    """Take back rows whose lease ran out, then send every due message (up to `limit`, for up
    to SWEEP_SECONDS), a small batch at a time. Each message is marked sent in its own commit,
    so a worker killed mid-batch repeats at most the one it was sending."""
    counts = {"reclaimed": reclaim_stuck()}
    deadline = monotonic() + SWEEP_SECONDS
    handled = 0
    while (limit is None or handled < limit) and monotonic() < deadline:
        lease = claim_due(CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - handled))
        if not lease.ids:
            break
        handled += len(lease.ids)
        with email_batch():
            _send_batch(lease, deadline, counts)
    return counts


def _send_batch(lease: Lease, deadline: float, counts: dict[str, int]) -> None:
    for position, message_id in enumerate(lease.ids):
        if monotonic() >= deadline:
            counts["released"] = _release(lease, lease.ids[position:])
            return
        lease.keep(lease.ids[position:])
        status = _send_claimed(message_id, lease)
        counts[status] = counts.get(status, 0) + 1


def _release(lease: Lease, ids: list[int]) -> int:
    """Claimed but never tried: back in the queue now, the claim not counted as an attempt."""
    return Message.objects.filter(
        pk__in=ids, status=MessageStatus.SENDING, claimed_at=lease.stamp
    ).update(status=MessageStatus.PENDING, attempts=F("attempts") - 1)


def retry(message: Message) -> None:
    """The team's retry button: a failed message goes back in the queue now."""
    Message.objects.filter(pk=message.pk, status=MessageStatus.FAILED).update(
        status=MessageStatus.PENDING, due_at=timezone.now(), attempts=0
    )


# The outbox's own Celery tasks. Their names are the ones beat's schedule and queued work have
# always used, from when they lived in peersupport.tasks.


@shared_task(name="peersupport.tasks.send_due_messages", ignore_result=True)
def send_due_messages():
    """The outbox sweep, run by beat every few seconds (OUTBOX_SWEEP_SECONDS)."""
    sweep()
    record_job_run("send_due_messages")


@shared_task(name="peersupport.tasks.send_message", ignore_result=True)
def send_message(message_id: int):
    """Send one message now; harmless if the sweep got there first (the claim fails)."""
    deliver(message_id)
