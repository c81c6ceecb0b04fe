"""Time the pages people use, over HTTP, against gunicorn with DEBUG off, as ratios to the
login page measured in the same run: one table of page, median ms, ratio, queries and size.

Seeds first when the database holds fewer than --scale generated reviews (`seed_demo --scale`),
or reuses what is there. Each role logs in over HTTP with its password and an authenticator
code (MFA on, as in production). Run it on PostgreSQL: `make bench SCALE=10000`.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from incidents.models import AffectedPerson, Review
from incidents.selectors import people_waiting_for_a_supporter
from peersupport.dashboard.models import MonthlyFigures
from peersupport.dashboard.recount import rebuild_figures
from peersupport.demo.accounts import demo_users
from peersupport.demo.bench_http import Browser, give_authenticator, load, time_page

ROLES = {
    "team": "team@example.org",
    "manager": "manager@example.org",
    "supporter": "supporter@example.org",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pages_for(users: dict) -> list[tuple[str, str, str]]:
    """(role, label, path) for every page timed: the busiest a role opens in a day."""
    team = users[ROLES["team"]]
    review = Review.objects.visible_to(team).order_by("-pk").first()
    person = AffectedPerson.objects.visible_to(team).filter(review=review).order_by("pk").first()
    waiting = people_waiting_for_a_supporter(team).first()
    pages = [
        ("team", "Work queue", "/team/"),
        ("team", "Review list, first page", "/reviews/"),
        ("team", "Review list, search", "/reviews/?q=LR"),
        ("manager", "Dashboard summary", "/dashboard/summary/"),
        ("manager", "Dashboard", "/dashboard/"),
        ("supporter", "My people", "/my-people/"),
    ]
    if review:
        pages.append(("team", "Review detail", f"/reviews/{review.pk}/"))
    if person:
        pages.append(("team", "Person detail", f"/people/{person.pk}/"))
    if waiting:
        pages.append(("team", "Shortlist", f"/people/{waiting.pk}/match/"))
    return pages


class Command(BaseCommand):
    help = (
        "Time the busiest pages of each role over HTTP against gunicorn (DEBUG off, MFA on), "
        "as ratios to the login page in the same run: median ms, ratio, SQL queries, bytes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="Seed until the database holds at least this many reviews (seed_demo --scale).",
        )
        parser.add_argument("--runs", type=int, default=20, help="Requests per page (default 20).")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2).")
        parser.add_argument(
            "--load",
            dest="connections",
            type=int,
            default=0,
            help="Then put this many concurrent connections on the work queue and the review "
            "list (0: no load test).",
        )
        parser.add_argument(
            "--seconds", type=float, default=20, help="How long each load test lasts (default 20)."
        )

    def handle(self, *args, scale=0, runs=20, workers=2, connections=0, seconds=20, **options):
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        if connection.vendor != "postgresql":
            self.stderr.write("Warning: not PostgreSQL; figures will not match production.")
        have = Review.objects.count()
        if have < scale:
            started = time.monotonic()
            call_command("seed_demo", scale=scale - have, force=True, stdout=self.stdout)
            self.stdout.write(
                f"Seeded {scale - have} reviews in {time.monotonic() - started:.0f} s."
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, as autovacuum keeps them live
        if not MonthlyFigures.objects.exists():  # as the refresh and nightly jobs keep them
            started = time.monotonic()
            counted = rebuild_figures()
            self.stdout.write(
                f"Counted {counted} query-months of dashboard figures in "
                f"{time.monotonic() - started:.0f} s."
            )
        users = demo_users()
        missing = [email for email in ROLES.values() if email not in users]
        if missing:
            raise CommandError(f"No demo users {missing}: run `manage.py seed_demo` first.")
        password = os.environ.get("DEMO_PASSWORD")
        if not password:
            raise CommandError("Set DEMO_PASSWORD to the demo logins' password.")
        secrets = {email: give_authenticator(users[email]) for email in ROLES.values()}
        pages = pages_for(users)

        call_command("collectstatic", interactive=False, verbosity=0)  # served as in production
        port = _free_port()
        server = self._serve(port, workers)
        try:
            base = f"http://127.0.0.1:{port}"
            anonymous = Browser(base)
            browsers = {}
            for role, email in ROLES.items():
                browsers[role] = Browser(base)
                browsers[role].log_in(email, password, secrets[email])
            timings = [
                time_page(browsers[role], anonymous, label, path, runs)
                for role, label, path in pages
            ]
            timings.append(  # what suppression publishes counted afresh on every request
                time_page(
                    browsers["manager"],
                    anonymous,
                    "Dashboard summary, empty cache",
                    "/dashboard/summary/",
                    runs,
                    before=cache.clear,
                )
            )
            loads = [
                load(browsers["team"], path, connections, seconds)
                for path in ("/team/", "/reviews/")
                if connections
            ]
        finally:
            server.terminate()
            server.wait(timeout=30)
        self._report(timings, runs, workers)
        for result in loads:
            self.stdout.write(
                f"Load on {result.path}: {result.connections} connections for "
                f"{result.seconds:.0f} s: {len(result.ms)} answers ({result.per_second:.1f}/s), "
                f"{result.errors} errors, median {result.percentile(0.5):.0f} ms, "
                f"p99 {result.percentile(0.99):.0f} ms."
            )

    def _serve(self, port: int, workers: int) -> subprocess.Popen:
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        gunicorn = Path(sys.executable).parent / "gunicorn"
        server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
            [
                str(gunicorn),
                "peersupport.demo.bench_wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return server
            except OSError:
                if server.poll() is not None:
                    raise CommandError("gunicorn exited before it answered.") from None
                time.sleep(0.2)
        server.terminate()
        raise CommandError("gunicorn did not answer within 30 s.")

    def _report(self, timings, runs: int, workers: int) -> None:
        reviews, people = Review.objects.count(), AffectedPerson.objects.count()
        self.stdout.write(
            f"{reviews} reviews, {people} people; {connection.vendor}; gunicorn {workers} "
            f"workers, DEBUG off; medians of {runs} requests, each after one to the login page."
        )
        login = statistics.median(ms for t in timings for ms in t.login_ms)
        self.stdout.write(f"Login page: median {login:.1f} ms")
        header = f"{'page':<28} {'status':>6} {'ms':>9} {'x login':>8} {'queries':>8} {'KB':>7}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for t in timings:
            queries = "?" if t.queries is None else str(t.queries)
            self.stdout.write(
                f"{t.label:<28} {t.status:>6} {t.median:>9.1f} {t.ratio:>7.1f}x "
                f"{queries:>8} {t.size / 1024:>7.1f}"
            )
