"""Time the outbox: N due "probe" messages delivered through the recording channel by one worker.

The worker is this process running `outbox.sweep` in a loop, the same function each Celery
beat sweep runs, without Celery around it: so the figure is the outbox's own cost per message
(claim, with SKIP LOCKED on PostgreSQL; the re-check; the provider call, a line appended and
fsynced; marking it sent). Its rows are removed afterwards, whatever happens.
"""

import secrets
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from peersupport.models import Message, MessageStatus
from peersupport.outbox import sweep
from peersupport.probe import KIND


class Command(BaseCommand):
    help = (
        "Benchmark the outbox: create N due 'probe' messages on the recording channel (bulk "
        "insert), deliver them with one worker (this process running outbox.sweep in a loop), "
        "and print messages per second; check the fake provider was called exactly once per "
        "message, then delete the rows. Runs on the database DATABASE_URL names (SQLite under "
        "RUN_DIR by default); `make bench-outbox` migrates it first. Refuses to run where other "
        "messages are due, since the sweep would send them too."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--messages", type=int, default=10000, help="How many messages (default 10000)."
        )

    def handle(self, *args, messages=10000, **options):
        if messages < 1:
            raise CommandError("--messages must be at least 1.")
        others = Message.objects.filter(
            status__in=(MessageStatus.PENDING, MessageStatus.SENDING),
            due_at__lte=timezone.now() + timedelta(hours=1),
        ).count()
        if others:
            raise CommandError(
                f"{others} other messages are due within the hour, and the benchmark's sweep "
                "would send them too. Run it on a database without them (a fresh one after "
                "`migrate`)."
            )
        prefix = f"bench:{secrets.token_hex(4)}:"
        with tempfile.TemporaryDirectory() as directory:
            record = Path(directory) / "record.log"
            # The recording channel writes where the settings say; this run gets a file of its own.
            with override_settings(OUTBOX_RECORD_FILE=str(record), OUTBOX_RECORD_FAIL_FILE=""):
                try:
                    self._run(prefix, messages, record)
                finally:
                    deleted, _ = Message.objects.filter(idempotency_key__startswith=prefix).delete()
                    self.stdout.write(f"Cleaned up: {deleted} rows deleted.")

    def _run(self, prefix: str, messages: int, record: Path) -> None:
        started = time.perf_counter()
        now = timezone.now()
        Message.objects.bulk_create(
            (
                Message(kind=KIND, channel="record", due_at=now, idempotency_key=f"{prefix}{n}")
                for n in range(messages)
            ),
            batch_size=1000,
        )
        self.stdout.write(
            f"{messages} due '{KIND}' messages on {connection.vendor} "
            f"(bulk insert, {time.perf_counter() - started:.1f} s)."
        )
        self.stdout.write(
            "One worker: this process running outbox.sweep in a loop (no Celery), "
            "through the recording channel."
        )
        started = time.perf_counter()
        while True:
            counts = sweep(limit=1000)
            if not sum(n for status, n in counts.items() if status != "reclaimed"):
                break
        elapsed = time.perf_counter() - started

        mine = Message.objects.filter(idempotency_key__startswith=prefix)
        sent = mine.filter(status=MessageStatus.SENT).count()
        lines = record.read_text().splitlines() if record.exists() else []
        self.stdout.write(
            f"Delivered {sent} of {messages} in {elapsed:.1f} s: "
            f"{sent / elapsed:.0f} messages per second."
        )
        self.stdout.write(
            f"Record file: {len(lines)} calls, {len(set(lines))} distinct keys, "
            f"for {messages} messages."
        )
        if sent != messages or len(lines) != messages or len(set(lines)) != messages:
            raise CommandError("The provider was not called exactly once for every message.")
