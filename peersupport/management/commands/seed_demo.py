import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from peersupport.dashboard.models import MonthlyFigures
from peersupport.dashboard.recount import rebuild_figures
from peersupport.demo.accounts import demo_users, seed_users
from peersupport.demo.history import seed_history
from peersupport.demo.incidents import seed_incidents
from peersupport.demo.incidents_data import ENGLAND_ORG, WALES_ORG
from peersupport.demo.incidents_scale import seed_scale
from peersupport.demo.practice import seed_practice, seed_practice_scale
from peersupport.demo.supporters import seed_supporters
from peersupport.demo.supporters_scale import seed_supporter_scale
from peersupport.demo.surveys import seed_survey_scale, seed_surveys


class Command(BaseCommand):
    help = (
        "Load demo data: a login for every role, two organisations (one in Wales), about 27 "
        "realistic reviews with the people affected, peer supporters and support offers in every "
        "status, and 18 months of history (about 400 people) so every measure has points. "
        "Safe to run twice. --scale N adds N more reviews, with supporters and offers, "
        "with bulk inserts, for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off. Never do this on a live service.",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help="Also add N generated reviews (about 3 people and 1 milestone each), 3 peer "
            "supporters for every 100 reviews, and an offer for every person with consent, for "
            "benchmarks. Bulk inserts: no change history, audit events or messages for these.",
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Reviews per bulk insert with --scale."
        )

    def handle(self, *args, force=False, scale=0, batch_size=2000, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo adds demo accounts with a known password, so it refuses to run while "
                "DEBUG is off. Use --force only on a throwaway environment."
            )
        if scale < 0 or batch_size < 1:
            raise CommandError("--scale must be 0 or more and --batch-size at least 1.")
        password = settings.DEMO_PASSWORD
        if not password:
            raise CommandError("Set DEMO_PASSWORD to the password the demo logins should use.")
        started = time.perf_counter()
        with transaction.atomic():
            logins = seed_users(password)
            added = seed_incidents(demo_users())
            support = seed_supporters(password)
            history = seed_history()  # 18 months of people, offers and support
            contacts = seed_practice()
            surveys = seed_surveys()  # 18 months of survey history
        self.stdout.write(
            f"Realistic reviews added: {added[ENGLAND_ORG]} in {ENGLAND_ORG}, "
            f"{added[WALES_ORG]} in {WALES_ORG} (existing ones are left as they are)."
        )
        self.stdout.write(
            f"Peer supporters added: {support.supporters}; people's support stories added: "
            f"{support.stories} (existing ones are left as they are)."
        )
        self.stdout.write(f"People added to 18 months of history: {history}.")
        self.stdout.write(f"Contacts added: {contacts} (with a concern, check-ins and a debrief).")
        self.stdout.write(f"Survey responses added: {surveys} (18 months of history).")
        for skipped in support.skipped:
            self.stderr.write(f"  Story skipped: {skipped}")
        if scale:
            self._scale(scale, batch_size)
            # Bulk inserts mark no stored figure: the old ones go, and each month is counted
            # when first read, or by `manage.py rebuild_figures` (which the nightly job does).
            MonthlyFigures.objects.all().delete()
            self.stdout.write("Dashboard figures: counted when read, or by rebuild_figures.")
        else:
            counting = time.perf_counter()
            counted = rebuild_figures()  # the data went in by bulk inserts, which mark nothing
            self.stdout.write(
                f"Dashboard figures counted: {counted} query-months in "
                f"{time.perf_counter() - counting:.1f}s."
            )
        shown = password if settings.DEBUG else "the DEMO_PASSWORD you set"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {time.perf_counter() - started:.1f}s. "
                f"Demo logins (password: {shown}):"
            )
        )
        for email, role in logins:
            self.stdout.write(f"  {email:<26} {role.label}")

    def _scale(self, count, batch_size):
        width = 30

        def progress(done, total):
            filled = width * done // total
            bar = "#" * filled + "." * (width - filled)
            self.stdout.write(f"\r[{bar}] {done}/{total}", ending="")
            self.stdout.flush()

        started = time.perf_counter()
        result = seed_scale(count, batch_size=batch_size, progress=progress)
        elapsed = time.perf_counter() - started
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Scale run {result.run:04d}: {result.reviews} reviews "
                f"(SC-{result.run:04d}-*), {result.people} people, {result.consents} consent "
                f"records, {result.milestones} milestones, {result.status_changes} status changes "
                f"in {elapsed:.1f}s."
            )
        )
        started = time.perf_counter()
        support = seed_supporter_scale(count, result.run, batch_size=batch_size)
        statuses = ", ".join(
            f"{n} {status.replace('_', ' ')}" for status, n in sorted(support.by_status.items())
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Scale run {result.run:04d}: {support.supporters} peer supporters "
                f"(scale{result.run:04d}.peer*@example.org, no login), {support.offers} offers "
                f"({statuses}), {support.status_changes} offer status changes in "
                f"{time.perf_counter() - started:.1f}s."
            )
        )
        self._analyze()  # the contacts and surveys read back what was just loaded
        started = time.perf_counter()
        contacts = seed_practice_scale(result.run, batch_size=batch_size)
        self.stdout.write(
            self.style.SUCCESS(
                f"Scale run {result.run:04d}: {contacts} contacts in {time.perf_counter() - started:.1f}s."
            )
        )
        surveys = seed_survey_scale(result.run, batch_size=batch_size)
        self.stdout.write(
            self.style.SUCCESS(f"Scale run {result.run:04d}: {surveys} survey responses.")
        )
        self._analyze()

    def _analyze(self):
        """Fresh planner statistics. Autovacuum would get there eventually; the next phase,
        and benchmarks straight after a bulk load, must not use plans made from the
        statistics of an empty database (the survey phase at 100,000 reviews spent 12
        minutes in nested loops chosen that way)."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
