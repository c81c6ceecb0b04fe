"""Time the team's review pages as the demo team user: median and 95th percentile, and queries.

Run after `seed_demo --scale N` to see how the pages cope with many reviews. It reads only,
apart from the login's session and its audit event.
"""

import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.http.request import validate_host
from django.test import Client
from django.test.utils import CaptureQueriesContext

from incidents.models import Review
from peersupport.demo.bench import percentile
from peersupport.models import User

PAGES = [
    ("Review list, first page", "/reviews/"),
    ("Review list, search", "/reviews/?q=LR"),
    ("Review list, overdue", "/reviews/?overdue=on"),
    ("Work queue", "/team/"),
]


class Command(BaseCommand):
    help = (
        "Time the review list, search, overdue filter and work queue as the demo team user "
        "(median and 95th percentile ms, SQL queries per page). Run seed_demo first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20, help="Requests per page (default 20).")
        parser.add_argument(
            "--user", default="team@example.org", help="The team user to log in as."
        )

    def handle(self, *args, runs=20, user="team@example.org", **options):
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        try:
            team_user = User.objects.get(email=user)
        except User.DoesNotExist:
            raise CommandError(f"No user {user}: run `manage.py seed_demo` first.") from None

        client = Client(HTTP_HOST=self._host(), raise_request_exception=False)
        client.force_login(team_user)
        secure = settings.SECURE_SSL_REDIRECT
        visible = Review.objects.visible_to(team_user).count()
        self.stdout.write(
            f"{Review.objects.count()} reviews in the database, {visible} visible to {user}; "
            f"{runs} runs per page on {connection.vendor}."
        )
        self.stdout.write(
            f"{'Page':<26} {'Status':>6} {'Median ms':>10} {'p95 ms':>8} {'Queries':>8}"
        )
        failed = False
        for label, path in PAGES:
            # One request first, counting queries; it also warms caches and connections.
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path, secure=secure)
            # Count now: each later request clears the connection's query log.
            query_count = len(queries)
            if response.status_code != 200:
                failed = True
                self.stdout.write(
                    f"{label:<26} {response.status_code:>6}  {path}: {self._why(response)}"
                )
                continue
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                client.get(path, secure=secure)
                timings.append((time.perf_counter() - started) * 1000)
            self.stdout.write(
                f"{label:<26} {response.status_code:>6} {statistics.median(timings):>10.1f} "
                f"{percentile(timings, 0.95):>8.1f} {query_count:>8}"
            )
        if failed:
            raise CommandError("Some pages did not return 200: see above.")

    def _host(self) -> str:
        for host in ("localhost", "127.0.0.1", "testserver"):
            if validate_host(host, settings.ALLOWED_HOSTS):
                return host
        return settings.ALLOWED_HOSTS[0].lstrip(".")

    @staticmethod
    def _why(response) -> str:
        exc_info = getattr(response, "exc_info", None)
        if exc_info:
            return f"{exc_info[0].__name__}: {exc_info[1]}"
        if response.status_code in (301, 302):
            return f"redirected to {response.get('Location')}"
        return "unexpected response"
