"""SPC on the dashboard (issue 16, finding 7): gaps stay gaps in the series and the chart,
rebases and notes recorded by an administrator are read afresh (never from the cache), and the
Making Data Count icons are accessible SVG."""

from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse

from peersupport.admin_wall import WallAdmin
from peersupport.dashboard.admin import ChartEventForm
from peersupport.dashboard.cells import Counts
from peersupport.dashboard.charts import Icon, chart_for, icon_for
from peersupport.dashboard.definitions import BY_SLUG
from peersupport.dashboard.figures import _series, build, cell_for
from peersupport.dashboard.filters import Filters
from peersupport.dashboard.spc import Assurance, Variation
from peersupport.dashboard.views import _view
from peersupport.models import AuditEvent, ChartEvent, ChartEventKind
from peersupport.roles import Role
from supporters.models import Contact
from tests.factories import SupportOfferFactory

CONTACTS = BY_SLUG["contacts"]
FILTERS = Filters(date(2024, 1, 1), date(2025, 12, 1))


def _contacts(values):
    key = cell_for(CONTACTS, FILTERS)
    name = CONTACTS.names[0]
    published = {(name, m, key): v for m, v in zip(FILTERS.months, values, strict=True)}
    return _series(CONTACTS, FILTERS, Counts(cells={}), published)


def test_a_withheld_month_stays_a_gap_in_the_series_and_the_chart():
    values = [20, 25, 30, 20, 25, None, 30, 20, 25, 30, 20, 25] * 2
    series = _contacts(values)
    assert series.months[5].value is None and series.months[5].point is None
    assert series.chart.series[5] is None
    # 24 months, 2 withheld: 22 values; 2 gaps take 4 moving ranges away from 23.
    assert len(series.chart.values) == 22
    assert len(series.chart.moving_ranges) == 19
    chart = chart_for(series)
    xs = [float(point["x"]) for point in chart.points]
    # No line segment is drawn across a gap.
    for segment in chart.segments:
        start, end = float(segment["x1"]), float(segment["x2"])
        assert not (start < xs[5] - 1 < end)
    assert len(chart.segments) == 22 - 3


@pytest.mark.django_db
def test_a_new_rebase_shows_at_once_though_the_counts_are_cached():
    filters = Filters.last(24)
    first = build(filters, [CONTACTS])[0]
    assert len(first.chart.segments) == 1
    ChartEvent.objects.create(
        measure=CONTACTS.slug,
        on=filters.months[7].replace(day=10),
        kind=ChartEventKind.REBASE,
        reason="The service launched",
    )
    ChartEvent.objects.create(
        measure=CONTACTS.slug,
        on=filters.months[12],
        kind=ChartEventKind.ANNOTATION,
        reason="New referral form",
    )
    again = build(filters, [CONTACTS])[0]
    assert [(s.start, s.stop) for s in again.chart.segments] == [(0, 7), (7, 24)]
    chart = chart_for(again)
    assert [event["label"] for event in chart.events] == ["Rebase", "Note 2"]
    assert "The service launched" in chart.description
    html = render_to_string(
        "peersupport/_dashboard_chart.html", {"chart": chart, "measure": CONTACTS}
    )
    assert "Rebase (limits worked out again from here)" in html
    assert "New referral form" in html


class _WithCeiling:
    def __init__(self, measure, ceiling):
        self._measure, self.ceiling = measure, ceiling

    def __getattr__(self, name):
        return getattr(self._measure, name)


def test_a_ceiling_is_drawn_as_a_capacity_line():
    series = _contacts([20, 25, 30, 20, 25, 22, 30, 20, 25, 30, 20, 25] * 2)
    series.measure = _WithCeiling(CONTACTS, 100)
    chart = chart_for(series)
    assert [line["label"] for line in chart.lines if line["kind"] == "ceiling"] == ["Capacity"]
    html = render_to_string(
        "peersupport/_dashboard_chart.html", {"chart": chart, "measure": CONTACTS}
    )
    assert ">Capacity</text>" in html


def test_the_admin_chooses_the_measure_from_the_definitions():
    choices = dict(ChartEventForm().fields["measure"].choices)
    assert choices[CONTACTS.slug] == CONTACTS.name
    form = ChartEventForm(data={"measure": "nonsense", "on": "2025-01-01", "kind": "rebase"})
    assert not form.is_valid()
    assert "measure" in form.errors and "reason" in form.errors


@pytest.mark.parametrize(
    ("verdict", "shape", "drawn"),
    [
        (Variation.COMMON_CAUSE, "common", 'fill="#4c6272"'),
        (Variation.IMPROVEMENT_HIGH, "high", ">H</text>"),
        (Variation.IMPROVEMENT_LOW, "low", ">L</text>"),
        (Variation.CONCERN_HIGH, "high", ">H</text>"),
        (Variation.CONCERN_LOW, "low", ">L</text>"),
        (Variation.NEUTRAL_HIGH, "high", ">H</text>"),
        (Variation.NEUTRAL_LOW, "low", ">L</text>"),
        (Assurance.PASS, "pass", ">P</text>"),
        (Assurance.FAIL, "fail", ">F</text>"),
        (Assurance.INCONSISTENT, "inconsistent", ">?</text>"),
    ],
)
def test_making_data_count_icons_are_accessible_svg(verdict, shape, drawn):
    icon = icon_for(verdict)
    assert icon == Icon(shape, icon.colour, verdict.label)
    html = render_to_string("peersupport/_dashboard_icon.html", {"icon": icon})
    assert 'role="img"' in html
    assert f'aria-label="{verdict.label}"' in html and f"<title>{verdict.label}</title>" in html
    assert "aria-hidden" not in html
    assert drawn in html
    assert f'stroke="{icon.colour}"' in html  # the ring in the verdict's colour


def test_an_icon_is_drawn_from_its_shape_not_its_colour_and_letter():
    improvement, concern = icon_for(Variation.IMPROVEMENT_HIGH), icon_for(Variation.CONCERN_HIGH)
    assert improvement.shape == concern.shape == "high"
    assert improvement.colour == "#005eb8" and concern.colour == "#b35900"
    assert icon_for(None) is None


# No limits, no icons: and the page says why ----------------------------------------------------

OFFERED = BY_SLUG["offered"]


def _share(measure, pairs):
    key = cell_for(measure, FILTERS)
    numerator, denominator = measure.names
    published = {}
    for month, (top, bottom) in zip(FILTERS.months, pairs, strict=True):
        published[(numerator, month, key)] = top
        published[(denominator, month, key)] = bottom
    return _series(measure, FILTERS, Counts(cells={}), published)


def test_a_flat_series_shows_no_variation_or_assurance_icon_and_says_why():
    view = _view(_share(OFFERED, [(20, 20)] * 24))
    assert view.series.chart.points  # charted: 24 months at 100%
    assert view.variation is None and view.assurance is None
    assert "No process limits" in view.limits
    assert "no variation" in view.limits
    assert "no judgement of whether the target will be met" in view.limits


def test_too_few_months_show_no_icons_and_say_why():
    view = _view(_contacts([None] * 16 + [20, 25, 30, 20, 25, 22, 30, 20]))
    assert view.variation is None and view.assurance is None
    assert "from 8 months charted. No process limits: they need at least 12 months" in view.limits


def test_with_limits_the_variation_icon_is_the_latest_months():
    view = _view(_contacts([20, 25, 30, 20, 25, 22, 30, 20, 25, 30, 20, 25] * 2))
    assert view.variation == icon_for(Variation.COMMON_CAUSE)
    assert "process limits" in view.limits and "No process limits" not in view.limits


# The administrators' page for rebases and notes --------------------------------------------------

PRE_LAUNCH, AFTER = 7, [30, 35, 25, 30, 40, 30, 25, 35, 30, 30, 35, 25, 30, 35, 30, 25, 30]


@pytest.fixture
def contacts_for_24_months(review):
    """Contacts by month over the last 24 complete months: seven quiet months before the
    service launched, then more, with 10 people (so no count of people is withheld)."""
    filters = Filters.last(24)
    offers = [SupportOfferFactory(person__review=review) for _ in range(10)]
    counts = [10, 10, 15, 10, 10, 15, 10, *AFTER]
    contacts = [
        Contact(
            offer=offers[n % 10],
            supporter=offers[n % 10].supporter,
            happened_on=month + timedelta(days=n % 25),
            mode="phone",
            minutes=30,
        )
        for month, count in zip(filters.months, counts, strict=True)
        for n in range(count)
    ]
    Contact.objects.bulk_create(contacts)
    return filters


def _contacts_view(response):
    views = response.context["measures"]()  # drawn when the page's HTML is not in the cache
    return next(view for view in views if view.measure.slug == CONTACTS.slug)


@pytest.mark.django_db
def test_a_rebase_posted_in_the_admin_is_saved_audited_and_rebases_the_chart_at_once(
    client_for, admin_user, contacts_for_24_months
):
    cache.clear()
    filters = contacts_for_24_months
    client = client_for(admin_user)
    before = _contacts_view(client.get(reverse("dashboard"), {"period": "24"}))
    assert [(s.start, s.stop) for s in before.series.chart.segments] == [(0, 24)]
    assert "from 24 months charted." in before.limits
    shown = [m.value for m in before.series.months]
    # The counts are cached now: taking the contacts away changes nothing on the page.
    Contact.objects.all().delete()

    launch = filters.months[PRE_LAUNCH]
    response = client.post(
        reverse("admin:peersupport_chartevent_add"),
        {
            "measure": CONTACTS.slug,
            "on": launch.replace(day=9).isoformat(),
            "kind": ChartEventKind.REBASE,
            "reason": "The service launched",
        },
    )
    assert response.status_code == 302
    event = ChartEvent.objects.get()
    assert (event.measure, event.on, event.created_by) == (
        CONTACTS.slug,
        launch.replace(day=9),
        admin_user,
    )
    audited = AuditEvent.objects.get(action="chart_event.added")
    assert audited.actor == admin_user and audited.object_id == str(event.pk)
    assert audited.detail["measure"] == CONTACTS.slug

    page = client.get(reverse("dashboard"), {"period": "24"})
    after = _contacts_view(page)
    assert [m.value for m in after.series.months] == shown  # still the cached counts
    segments = after.series.chart.segments
    assert [(s.start, s.stop) for s in segments] == [(0, PRE_LAUNCH), (PRE_LAUNCH, 24)]
    assert after.series.chart.mean == pytest.approx(sum(AFTER) / len(AFTER))
    assert after.series.chart.upper != before.series.chart.upper
    assert f"since the rebase in {launch:%B %Y}" in after.limits
    html = page.content.decode()
    assert after.limits in html
    assert f"Rebased {launch:%B %Y}: The service launched." in html


@pytest.mark.django_db
def test_an_administrator_sees_changes_and_deletes_chart_events_and_each_is_audited(
    client_for, admin_user, make_user
):
    event = ChartEvent.objects.create(
        measure=CONTACTS.slug, on=date(2025, 3, 1), kind=ChartEventKind.ANNOTATION, reason="Pilot"
    )
    client = client_for(admin_user)
    listed = client.get(reverse("admin:peersupport_chartevent_changelist"))
    # Registered by the composition root (peersupport/urls.py), behind the wall like the rest.
    assert isinstance(admin.site._registry[ChartEvent], WallAdmin)
    assert not admin.site._registry[ChartEvent].check()
    assert listed.status_code == 200
    assert CONTACTS.name in listed.content.decode()
    added = client.get(reverse("admin:peersupport_chartevent_add"))
    assert added.status_code == 200
    assert f'<option value="{CONTACTS.slug}">{CONTACTS.name}</option>' in added.content.decode()

    change = reverse("admin:peersupport_chartevent_change", args=[event.pk])
    assert client.get(change).status_code == 200
    response = client.post(
        change,
        {"measure": OFFERED.slug, "on": "2025-03-01", "kind": "annotation", "reason": "Pilot"},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.measure == OFFERED.slug
    assert AuditEvent.objects.filter(action="chart_event.changed", object_id=str(event.pk)).exists()

    delete = reverse("admin:peersupport_chartevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not ChartEvent.objects.exists()
    assert AuditEvent.objects.filter(action="chart_event.deleted", object_id=str(event.pk)).exists()

    # Nobody else reaches it.
    for role in (Role.MANAGER, Role.TEAM):
        other = client_for(make_user(role))
        assert other.get(reverse("admin:peersupport_chartevent_changelist")).status_code != 200
