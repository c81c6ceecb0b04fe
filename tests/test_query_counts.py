"""The busy pages run the same number of queries however much data there is (ADR 0012).

Each test logs in as the page's reader (with an authenticator, as in production), opens the
page once to warm the caches, counts its queries, then adds several times more of everything
the page reads (reviews, people, offers, contacts, surveys, supporters) and expects exactly the
same count. The count is measured, never written down, so these tests fail only on a query per
row (an N+1), not on an unrelated change to what a page reads.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.models import AvoidDate, Milestone, MilestoneKind
from peersupport.dashboard.definitions import MEASURES
from supporters.models import Contact, OfferStatus
from tests.dashboard_data import months_of_support
from tests.factories import AffectedPersonFactory, ReviewFactory, SupportOfferFactory
from tests.totp import give_authenticator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mfa_required(settings):
    settings.MFA_REQUIRED = True
    cache.clear()
    yield
    cache.clear()


@dataclass
class World:
    review: object
    person: object  # on `review`, supported by `supporter`
    offer: object
    waiting: object  # on `review`, waiting for a supporter: the shortlist's person
    supporter: object
    team_user: object
    make_supporter: object
    grown: int = 0


@pytest.fixture
def world(review, team_user, supporter, make_supporter):
    person = AffectedPersonFactory(review=review, full_name="Margaret Okonjo")
    offer = SupportOfferFactory(person=person, supporter=supporter, status=OfferStatus.ACTIVE)
    waiting = AffectedPersonFactory(review=review, full_name="Joan Whitfield")
    SupportOfferFactory(person=waiting, supporter=None, status=OfferStatus.NEEDS_SUPPORTER)
    world = World(review, person, offer, waiting, supporter, team_user, make_supporter)
    grow(world, 1)
    return world


def grow(world, times):
    """`times` more of everything: months of people offered, supported and surveyed, more
    reviews with milestones, people waiting, supporters, offers, contacts and avoid-dates on
    the pages' own review, person and supporter."""
    months_of_support(world.review, months=times)
    today = date.today()
    for _ in range(times):
        world.grown += 1
        n = world.grown
        other = ReviewFactory(
            organisation=world.review.organisation,
            service=world.review.service,
            lead_investigator=world.team_user,
        )
        for review in (world.review, other):
            Milestone.objects.create(
                review=review, kind=MilestoneKind.FAMILY_INPUT, due_on=today + timedelta(days=2)
            )
        for review in (world.review, other):
            waiting = AffectedPersonFactory(review=review)
            SupportOfferFactory(person=waiting, supporter=None, status=OfferStatus.NEEDS_SUPPORTER)
            supported = AffectedPersonFactory(review=review)
            supported_offer = SupportOfferFactory(
                person=supported, supporter=world.supporter, status=OfferStatus.ACTIVE
            )
            Contact.objects.create(
                offer=supported_offer,
                supporter=world.supporter,
                happened_on=today - timedelta(days=n),
                mode="phone",
                minutes=30,
            )
        world.make_supporter(f"grown.supporter{n}@example.org")
        Contact.objects.create(
            offer=world.offer,
            supporter=world.supporter,
            happened_on=today - timedelta(days=n),
            mode="phone",
            minutes=20,
            note=f"Contact {n}",
        )
        AvoidDate.objects.create(
            person=world.person, date=today + timedelta(days=30 + n), reason="anniversary"
        )


def client_as(client_for, user):
    give_authenticator(user)
    return client_for(user)


def warm_count(client, url) -> int:
    """The page's queries once its caches are warm (the measures' figures counted afresh from
    the data as it is now)."""
    cache.clear()
    assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


def assert_constant(client, url, world, django_assert_num_queries):
    counted = warm_count(client, url)
    grow(world, 4)
    cache.clear()
    assert client.get(url).status_code == 200, url
    with django_assert_num_queries(counted):
        client.get(url)


@pytest.mark.parametrize(
    "page",
    [
        "work_queue",
        "review_list",
        "review_search",
        "review_detail",
        "person_detail",
        "shortlist",
        "survey_results",
    ],
)
def test_the_teams_pages_run_the_same_queries_at_any_size(
    page, world, client_for, django_assert_num_queries
):
    url = {
        "work_queue": reverse("incidents:work_queue"),
        "review_list": reverse("incidents:review_list"),
        "review_search": reverse("incidents:review_list") + "?q=LR",
        "review_detail": reverse("incidents:review_detail", args=[world.review.pk]),
        "person_detail": reverse("incidents:person_detail", args=[world.person.pk]),
        "shortlist": reverse("supporters:match", args=[world.waiting.pk]),
        "survey_results": reverse("feedback:survey_results"),
    }[page]
    client = client_as(client_for, world.team_user)
    assert_constant(client, url, world, django_assert_num_queries)


@pytest.mark.parametrize("page", ["my_people", "my_person"])
def test_a_supporters_own_pages_run_the_same_queries_at_any_size(
    page, world, client_for, django_assert_num_queries
):
    url = {
        "my_people": reverse("supporters:my_people"),
        "my_person": reverse("supporters:my_person", args=[world.offer.pk]),
    }[page]
    client = client_as(client_for, world.supporter.user)
    assert_constant(client, url, world, django_assert_num_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/",
        "/dashboard/?section=outcome&period=24",
        "/dashboard/summary/",
        f"/dashboard/measures/{MEASURES[0].slug}/",
        "/surveys/results/",
    ],
)
def test_the_managers_pages_run_the_same_queries_at_any_size(
    url, world, client_for, manager_user, django_assert_num_queries
):
    client = client_as(client_for, manager_user)
    assert_constant(client, url, world, django_assert_num_queries)
