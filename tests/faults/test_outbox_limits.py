"""The limits the fault tests rely on, checked without any process being killed: these run in
`make test` (they are not marked `faults`)."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from peersupport import outbox
from peersupport.models import Message, MessageStatus
from peersupport.outbox import send_message
from tests.outbox_probes import probes as shared_probes

pytestmark = pytest.mark.django_db


def probes(count, **fields):
    return shared_probes(count, key="limits", **fields)


def test_a_sweep_stops_in_time_and_puts_back_what_it_did_not_try(record, monkeypatch):
    probes(5)
    clock = [1000.0]
    monkeypatch.setattr(outbox, "monotonic", lambda: clock[0])
    real_send = outbox._send_claimed

    def slow_send(message_id, lease=None):
        clock[0] += 25  # a slow provider: 25 seconds a message
        return real_send(message_id, lease)

    monkeypatch.setattr(outbox, "_send_claimed", slow_send)

    counts = outbox.sweep()

    # Sent at 0, 25 and 50 seconds; at 75 the sweep is past its 60 and stops.
    assert counts["sent"] == 3
    assert counts["released"] == 2
    assert len(record.read_text().splitlines()) == 3
    waiting = Message.objects.filter(status=MessageStatus.PENDING)
    assert waiting.count() == 2
    assert set(waiting.values_list("attempts", flat=True)) == {0}


def test_a_row_whose_worker_died_is_sent_again_by_the_next_sweep(record):
    long_ago = timezone.now() - timedelta(hours=1)
    (message,) = probes(1, status=MessageStatus.SENDING, claimed_at=long_ago, attempts=1)

    counts = outbox.sweep()

    assert counts == {"reclaimed": 1, "sent": 1}
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2


def test_a_row_that_keeps_killing_its_worker_fails_instead_of_going_round_again(record):
    long_ago = timezone.now() - timedelta(hours=1)
    (message,) = probes(
        1, status=MessageStatus.SENDING, claimed_at=long_ago, attempts=outbox.MAX_ATTEMPTS
    )

    assert outbox.reclaim_stuck() == 0

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "worker stopped" in message.last_error
    assert not record.exists()


def test_a_row_still_being_sent_is_not_taken_back(record):
    (message,) = probes(1, status=MessageStatus.SENDING, claimed_at=timezone.now(), attempts=1)

    assert outbox.reclaim_stuck() == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING


def test_the_same_task_twice_calls_the_provider_once(record):
    (message,) = probes(1)

    send_message(message.pk)
    send_message(message.pk)

    assert record.read_text().splitlines() == [message.idempotency_key]


def test_bench_outbox_refuses_where_other_messages_are_due():
    probes(1)
    with pytest.raises(CommandError, match="other messages are due"):
        call_command("bench_outbox", messages=10)
    assert Message.objects.count() == 1
