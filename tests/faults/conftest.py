"""The rig for the fault tests: a redis-server on a spare port, real Celery workers and beat
schedulers, all started here as subprocesses of this test so each can be killed and restarted.

Everything shares the test's PostgreSQL database (the tests are transactional, so rows are
committed and the subprocesses see them) and records provider calls in a file of its own.
"""

import contextlib
import os
import re
import secrets
import shutil
import socket
import time
from collections import Counter
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone
from kombu import pools

from peersupport import bench_rig
from peersupport.models import Message, MessageStatus
from peersupport.probe import KIND
from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]

# Every variable the settings read, so none of the test process's own (CELERY_TASK_ALWAYS_EAGER,
# the CI's shared broker and cache) leaks into the workers.
SETTINGS_VARIABLES = set(
    re.findall(
        r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"',
        (ROOT / "peersupport" / "settings.py").read_text(),
    )
) | {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "DATABASE_URL", "CELERY_BROKER_URL"}

LEASE_SECONDS = 5
SWEEP_SECONDS = 1
UNFINISHED = (MessageStatus.PENDING, MessageStatus.SENDING)


class Process(bench_rig.Process):
    def stop(self, timeout: float = 30) -> None:
        """SIGTERM: Celery's warm shutdown, which lets running tasks finish."""
        if not super().stop(timeout):
            raise AssertionError(
                f"{self.name} did not stop on SIGTERM within {timeout} s\n{self.tail()}"
            )


class Rig:
    """Redis, workers and beats around the test database, and the fake provider's record."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.record_file = directory / "record.log"
        self.fail_file = directory / "provider-down"
        self.redis_port = bench_rig.free_port()
        self.broker_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.processes: list[Process] = []
        self.redis: Process | None = None
        self.worker: Process | None = None
        self.counter = Counter()
        env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
        env.update(
            DJANGO_SETTINGS_MODULE="peersupport.settings",
            PYTHONPATH=str(ROOT),
            DATABASE_URL=bench_rig.database_url(connection.settings_dict),
            CELERY_BROKER_URL=self.broker_url,
            CELERY_TASK_ALWAYS_EAGER="false",
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="localhost",
            SECURE_SSL_REDIRECT="false",
            RUN_DIR=str(directory / "run"),
            OUTBOX_RECORD_FILE=str(self.record_file),
            OUTBOX_RECORD_FAIL_FILE=str(self.fail_file),
            OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS),
            # The settings refuse a lease shorter than twice the providers' timeouts.
            EMAIL_TIMEOUT="2",
            NOTIFY_TIMEOUT="2",
            OUTBOX_RETRY_BASE_SECONDS="1",
            OUTBOX_SWEEP_SECONDS=str(SWEEP_SECONDS),
        )
        self.env = env

    # -- processes -------------------------------------------------------------------------

    def _start(self, name: str, argv: list[str]) -> Process:
        self.counter[name] += 1
        name = f"{name}-{self.counter[name]}"
        process = Process(name, argv, self.env, self.directory, cwd=self.directory)
        self.processes.append(process)
        return process

    def start_redis(self) -> None:
        self.redis = self._start(
            "redis",
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
        )
        self.wait_until(self._redis_answers, 10, "redis-server to answer")

    def _redis_answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill_redis(self) -> None:
        self.redis.kill()
        # kombu keeps producer connections in pools shared by every app with the same broker
        # URL; this process's own would still point at the dead server.
        pools.reset()

    def start_worker(self) -> Process:
        number = self.counter["worker"] + 1
        self.worker = self._start("worker", bench_rig.worker_argv(f"faults{number}@%h", 2))
        self.wait_until(self._worker_answers, 30, f"{self.worker.name} to answer a ping")
        self.wait_until(lambda: len(self.pool()) == 2, 10, f"{self.worker.name}'s pool")
        return self.worker

    def _worker_answers(self) -> bool:
        assert self.worker.running(), self.worker.tail()
        with self.celery() as app:
            return bool(app.control.ping(destination=[self.worker_hostname()], timeout=0.5))

    def worker_hostname(self) -> str:
        return f"faults{self.counter['worker']}@{socket.gethostname()}"

    def pool(self) -> list[int]:
        return bench_rig.children_of(self.worker.pid)

    def start_beat(self) -> Process:
        number = self.counter["beat"] + 1
        return self._start("beat", bench_rig.beat_argv(self.directory, f"beat-{number}"))

    def stop_all(self, gracefully: bool = False) -> None:
        """Beats first, then workers, then redis; with `gracefully`, running tasks finish."""
        order = ("beat", "worker", "redis")
        for process in sorted(self.processes, key=lambda p: order.index(p.name.split("-")[0])):
            if gracefully:
                process.stop()
                continue
            # Teardown must reach every process, whatever one of them does.
            with contextlib.suppress(Exception):
                process.kill()

    def logs(self) -> str:
        return "\n".join(p.tail() for p in self.processes if p.name.startswith(("worker", "beat")))

    # -- the broker, the outbox and the record ---------------------------------------------

    def celery(self):
        """A Celery app of this test's own, talking to this rig's redis."""
        return Celery("faults", broker=self.broker_url, set_as_current=False)

    def publish(self, ids) -> None:
        """Queue `send_message` for each id, as `outbox.enqueue` does on commit."""
        with self.celery() as app, app.producer_or_acquire() as producer:
            for message_id in ids:
                app.send_task(
                    "peersupport.tasks.send_message", args=[message_id], producer=producer
                )

    def due_messages(self, prefix: str, count: int) -> list[int]:
        """`count` probes due now on the recording channel, committed at once."""
        now = timezone.now()
        Message.objects.bulk_create(
            Message(kind=KIND, channel="record", due_at=now, idempotency_key=f"{prefix}:{n}")
            for n in range(count)
        )
        return list(
            Message.objects.filter(idempotency_key__startswith=f"{prefix}:").values_list(
                "pk", flat=True
            )
        )

    def calls(self) -> Counter:
        """Provider calls by idempotency key; a line cut short by a kill is not a call."""
        if not self.record_file.exists():
            return Counter()
        text = self.record_file.read_text()
        return Counter(line for line in text.split("\n")[:-1] if line)

    def call_count(self) -> int:
        if not self.record_file.exists():
            return 0
        with open(self.record_file, "rb") as record:
            return record.read().count(b"\n")

    def sending(self) -> int:
        return Message.objects.filter(status=MessageStatus.SENDING).count()

    def unfinished(self) -> int:
        return Message.objects.filter(status__in=UNFINISHED).count()

    def wait_until(self, predicate, timeout: float, what: str, interval: float = 0.05):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"Waited {timeout} s for {what}.\n{self.logs()}")
            time.sleep(interval)

    def wait_for_calls(self, at_least: int, timeout: float = 30) -> int:
        """Return as soon as the provider has had `at_least` calls: a kill lands mid-batch."""
        return self.wait_until(
            lambda: (count := self.call_count()) >= at_least and count,
            timeout,
            f"{at_least} provider calls",
            interval=0.001,
        )

    def drain(self, timeout: float = 60) -> None:
        self.wait_until(lambda: self.unfinished() == 0, timeout, "every message to be sent", 0.2)


@pytest.fixture(autouse=True)
def _own_broker_only(monkeypatch):
    """Celery lets the CELERY_BROKER_URL environment variable override the broker an app is
    given, so CI's shared broker would take the rig's own apps elsewhere: drop it here (the
    workers get their own environment anyway)."""
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)


@pytest.fixture
def rig(tmp_path, transactional_db):
    if connection.vendor != "postgresql":
        skip_or_fail("the fault tests need PostgreSQL: set DATABASE_URL=postgres://...")
    if not (shutil.which("redis-server") or Path("/usr/bin/redis-server").exists()):
        skip_or_fail("the fault tests need redis-server (Debian package redis-server)")
    rig = Rig(tmp_path)
    try:
        yield rig
    finally:
        # Every process dies before pytest-django empties the database they are using.
        rig.stop_all()
