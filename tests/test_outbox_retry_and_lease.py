"""The outbox's retry rule and its lease (issue #17): the first retry waits the base delay, a
database error is a temporary failure, and a row abandoned by a dead worker is sent again
within two minutes while a live worker's rows are never taken from it."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.utils import timezone

from peersupport import outbox
from peersupport.channels import RecordingChannel
from peersupport.models import Message, MessageStatus
from tests.outbox_probes import probes as shared_probes

pytestmark = pytest.mark.django_db


def probes(count, **fields):
    return shared_probes(count, key="lease", **fields)


def calls(record) -> list[str]:
    return record.read_text().splitlines() if record.exists() else []


def test_the_first_retry_waits_the_base_delay_then_it_doubles(record, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    Path(settings.OUTBOX_RECORD_FAIL_FILE).touch()
    (message,) = probes(1)
    waits = []
    for attempt in (1, 2, 3):
        before = timezone.now()
        outbox.sweep()
        message.refresh_from_db()
        assert message.status == MessageStatus.PENDING and message.attempts == attempt
        waits.append(round((message.due_at - before).total_seconds()))
        Message.objects.filter(pk=message.pk).update(due_at=timezone.now())

    assert waits == [60, 120, 240]


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("connection already closed"),
        DatabaseError("could not serialize access"),
    ],
)
def test_a_database_error_while_sending_is_retried_not_failed(record, monkeypatch, error):
    def database_trouble(self, message, *, to, context):
        raise error

    monkeypatch.setattr(RecordingChannel, "send", database_trouble)
    (message,) = probes(1)

    assert outbox.sweep() == {"reclaimed": 0, "pending": 1}

    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert message.attempts == 1
    assert message.due_at > timezone.now()
    # The error's class, never its text: a database error may quote the row it was writing.
    assert message.last_error == f"Database unavailable: {error.__class__.__name__}"

    for _ in range(outbox.MAX_ATTEMPTS - 1):
        Message.objects.filter(pk=message.pk).update(due_at=timezone.now())
        outbox.sweep()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.attempts == outbox.MAX_ATTEMPTS


def _sweep_interval() -> float:
    return django_settings.CELERY_BEAT_SCHEDULE["send-due-messages"]["schedule"]


def test_a_row_abandoned_by_a_dead_worker_is_sent_again_within_two_minutes(record):
    # Abandoned this long, plus the wait for the next sweep: two minutes in all.
    abandoned = timezone.now() - timedelta(seconds=120 - _sweep_interval())
    (message,) = probes(1, status=MessageStatus.SENDING, claimed_at=abandoned, attempts=1)

    assert outbox.sweep() == {"reclaimed": 1, "sent": 1}

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert calls(record) == [message.idempotency_key]


class SlowProvider:
    """Each send takes `seconds` of (travelled) time; `during` runs inside the n-th send, as
    another worker's sweep would meanwhile."""

    def __init__(self, monkeypatch, traveller, seconds, during=None):
        self.clock = [1000.0]
        self.traveller, self.seconds, self.during = traveller, seconds, during or {}
        self.sends = 0
        real = RecordingChannel.send
        monkeypatch.setattr(outbox, "monotonic", lambda: self.clock[0])
        monkeypatch.setattr(outbox, "SWEEP_SECONDS", 3600)

        def slow(channel, message, *, to, context):
            self.sends += 1
            real(channel, message, to=to, context=context)
            self.clock[0] += self.seconds
            self.traveller.shift(timedelta(seconds=self.seconds))
            if self.sends in self.during:
                self.during[self.sends]()

        monkeypatch.setattr(RecordingChannel, "send", slow)


def test_a_live_worker_renews_its_lease_so_its_rows_are_not_taken_back(record, monkeypatch):
    lease = outbox.lease_seconds()
    taken_back = []
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        messages = probes(3)
        # Each send takes two thirds of the lease: the third row waits longer than a lease.
        SlowProvider(
            monkeypatch,
            traveller,
            seconds=lease * 2 / 3,
            during={2: lambda: taken_back.append(outbox.reclaim_stuck())},
        )
        counts = outbox.sweep()

    assert taken_back == [0]
    assert counts == {"reclaimed": 0, "sent": 3}
    assert calls(record) == [m.idempotency_key for m in messages]


def test_a_row_taken_back_from_a_stalled_worker_is_not_sent_by_it(record, monkeypatch):
    lease = outbox.lease_seconds()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        first, second = probes(2)

        def another_worker_takes_it_back():
            # Both rows: the one being sent too, which is why one send must end inside a lease.
            assert outbox.reclaim_stuck() == 2
            assert outbox.claim(second.pk)
            traveller.shift(timedelta(seconds=1))

        # The first send stalls past the lease; meanwhile another worker takes the second row.
        SlowProvider(
            monkeypatch, traveller, seconds=lease + 1, during={1: another_worker_takes_it_back}
        )
        counts = outbox.sweep()

    assert counts == {"reclaimed": 0, "sent": 1, "taken back": 1}
    assert calls(record) == [first.idempotency_key]
    second.refresh_from_db()
    assert second.status == MessageStatus.SENDING and second.attempts == 2
