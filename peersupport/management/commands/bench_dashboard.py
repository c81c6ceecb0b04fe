"""Time the measures dashboard against the login page, in the same run: median and 95th
percentile milliseconds, and SQL queries per request.

Run after `seed_demo --scale N`. The login page is the yardstick: it does almost nothing, so
the gap between the two is the dashboard's own work. The dashboard is timed twice: counting
every figure afresh ("cold", its cache switched off), and as it usually answers, from the
figures counted in the last few minutes ("warm"). It reads only, apart from the session.
"""

import statistics
import time
from contextlib import contextmanager
from unittest import mock

from django.conf import settings
from django.core.cache.backends.dummy import DummyCache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.http.request import validate_host
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.models import AffectedPerson
from peersupport.dashboard import queries as measure_queries
from peersupport.demo.bench import percentile
from peersupport.models import User
from supporters.models import Contact


@contextmanager
def no_cache():
    with mock.patch.object(measure_queries, "cache", DummyCache("bench", {})):
        yield


@contextmanager
def as_usual():
    yield


class Command(BaseCommand):
    help = (
        "Time the measures dashboard (as the demo manager) next to the login page: median and "
        "95th percentile ms and SQL queries per request. Run seed_demo first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20, help="Requests per page (default 20).")
        parser.add_argument(
            "--user", default="manager@example.org", help="Who opens the dashboard."
        )
        parser.add_argument(
            "--query",
            default="",
            help='Filters for the dashboard, as in its URL (for example "period=24&group=staff").',
        )

    def handle(self, *args, runs=20, user="manager@example.org", query="", **options):
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        try:
            viewer = User.objects.get(email=user)
        except User.DoesNotExist:
            raise CommandError(f"No user {user}: run `manage.py seed_demo` first.") from None
        host = self._host()
        secure = settings.SECURE_SSL_REDIRECT
        dashboard = reverse("dashboard") + (f"?{query}" if query else "")
        login_client, dashboard_client = Client(HTTP_HOST=host), Client(HTTP_HOST=host)
        dashboard_client.force_login(viewer)
        pages = [
            ("Login page (anonymous)", reverse("account_login"), login_client, as_usual),
            ("Dashboard, cold", dashboard, dashboard_client, no_cache),
            ("Dashboard, warm", dashboard, dashboard_client, as_usual),
        ]
        self.stdout.write(
            f"{AffectedPerson.objects.count()} people affected, {Contact.objects.count()} "
            f"contacts; {runs} runs per page on {connection.vendor}, as {user} for the dashboard."
        )
        self.stdout.write(
            f"{'Page':<26} {'Status':>6} {'Median ms':>10} {'p95 ms':>8} {'Queries':>8}"
        )
        medians = {}
        for label, path, client, caching in pages:
            with caching():
                # A request to warm connections (and, when warm, the cache), then one counting
                # the queries.
                client.get(path, secure=secure)
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(path, secure=secure)
                query_count = len(queries)
                if response.status_code != 200:
                    raise CommandError(f"{label} answered {response.status_code} at {path}.")
                timings = []
                for _ in range(runs):
                    started = time.perf_counter()
                    client.get(path, secure=secure)
                    timings.append((time.perf_counter() - started) * 1000)
            medians[label] = statistics.median(timings)
            self.stdout.write(
                f"{label:<26} {response.status_code:>6} {medians[label]:>10.1f} "
                f"{percentile(timings, 0.95):>8.1f} {query_count:>8}"
            )
        login = medians["Login page (anonymous)"]
        cold, warm = medians["Dashboard, cold"], medians["Dashboard, warm"]
        self.stdout.write(
            f"Median: login page {login:.0f} ms; dashboard {cold:.0f} ms cold "
            f"({cold / login:.1f} x the login page), {warm:.0f} ms warm ({warm / login:.1f} x). "
            "The goal is under 1000 ms."
        )

    def _host(self) -> str:
        for host in ("localhost", "127.0.0.1", "testserver"):
            if validate_host(host, settings.ALLOWED_HOSTS):
                return host
        return settings.ALLOWED_HOSTS[0].lstrip(".")
