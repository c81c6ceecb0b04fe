"""`make bench-outbox` end to end, small: a real worker and beat, a real SMTP server."""

import re

import pytest
from django.core.management import call_command

from peersupport.models import Message

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def test_bench_outbox_delivers_every_email_once_to_the_smtp_server_and_cleans_up(rig, capsys):
    rig.start_redis()
    call_command("bench_outbox", messages=45, broker=rig.broker_url, concurrency=1)

    out = capsys.readouterr().out
    assert "Delivered 45 of 45 emails to the SMTP server" in out
    assert "SMTP server: 45 emails, 45 distinct Message-IDs; 45 rows marked sent." in out
    assert "emails per second" in out
    for label in ("scheduled", "due now"):
        (longest,) = re.findall(rf"Latency, {label} .*longest ([0-9.]+) s", out)
        assert float(longest) < 15, out
    assert not Message.objects.exists()
