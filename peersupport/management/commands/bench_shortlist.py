"""Time the matching shortlist for one person against many supporters: median, p95, queries.

Everything it creates (an organisation, a review, people, supporters with training, supervision
and offers) is inside one transaction that it rolls back at the end, so it leaves nothing behind.
"""

import random
import secrets
import statistics
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.models import (
    AffectedPerson,
    Category,
    Consent,
    HarmLevel,
    Organisation,
    PersonKind,
    ResponseType,
    Review,
    Service,
)
from peersupport.demo.bench import percentile
from peersupport.demo.supporters import described
from peersupport.models import User
from supporters.matching import shortlist
from supporters.models import (
    Course,
    OfferStatus,
    PeerSupporter,
    Pool,
    SupervisionSession,
    SupporterStatus,
    SupportOffer,
    TrainingRecord,
)

LANGUAGES = ["English", "English, Urdu", "English, Polish", "English, Welsh", "English, Somali"]
GENDERS = ["Woman", "Man", "Female", "Male", "Non-binary", ""]
BACKGROUNDS = ["British Somali", "British Pakistani", "White British", "Irish", "Polish", ""]
EXPERIENCES = [
    "Bereaved by suicide",
    "Lost my mother after a fall in hospital",
    "Went through an inquest",
    "Bereavement after a homicide",
    "Harmed during surgery",
    "",
]
STATUSES = [SupporterStatus.ACTIVE] * 17 + [
    SupporterStatus.PAUSED,
    SupporterStatus.IN_TRAINING,
    SupporterStatus.LEFT,
]
OFFER_STATUSES = [
    OfferStatus.ACTIVE,
    OfferStatus.OFFERED,
    OfferStatus.ACCEPTED,
    OfferStatus.CLOSED,
    OfferStatus.DECLINED,
]


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Time supporters.matching.shortlist() for one person against N supporters (median and "
        "95th percentile ms, SQL queries). Creates its data in a transaction it rolls back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--supporters", type=int, default=300, help="Default 300.")
        parser.add_argument("--runs", type=int, default=20, help="Default 20.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed for the data.")

    def handle(self, *args, supporters=300, runs=20, seed=1, **options):
        if supporters < 1 or runs < 1:
            raise CommandError("--supporters and --runs must be at least 1.")
        try:
            with transaction.atomic():
                started = time.perf_counter()
                person = self._build(supporters, random.Random(seed))
                self._analyze()
                built_ms = (time.perf_counter() - started) * 1000
                self._time(person, supporters, runs, built_ms)
                raise Rollback
        except Rollback:
            pass
        self.stdout.write("Rolled back: nothing was left in the database.")

    def _time(self, person, supporters, runs, built_ms):
        # The first run counts the queries and warms the connection.
        with CaptureQueriesContext(connection) as queries:
            candidates, excluded = shortlist(person)
            for item in [*candidates, *excluded]:
                str(item.supporter)
        query_count = len(queries)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            shortlist(person)
            timings.append((time.perf_counter() - started) * 1000)
        self.stdout.write(
            f"{supporters} supporters on {connection.vendor} (data built in {built_ms:.0f} ms): "
            f"{len(candidates)} shortlisted, {len(excluded)} excluded."
        )
        self.stdout.write(
            f"shortlist() over {runs} runs: median {statistics.median(timings):.1f} ms, "
            f"p95 {percentile(timings, 0.95):.1f} ms, {query_count} queries."
        )
        if candidates:
            top = candidates[0]
            self.stdout.write(f"Top: {top.supporter} ({top.score}): {'; '.join(top.reasons)}")

    def _analyze(self):
        """Refresh the planner's statistics, as autovacuum would on a live database.

        Without them PostgreSQL guesses hundreds of supervision rows per supporter, prices the
        query above jit_above_cost and spends about 30 ms compiling it. ANALYZE runs inside the
        transaction, so its statistics are rolled back with the data.
        """
        models = [
            User,
            PeerSupporter,
            PeerSupporter.organisations.through,
            PeerSupporter.conflicts.through,
            Course,
            TrainingRecord,
            SupervisionSession,
            SupportOffer,
            AffectedPerson,
        ]
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def _build(self, count, rng):
        today = timezone.localdate()
        tag = secrets.token_hex(4)
        organisation = Organisation.objects.create(name=f"Bench NHS Trust {tag}")
        other = Organisation.objects.create(name=f"Bench Health Board {tag}")
        service = Service.objects.create(organisation=organisation, name="Adult inpatients")
        lead = User.objects.create_user(f"bench-lead-{tag}@example.org", first_name="Lee")
        review = Review.objects.create(
            organisation=organisation,
            reference=f"BENCH-{tag}",
            incident_date=today - timedelta(days=20),
            reported_date=today - timedelta(days=18),
            service=service,
            category=Category.DEATH,
            response_type=ResponseType.PSII,
            harm_level=HarmLevel.DEATH,
            lead_investigator=lead,
            summary="Benchmark review.",
        )
        other_review = Review.objects.create(
            organisation=organisation,
            reference=f"BENCH-{tag}-2",
            incident_date=today - timedelta(days=40),
            reported_date=today - timedelta(days=38),
            service=service,
            category=Category.DEATH,
            response_type=ResponseType.PSII,
            harm_level=HarmLevel.DEATH,
            lead_investigator=lead,
            summary="Another benchmark review.",
        )
        person = AffectedPerson.objects.create(
            review=review,
            organisation=review.organisation,
            kind=PersonKind.FAMILY,
            relationship="Mother",
            bereaved=True,
            full_name="Amina Bench",
            preferred_name="Amina",
            consent_to_contact=Consent.GIVEN,
            consent_to_share=Consent.GIVEN,
            prefers_language="urdu",
            prefers_supporter_gender="woman",
            prefers_shared_background="self",
            prefers_shared_background_own="Somali",
            prefers_lived_experience="bereaved-suicide",
            matching_consent_at=timezone.now(),
        )
        # One at a time: people carry history, which bulk_create would skip.
        others = [
            AffectedPerson.objects.create(
                review=other_review,
                organisation=other_review.organisation,
                kind=PersonKind.FAMILY,
                full_name=f"Other Person {n}",
                consent_to_contact=Consent.GIVEN,
            )
            for n in range(max(10, count // 10))
        ]

        users = User.objects.bulk_create(
            User(
                email=f"bench-{tag}-{n}@example.org",
                first_name=f"Peer{n:04d}",
                last_name="Bench",
                password="!",  # unusable
            )
            for n in range(count)
        )
        review.team_members.add(users[0])
        peers = PeerSupporter.objects.bulk_create(
            PeerSupporter(
                user=user,
                pool=Pool.STAFF if rng.random() < 0.2 else Pool.LIVED_EXPERIENCE,
                home_organisation=organisation if rng.random() < 0.5 else None,
                staff_team=rng.choice(["Ward 7", "ED", "Maternity", ""]),
                languages=rng.choice(LANGUAGES),
                **described(rng.choice(GENDERS), rng.choice(BACKGROUNDS)),
                experience=rng.choice(EXPERIENCES),
                capacity=rng.choice([2, 3, 4]),
                status=rng.choice(STATUSES),
            )
            for user in users
        )
        serve = PeerSupporter.organisations.through
        serve.objects.bulk_create(
            serve(peersupporter=peer, organisation=organisation if rng.random() < 0.9 else other)
            for peer in peers
        )
        conflict = PeerSupporter.conflicts.through
        conflict.objects.bulk_create(
            conflict(peersupporter=peer, review=review if rng.random() < 0.3 else other_review)
            for peer in peers
            if rng.random() < 0.15
        )

        # Its own courses, three mandatory, and any mandatory course already in the database.
        courses = [
            Course.objects.create(name=f"Bench course {n} {tag}", mandatory=n < 3) for n in range(4)
        ]
        courses += Course.objects.filter(mandatory=True).exclude(pk__in=[c.pk for c in courses])
        records, sessions, offers = [], [], []
        for peer in peers:
            for course in courses:
                old = today - timedelta(days=rng.randint(400, 800))
                records.append(
                    TrainingRecord(
                        supporter=peer,
                        course=course,
                        completed_on=old,
                        expires_on=old + timedelta(days=365),
                    )
                )
                if rng.random() < 0.95:
                    done = today - timedelta(days=rng.randint(0, 300))
                    records.append(
                        TrainingRecord(
                            supporter=peer,
                            course=course,
                            completed_on=done,
                            expires_on=done + timedelta(days=365),
                        )
                    )
            last = rng.randint(0, 70)
            for n in range(6):
                sessions.append(
                    SupervisionSession(
                        supporter=peer,
                        supervisor=lead,
                        held_on=today - timedelta(days=last + 42 * n),
                    )
                )
            for _ in range(rng.randint(0, 4)):
                offers.append(
                    SupportOffer(
                        person=rng.choice(others),
                        supporter=peer,
                        status=rng.choice(OFFER_STATUSES),
                    )
                )
        TrainingRecord.objects.bulk_create(records)
        SupervisionSession.objects.bulk_create(sessions)
        SupportOffer.objects.bulk_create(offers)
        return person
