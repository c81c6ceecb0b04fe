"""Pages that must not grow with the data: the work queue shows the first rows of each section
with their total, and the service's PostgreSQL connections run without JIT compilation."""

from wsgiref.util import setup_testing_defaults

import pytest
from django.db import connection
from django.urls import reverse

from incidents.selectors import QUEUE_LIMIT
from tests.conftest import skip_or_fail
from tests.factories import AffectedPersonFactory, SupportOfferFactory

PAGE_LIMIT = 150 * 1024


def _waiting(review, count):
    for _ in range(count):
        person = AffectedPersonFactory(review=review, consent_to_contact="given")
        SupportOfferFactory(person=person, supporter=None, status="needs_supporter")


def test_the_work_queue_shows_the_longest_waiting_and_counts_everyone(
    client_for, team_user, review
):
    _waiting(review, QUEUE_LIMIT + 5)
    response = client_for(team_user).get(reverse("incidents:work_queue"))
    page = response.content.decode()
    total = QUEUE_LIMIT + 5
    assert f"{total} people waiting for a supporter" in page
    assert f"Showing the longest waiting {QUEUE_LIMIT} of {total}." in page
    assert len(response.context["waiting"]) == QUEUE_LIMIT
    assert response.context["waiting_total"] == total


def test_the_work_queue_stays_under_150_kb_however_many_are_waiting(client_for, team_user, review):
    _waiting(review, 4 * QUEUE_LIMIT)
    response = client_for(team_user).get(reverse("incidents:work_queue"))
    assert len(response.content) < PAGE_LIMIT
    assert response.context["waiting_total"] == 4 * QUEUE_LIMIT


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL (DATABASE_URL=postgres://...)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.django_db
def test_the_benchmark_server_reports_each_pages_queries(monkeypatch):
    from peersupport.demo import bench_wsgi

    def two_queries(environ, start_response):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.execute("SELECT 2")
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    monkeypatch.setattr(bench_wsgi, "service", two_queries)
    environ = {"PATH_INFO": "/"}
    setup_testing_defaults(environ)
    headers = {}

    def start_response(status, response_headers, exc_info=None):
        headers.update(response_headers)

    assert bench_wsgi.application(environ, start_response) == [b"ok"]
    assert headers["X-Bench-Queries"] == "2"


def test_every_section_of_the_dashboard_stays_under_150_kb_with_more_organisations_and_months(
    client_for, manager_user, review
):
    """The longest span the filters allow (MAX_MONTHS), every month charted, and many
    organisations with their services in the filters: each section still under the limit."""
    from django.core.cache import cache

    from peersupport.dashboard.definitions import MEASURES
    from peersupport.dashboard.filters import Filters
    from peersupport.dashboard.measure import SECTIONS
    from peersupport.dashboard.views import MAX_MONTHS
    from tests.dashboard_data import months_of_support
    from tests.factories import OrganisationFactory, ServiceFactory

    cache.clear()
    months_of_support(review, MAX_MONTHS)
    for _ in range(40):
        organisation = OrganisationFactory()
        for _ in range(3):
            ServiceFactory(organisation=organisation)
    months = Filters.last(MAX_MONTHS)
    client = client_for(manager_user)
    charts = 0
    for section in SECTIONS:
        response = client.get(
            reverse("dashboard"),
            {
                "section": section,
                "period": "custom",
                "from_month": f"{months.first_month:%Y-%m}",
                "to_month": f"{months.last_month:%Y-%m}",
            },
        )
        page = response.content.decode()
        assert response.context["filters"] == months
        shown = [m for m in MEASURES if m.section == section]
        assert page.count('class="app-dashboard__measure"') == len(shown)
        assert '<figure class="app-dashboard__chart' in page, section
        assert len(response.content) < PAGE_LIMIT, (section, len(response.content))
        charts += page.count('<figure class="app-dashboard__chart')
    assert charts >= 14  # everything the data charts: so the pages were weighed with charts


def test_on_a_national_network_the_filters_list_only_the_chosen_organisations_services(
    client_for, manager_user
):
    """1,200 services would weigh more than the page: past SERVICES_LISTED_UP_TO, the service
    list is the chosen organisation's, and a service is chosen after its organisation."""
    from peersupport.dashboard.views import SERVICES_LISTED_UP_TO
    from tests.factories import OrganisationFactory, ServiceFactory

    organisations = [OrganisationFactory() for _ in range(30)]
    for organisation in organisations:
        ServiceFactory.create_batch(40, organisation=organisation)
    assert SERVICES_LISTED_UP_TO < 30 * 40
    client = client_for(manager_user)
    everyone = client.get(reverse("dashboard_summary"))
    assert len(everyone.content) < PAGE_LIMIT
    assert list(everyone.context["form"].fields["service"].queryset) == []
    assert "Choose an organisation first, then its service" in everyone.content.decode()

    first, other = organisations[0], organisations[1]
    chosen = client.get(reverse("dashboard_summary"), {"organisation": first.pk})
    listed = list(chosen.context["form"].fields["service"].queryset)
    assert len(listed) == 40 and {s.organisation_id for s in listed} == {first.pk}
    assert len(chosen.content) < PAGE_LIMIT

    wrong = client.get(
        reverse("dashboard_summary"),
        {"organisation": first.pk, "service": other.services.first().pk},
    )
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["service"]


def test_the_work_queue_total_follows_a_change_at_once(client_for, team_user, review):
    """The totals are cached (incidents.queue_totals) until anything they count changes."""
    _waiting(review, QUEUE_LIMIT + 5)
    client = client_for(team_user)
    assert client.get(reverse("incidents:work_queue")).context["waiting_total"] == QUEUE_LIMIT + 5
    offer = review.people.first().offers.get()
    offer.status = "declined"
    offer.save()
    response = client.get(reverse("incidents:work_queue"))
    assert response.context["waiting_total"] == QUEUE_LIMIT + 4


def test_the_work_queue_totals_of_one_user_are_never_another_users(
    client_for, team_user, make_user, organisation, service
):
    """A restricted review's people count only for those named on it, cached or not."""
    from peersupport.roles import Role
    from tests.factories import ReviewFactory, TeamMemberFactory

    colleague = make_user(Role.TEAM)
    TeamMemberFactory(user=colleague, organisation=organisation)
    restricted = ReviewFactory(
        organisation=organisation, service=service, lead_investigator=team_user, restricted=True
    )
    _waiting(restricted, QUEUE_LIMIT + 2)
    named = client_for(team_user).get(reverse("incidents:work_queue"))
    assert named.context["waiting_total"] == QUEUE_LIMIT + 2
    not_named = client_for(colleague).get(reverse("incidents:work_queue"))
    assert not_named.context["waiting_total"] == 0
    assert not_named.context["waiting"] == []
