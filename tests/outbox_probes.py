"""Probe messages on the recording channel, for tests of the outbox's own rules (retries,
leases, sweep limits): the file the channel records to, and due probes in bulk."""

import pytest
from django.utils import timezone

from peersupport.models import Message
from peersupport.probe import KIND


@pytest.fixture
def record(settings, tmp_path):
    settings.OUTBOX_RECORD_FILE = str(tmp_path / "record.log")
    settings.OUTBOX_RECORD_FAIL_FILE = str(tmp_path / "provider-down")
    return tmp_path / "record.log"


def probes(count, *, key="probe", **fields):
    return Message.objects.bulk_create(
        Message(
            kind=KIND,
            channel="record",
            due_at=timezone.now(),
            idempotency_key=f"{key}:{n}",
            **fields,
        )
        for n in range(count)
    )
