"""Messages are never lost and never sent twice, with real workers, brokers and schedulers
being killed and restarted (DESIGN.md, "Messages are never lost and never sent twice").

The fake provider (the "record" channel) appends one line per call, so the test counts calls,
not rows. A duplicate is allowed only where a kill lands between the provider accepting a
message and the row being marked sent: at most one per pool process killed mid-task.
"""

import os
import signal
import time
from collections import Counter

import pytest

from peersupport import outbox
from peersupport.models import Message, MessageStatus
from tests.faults.conftest import LEASE_SECONDS, SWEEP_SECONDS

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

WAVE = 150  # four waves: 600 messages


def test_worker_runs_with_the_delivery_settings(rig):
    """acks_late, reject on worker lost, prefetch 1 and time limits reach the running worker."""
    rig.start_redis()
    rig.start_worker()
    with rig.celery() as app:
        replies = app.control.inspect(destination=[rig.worker_hostname()], timeout=2).conf()
    assert replies, "the worker did not answer `inspect conf`"
    conf = replies[rig.worker_hostname()]
    # The worker reads its configuration from the Django settings, by their CELERY_ names.
    assert conf["CELERY_TASK_ACKS_LATE"] is True
    assert conf["CELERY_TASK_REJECT_ON_WORKER_LOST"] is True
    assert conf["CELERY_WORKER_PREFETCH_MULTIPLIER"] == 1
    # A sweep ends of its own accord (SWEEP_SECONDS) well inside the soft limit, so no limit
    # cuts one off mid-send; its rows are kept by renewing the lease, not by a long wait.
    assert conf["CELERY_TASK_SOFT_TIME_LIMIT"] > outbox.SWEEP_SECONDS
    assert conf["CELERY_TASK_SOFT_TIME_LIMIT"] < conf["CELERY_TASK_TIME_LIMIT"]


def test_no_message_is_lost_or_sent_twice_through_kills_and_restarts(rig, capsys):
    rig.start_redis()
    rig.start_worker()
    # Two beat schedulers at once, for the whole run: each queues a sweep every second.
    beats = [rig.start_beat(), rig.start_beat()]
    # Duplicates allowed in each wave: one per pool process killed while it may be sending.
    allowed = {}
    left_sending = []

    # 1. The same task twice for every message, and one pool process SIGKILLed mid-task.
    # With acks_late and task_reject_on_worker_lost its task is redelivered; the row it had
    # claimed waits in "sending" until a sweep takes it back.
    ids = rig.due_messages("wave1", WAVE)
    rig.publish(ids)
    rig.publish(ids)
    rig.wait_for_calls(WAVE // 4)
    os.kill(rig.pool()[0], signal.SIGKILL)
    allowed["wave1"] = 1
    left_sending.append(rig.sending())
    rig.drain(timeout=LEASE_SECONDS + 60)

    # 2. Sweeps only (as if every on-commit task was lost), and the whole worker SIGKILLed in
    # the middle of a claimed batch; a new worker's sweep takes the batch back.
    before = rig.call_count()
    rig.due_messages("wave2", WAVE)
    rig.wait_for_calls(before + WAVE // 4)
    allowed["wave2"] = len(rig.pool())
    rig.worker.kill()
    left_sending.append(rig.sending())
    rig.start_worker()
    rig.drain(timeout=LEASE_SECONDS + 60)

    # 3. Redis killed with the tasks still queued, down long enough for both beats to fail to
    # queue a sweep, and restarted empty: the tasks are gone, the rows are not, and the sweeps
    # find them once worker and beats have reconnected.
    before = rig.call_count()
    ids = rig.due_messages("wave3", WAVE)
    rig.publish(ids)
    rig.wait_for_calls(before + 10)
    rig.kill_redis()
    time.sleep(3 * SWEEP_SECONDS)
    rig.start_redis()
    allowed["wave3"] = 0
    rig.drain()

    # 4. The provider fails, then recovers; the worker is restarted (warm shutdown) meanwhile.
    before = rig.call_count()
    rig.fail_file.touch()
    ids = rig.due_messages("wave4", WAVE)
    rig.publish(ids)
    rig.wait_until(
        lambda: not Message.objects.filter(pk__in=ids, last_error="").exists(),
        30,
        "every message to meet the provider's outage",
    )
    assert rig.call_count() == before, "the provider was down: no call can have succeeded"
    rig.fail_file.unlink()
    rig.worker.stop()
    rig.start_worker()
    allowed["wave4"] = 0
    rig.drain()

    assert all(beat.running() for beat in beats), rig.logs()
    # Stop everything first, so a late or repeated call would still be counted.
    rig.stop_all(gracefully=True)
    calls = rig.calls()
    messages = Message.objects.all()
    keys = set(messages.values_list("idempotency_key", flat=True))
    by_status = {status: messages.filter(status=status).count() for status in MessageStatus.values}
    lost = sorted(key for key in keys if calls[key] == 0)
    duplicates = Counter()
    for key, count in calls.items():
        duplicates[key.split(":")[0]] += count - 1
    total, most = sum(duplicates.values()), sum(allowed.values())
    with capsys.disabled():
        print(
            f"\nfaults: {len(keys)} messages, 2 kills ({most} pool processes), 1 Redis restart, "
            f"2 beats at once, 1 provider outage, 1 worker restart: {len(lost)} lost, "
            f"{total} duplicate{'' if total == 1 else 's'} (allowed {most}); by wave "
            + ", ".join(f"{wave} {duplicates[wave]}/{allowed[wave]}" for wave in allowed)
            + f"; rows left sending by the kills: {left_sending}"
        )
    assert len(keys) == 4 * WAVE
    assert by_status[MessageStatus.SENT] == len(keys), by_status
    assert set(calls) == keys, "a call for a message that is not in the outbox"
    assert not lost, f"lost: {lost[:10]}"
    for wave, most_in_wave in allowed.items():
        assert duplicates[wave] <= most_in_wave, (wave, calls.most_common(5))
