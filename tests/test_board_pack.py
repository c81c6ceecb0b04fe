"""The board pack (issue 20): a one-page summary, a page for each measure, the pack to print,
and for leadership the figures a business case needs, all from the published figures."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from peersupport.dashboard.charts import chart_for
from peersupport.dashboard.definitions import MEASURES
from peersupport.dashboard.figures import build
from peersupport.dashboard.filters import Filters, add_months, this_month
from peersupport.dashboard.leadership import BUSINESS_CASE, business_case
from peersupport.models import ChartEvent, ChartEventKind
from supporters.models import Contact
from tests.dashboard_data import months_of_support
from tests.factories import AffectedPersonFactory, SupportOfferFactory

SUMMARY_LIMIT = 150_000


@pytest.fixture
def figures(db, review):
    cache.clear()
    months_of_support(review)
    return review


def _get(client, name, *args, **params):
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_summary_shows_every_measure_on_one_small_page(figures, client_for, manager_user):
    page = _get(client_for(manager_user), "dashboard_summary")
    assert len(page.encode()) < SUMMARY_LIMIT
    for measure in MEASURES:
        assert measure.name in page, measure.slug
        assert reverse("dashboard_measure", args=[measure.slug]) in page, measure.slug
    # The Making Data Count icons as SVG, with their text beside them.
    assert 'aria-label="Common cause variation"' in page
    assert "Common cause variation</span>" in page
    assert "Target" in page and ">100.0%<" in page  # the headline's target
    assert "Mean" in page
    assert "no one is named" in page  # the suppression note, on screen and on paper
    assert "css/pack.css" in page


def test_the_summary_keeps_the_filters_in_its_links(figures, client_for, manager_user):
    page = _get(client_for(manager_user), "dashboard_summary", period="24", group="staff")
    assert "Staff" in page
    link = reverse("dashboard_measure", args=["contacts"]) + "?period=24&amp;group=staff"
    assert link in page


def test_a_measure_page_has_its_chart_with_axis_titles_its_table_and_definition(
    figures, client_for, manager_user
):
    page = _get(client_for(manager_user), "dashboard_measure", "contacts")
    measure = next(m for m in MEASURES if m.slug == "contacts")
    assert f'<h1 class="nhsuk-heading-l">{measure.name}</h1>' in page
    assert 'class="app-dashboard__axis-title"' in page
    assert ">Month</text>" in page and ">Number in the month</text>" in page
    assert page.count('role="rowheader"') == 12
    for text in (measure.numerator, measure.exclusions, measure.source):
        assert escape(text) in page


def test_an_unknown_measure_is_not_found(db, client_for, manager_user):
    response = client_for(manager_user).get(reverse("dashboard_measure", args=["nothing"]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_every_chart_has_axis_titles(figures):
    for series in build(Filters.last(12)):
        chart = chart_for(series) if series.applicable else None
        if chart is None:
            continue
        assert chart.x_title == "Month"
        assert chart.y_title, series.measure.slug
        svg = render_to_string(
            "peersupport/_dashboard_chart.html", {"chart": chart, "measure": series.measure}
        )
        assert f">{chart.y_title}</text>" in svg and ">Month</text>" in svg


@pytest.mark.django_db
def test_months_still_filling_up_are_marked_on_the_chart_and_in_the_table(
    figures, client_for, manager_user
):
    filters = Filters(add_months(this_month(), -11), this_month())
    offered = next(s for s in build(filters) if s.measure.slug == "offered")
    assert offered.months[-1].provisional
    chart = chart_for(offered)
    assert chart.provisional is not None
    assert "Provisional, still filling up" in chart.description
    contacts = next(s for s in build(filters) if s.measure.slug == "contacts")
    assert chart_for(contacts).provisional is None  # not a cohort: never provisional
    month = f"{this_month():%Y-%m}"
    first = f"{add_months(this_month(), -11):%Y-%m}"
    page = _get(
        client_for(manager_user),
        "dashboard_measure",
        "offered",
        period="custom",
        from_month=first,
        to_month=month,
    )
    assert ">Provisional</text>" in page
    mark = '<span class="app-dashboard__provisional-mark">(provisional)</span>'
    assert f"{this_month():%b %Y} {mark}" in page


def test_rebases_and_notes_are_marked_on_a_measure_page(figures, client_for, manager_user):
    month = add_months(this_month(), -4)
    ChartEvent.objects.create(
        measure="contacts", on=month, kind=ChartEventKind.REBASE, reason="New triage"
    )
    ChartEvent.objects.create(
        measure="contacts", on=month, kind=ChartEventKind.ANNOTATION, reason="Short-staffed"
    )
    page = _get(client_for(manager_user), "dashboard_measure", "contacts")
    assert "app-dashboard__event--rebase" in page and "app-dashboard__event--annotation" in page
    assert "New triage" in page and "Short-staffed" in page


def test_the_pack_has_the_summary_every_measure_the_definitions_and_how_to_read(
    figures, client_for, manager_user
):
    page = _get(client_for(manager_user), "dashboard_pack")
    order = [page.index('id="pack-summary"')]
    order += [page.index(f'id="pack-{measure.slug}"') for measure in MEASURES]
    order += [page.index('id="pack-definitions"'), page.index('id="pack-how-to-read"')]
    assert order == sorted(order)
    definitions = page[page.index('id="pack-definitions"') :]
    for measure in MEASURES:
        for text in (measure.numerator, measure.denominator, measure.exclusions, measure.source):
            assert escape(text) in definitions, measure.slug
    assert "app-pack__running" in page  # the running header
    assert "For a business case" not in page  # only when asked for


def test_the_business_case_is_in_the_pack_when_asked_for(figures, client_for, manager_user):
    page = _get(client_for(manager_user), "dashboard_pack", leadership="on")
    assert "For a business case" in page
    for *_, heading in BUSINESS_CASE:
        assert heading in page
    # A wrong month is explained; the business case stays in.
    wrong = _get(client_for(manager_user), "dashboard_pack", leadership="on", period="custom")
    assert "Choose the first month" in wrong and "For a business case" in wrong


@pytest.mark.django_db
def test_the_business_case_shows_only_published_figures(figures):
    """Twelve people supported last month (rounded: 10); one supporter (withheld); no one
    moved on to specialist support (a true 0). Never the raw count."""
    filters = Filters.last(12)
    last = filters.last_month
    when = timezone.now().replace(year=last.year, month=last.month, day=20)
    for _ in range(2):
        offer = SupportOfferFactory(person=AffectedPersonFactory(review=figures), created_at=when)
        Contact.objects.create(
            offer=offer,
            supporter=offer.supporter,
            happened_on=last + timedelta(days=21),
            mode="phone",
            minutes=30,
        )
    cache.clear()
    built = build(filters)
    case = business_case(built)
    assert [month for month, _ in case.rows][-1] == f"{last:%B %Y}"
    latest = dict(case.rows[-1][1])
    assert latest["People supported"] == "10"
    assert latest["Supporters trained and active"] == "withheld"
    assert latest["Supervision kept up"] == "withheld"
    assert latest["Specialist referrals"] == "0"
    # Each figure is the published one, cell for cell.
    by_slug = {s.measure.slug: s for s in built}
    for index, (_, cells) in enumerate(case.rows):
        published = dict(cells)
        for slug, which, heading in BUSINESS_CASE:
            figures_ = by_slug[slug].months[index]
            if which != "value":
                assert published[heading] == getattr(figures_, which).text
