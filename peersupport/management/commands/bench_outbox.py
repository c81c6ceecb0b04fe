"""Time the outbox end to end: N due emails through a real Celery worker and beat to a real
SMTP server on this machine, counted where they arrive.

This process starts the SMTP server (aiosmtpd, in a thread), one Celery worker and one beat as
subprocesses, on the database DATABASE_URL names and the broker CELERY_BROKER_URL names (or
--broker). It waits until beat's sweep has run once, writes N due "probe" emails (bulk insert,
no task queued: beat's sweep finds them), and times them to the SMTP server. Then it measures
latency: probes falling due a few seconds later (found by beat's sweep), and probes due now
with a task queued on commit, as `outbox.enqueue` does. Its rows are removed afterwards,
whatever happens.
"""

import os
import secrets
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from celery import Celery
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from peersupport import bench_rig
from peersupport.models import JobRun, Message, MessageStatus
from peersupport.probe import KIND

LATENCY_PROBES = 5
STALL_SECONDS = 60


class Command(BaseCommand):
    help = (
        "Benchmark the outbox end to end: start a local SMTP server (aiosmtpd), one Celery "
        "worker and Celery beat; write N due 'probe' emails; print emails per second and how "
        "many the SMTP server received, then the latency from a message's due time to the "
        "server. Runs on DATABASE_URL's database and CELERY_BROKER_URL's broker; refuses to run "
        "where other messages are due, since the worker would send them too."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--messages", type=int, default=10000, help="How many messages (default 10000)."
        )
        parser.add_argument(
            "--broker", default="", help="Celery broker URL (default: CELERY_BROKER_URL)."
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=0,
            help="The worker's pool processes (default: Celery's, one per CPU, as "
            "docker-compose runs it).",
        )

    def handle(self, *args, messages=10000, broker="", concurrency=0, **options):
        if messages < 1:
            raise CommandError("--messages must be at least 1.")
        others = Message.objects.filter(
            status__in=(MessageStatus.PENDING, MessageStatus.SENDING),
            due_at__lte=timezone.now() + timedelta(hours=1),
        ).count()
        if others:
            raise CommandError(
                f"{others} other messages are due within the hour, and the benchmark's worker "
                "would send them too. Run it on a database without them (a fresh one after "
                "`migrate`)."
            )
        self.broker = broker or settings.CELERY_BROKER_URL
        self.prefix = f"bench:{secrets.token_hex(4)}:"
        with tempfile.TemporaryDirectory() as directory, bench_rig.SMTPSink() as sink:
            self.directory, self.sink, self.processes = Path(directory), sink, []
            try:
                self._start(concurrency)
                self._throughput(messages)
                self._latency()
            except CommandError as error:
                raise CommandError(f"{error}\n{self._logs()}") from error
            finally:
                for process in self.processes:
                    process.stop()
                deleted, _ = Message.objects.filter(
                    idempotency_key__startswith=self.prefix
                ).delete()
                self.stdout.write(f"Cleaned up: {deleted} rows deleted.")

    # -- the processes -------------------------------------------------------------------------

    def _start(self, concurrency: int) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "peersupport.settings",
            "DATABASE_URL": bench_rig.database_url(connection.settings_dict),
            "CELERY_BROKER_URL": self.broker,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            # As in production: no query log, templates cached.
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "localhost",
            "SECURE_SSL_REDIRECT": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.sink.port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }
        hostname = f"bench-{secrets.token_hex(3)}@%h"
        started = timezone.now()
        for name, argv in (
            ("worker", bench_rig.worker_argv(hostname, concurrency)),
            ("beat", bench_rig.beat_argv(self.directory, "beat")),
        ):
            self.processes.append(
                bench_rig.Process(name, argv, env, self.directory, cwd=settings.BASE_DIR)
            )
        self.stdout.write(
            f"SMTP server on 127.0.0.1:{self.sink.port}; one worker (concurrency "
            f"{concurrency or os.cpu_count()}) and beat on {connection.vendor}, broker "
            f"{self.broker.split('://')[0]}. Waiting for beat's first sweep..."
        )
        self._wait(
            JobRun.objects.filter(name="send_due_messages", last_run_at__gte=started).exists,
            120,
            "beat's first sweep through the worker",
        )

    def _wait(self, predicate, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if any(not process.running() for process in self.processes):
                raise CommandError(f"A Celery process stopped while waiting for {what}.")
            if time.monotonic() > deadline:
                raise CommandError(f"Waited {timeout:.0f} s for {what}.")
            time.sleep(0.05)

    def _logs(self) -> str:
        return "\n".join(process.tail() for process in self.processes)

    # -- the measures --------------------------------------------------------------------------

    def _probes(self, label: str, count: int, due_at) -> list[Message]:
        return Message.objects.bulk_create(
            (
                Message(
                    kind=KIND,
                    channel="email",
                    due_at=due_at(n),
                    idempotency_key=f"{self.prefix}{label}{n}",
                )
                for n in range(count)
            ),
            batch_size=1000,
        )

    def _wait_for_emails(self, total: int) -> None:
        """Until the server has `total` emails, failing if none arrives for STALL_SECONDS."""
        last, last_change = self.sink.count(), time.monotonic()
        while (received := self.sink.count()) < total:
            if received != last:
                last, last_change = received, time.monotonic()
            if time.monotonic() - last_change > STALL_SECONDS:
                raise CommandError(
                    f"The SMTP server received {received} of {total}, nothing for "
                    f"{STALL_SECONDS} s."
                )
            if any(not process.running() for process in self.processes):
                raise CommandError("A Celery process stopped.")
            time.sleep(0.05)

    def _throughput(self, messages: int) -> None:
        worker = self.processes[0].pid
        load, worker_cpu, own_cpu = (
            os.getloadavg()[0],
            bench_rig.cpu_seconds(worker),
            time.process_time(),
        )
        now = timezone.now()
        committed = time.time()
        self._probes("n", messages, lambda n: now)
        self.stdout.write(
            f"{messages} due emails written in {time.time() - committed:.1f} s; "
            "beat's sweep finds them."
        )
        self._wait_for_emails(messages)
        worker_cpu = bench_rig.cpu_seconds(worker) - worker_cpu
        own_cpu = time.process_time() - own_cpu
        arrivals = sorted(self.sink.arrivals().values())
        elapsed = arrivals[-1] - committed
        steady = arrivals[-1] - arrivals[0]
        received, distinct = self.sink.count(), len(arrivals)
        sent = Message.objects.filter(
            idempotency_key__startswith=self.prefix, status=MessageStatus.SENT
        ).count()
        self.stdout.write(
            f"Delivered {received} of {messages} emails to the SMTP server in {elapsed:.1f} s: "
            f"{messages / elapsed:.0f} emails per second from commit to the last email "
            f"({(messages - 1) / steady if steady else 0:.0f} per second from the first, "
            f"which came {arrivals[0] - committed:.1f} s after the commit)."
        )
        self.stdout.write(
            f"SMTP server: {received} emails, {distinct} distinct Message-IDs; "
            f"{sent} rows marked sent."
        )
        self.stdout.write(
            f"CPU meanwhile: the worker {worker_cpu:.1f} s ({worker_cpu / messages * 1000:.1f} ms "
            f"an email), the SMTP server and this process {own_cpu:.1f} s; PostgreSQL and Redis "
            f"not counted. Load average {load:.1f} before, {os.getloadavg()[0]:.1f} after, on "
            f"{os.cpu_count()} CPUs."
        )
        if received != messages or distinct != messages or sent != messages:
            raise CommandError("Not every message reached the SMTP server exactly once.")

    def _latency(self) -> None:
        """Seconds from each probe's due time to its arrival: scheduled a little ahead (beat's
        sweep finds them), and due now with a task queued on commit."""
        already = self.sink.count()
        now = timezone.now()
        scheduled = self._probes(
            "later", LATENCY_PROBES, lambda n: now + timedelta(seconds=2 * n + 2)
        )
        queued = []
        app = Celery("bench", broker=self.broker, set_as_current=False)
        with app:
            for n in range(LATENCY_PROBES):
                with transaction.atomic():
                    (message,) = self._probes(f"now{n}-", 1, lambda _: timezone.now())
                    transaction.on_commit(
                        lambda pk=message.pk: app.send_task(
                            "peersupport.tasks.send_message", args=[pk]
                        )
                    )
                queued.append(message)
                time.sleep(1)
        self._wait_for_emails(already + len(scheduled) + len(queued))
        arrivals = self.sink.arrivals()
        for label, probes, how in (
            ("scheduled", scheduled, f"beat's sweep every {self._sweep_seconds():.0f} s"),
            ("due now", queued, "a task queued on commit"),
        ):
            delays = [
                arrivals[f"<{m.idempotency_key}@peersupport>"] - m.due_at.timestamp()
                for m in probes
            ]
            self.stdout.write(
                f"Latency, {label} ({how}): median {statistics.median(delays):.1f} s, "
                f"longest {max(delays):.1f} s after the due time ({len(delays)} emails)."
            )

    @staticmethod
    def _sweep_seconds() -> float:
        return settings.CELERY_BEAT_SCHEDULE["send-due-messages"]["schedule"]
