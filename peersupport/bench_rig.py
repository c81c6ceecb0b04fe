"""Real processes around the outbox for its benchmark (`manage.py bench_outbox`) and its fault
tests (tests/faults): an SMTP server that counts what it receives, and Celery workers and beat
schedulers started as subprocesses, each in a session of its own so it can be stopped whole.

Development and test only: the SMTP server is aiosmtpd, a dev dependency, imported when used.
"""

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from email.parser import BytesHeaderParser
from pathlib import Path
from urllib.parse import quote

CELERY = Path(sys.executable).parent / "celery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict) -> str:
    """A DATABASE_URL naming the database this process is using (in tests, the test database),
    for the subprocesses to use the same one."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict["USER"] or "")
    password = quote(settings_dict["PASSWORD"] or "")
    auth = f"{user}:{password}@" if password else f"{user}@"
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat from the state field on: the command name before it may hold spaces
    or brackets, so the fields start after the last ')'."""
    return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()


def children_of(pid: int) -> list[int]:
    """The direct children of a process (a Celery worker's pool processes), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int(_stat_fields(int(entry.name))[1]) == pid:
                found.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by a process and its live children (user and system)."""
    ticks = 0
    for each in (pid, *children_of(pid)):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = _stat_fields(each)
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


class SMTPSink:
    """A local SMTP server on a spare port that accepts every message and keeps, for each, its
    Message-ID and when it arrived. Used as a context manager."""

    def __init__(self):
        self.port = free_port()
        self.received: list[tuple[str, float]] = []
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        headers = BytesHeaderParser().parsebytes(envelope.original_content or b"")
        with self._lock:
            self.received.append((headers.get("Message-ID", ""), time.time()))
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self._lock:
            return len(self.received)

    def arrivals(self) -> dict[str, float]:
        """When each Message-ID first arrived."""
        with self._lock:
            first = {}
            for message_id, at in self.received:
                first.setdefault(message_id, at)
            return first

    def __enter__(self):
        from aiosmtpd.controller import Controller

        # aiosmtpd logs every SMTP command at INFO: thousands of lines per run.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def __exit__(self, *exc):
        self._controller.stop()


class Process:
    """One subprocess in a session of its own, its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict, directory: Path, cwd: Path):
        self.name = name
        self.log_path = directory / f"{name}.log"
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(  # noqa: S603 (our own argv, no shell)
                argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group: a worker and its pool die at once, mid-task."""
        if self.running():
            os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, timeout: float = 30) -> bool:
        """SIGTERM (Celery's warm shutdown, running tasks finish); False if it had to be killed."""
        stopped = True
        if self.running():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                stopped = False
        # Anything the process left behind (a pool process) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)
        return stopped

    def tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return f"--- {self.name} ---\n" + "\n".join(text.splitlines()[-lines:])


def worker_argv(hostname: str, concurrency: int = 0) -> list[str]:
    """A Celery worker; with concurrency 0, Celery's default (one pool process per CPU)."""
    return [
        str(CELERY),
        "-A",
        "peersupport",
        "worker",
        *([f"--concurrency={concurrency}"] if concurrency else []),
        "--loglevel=WARNING",
        f"--hostname={hostname}",
        "--without-mingle",
        "--without-gossip",
    ]


def beat_argv(directory: Path, name: str) -> list[str]:
    return [
        str(CELERY),
        "-A",
        "peersupport",
        "beat",
        "--loglevel=WARNING",
        "--schedule",
        str(directory / f"{name}-schedule"),
        "--pidfile",
        str(directory / f"{name}.pid"),
    ]
