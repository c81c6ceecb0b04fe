"""The measures dashboard and its CSV: aggregates only, never a name, a note or a link to a
person. The filters live in the URL (a GET form) so a view can be shared or bookmarked.

Managers and administrators see every organisation; a team member sees their own.
"""

import csv
import math
from dataclasses import dataclass
from datetime import date

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from incidents.access import organisation_of
from incidents.models import Organisation, Service
from peersupport import audit, measures, suppression
from peersupport.access import has_role, role_required
from peersupport.roles import Role
from peersupport.spc import Assurance, Improvement, PointType, Variation

MONTHS_OFFERED = 60
MAX_MONTHS = 36


def _month_choices():
    current = measures.this_month()
    months = [measures.add_months(current, -n) for n in range(MONTHS_OFFERED)]
    return [(m.strftime("%Y-%m"), m.strftime("%B %Y")) for m in months]


class ServiceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.organisation}: {obj.name}"


class DashboardFilterForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="All organisations",
    )
    service = ServiceChoice(
        label="Service",
        queryset=Service.objects.none(),
        required=False,
        empty_label="All services",
    )
    group = forms.ChoiceField(
        label="Group",
        required=False,
        choices=[("", "Everyone"), *measures.GROUPS.items()],
    )
    period = forms.ChoiceField(
        label="Months to show",
        required=False,
        choices=[
            ("12", "The last 12 complete months"),
            ("24", "The last 24 complete months"),
            ("custom", "The months chosen below"),
        ],
    )
    from_month = forms.ChoiceField(
        label="First month", required=False, help_text="When choosing the months"
    )
    to_month = forms.ChoiceField(
        label="Last month", required=False, help_text="When choosing the months"
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = organisations
        self.fields["organisation"].queryset = organisations
        self.fields["service"].queryset = Service.objects.filter(
            organisation__in=organisations
        ).select_related("organisation")
        months = _month_choices()
        self.fields["from_month"].choices = [("", "Choose a month"), *months]
        self.fields["to_month"].choices = [("", "Choose a month"), *months]

    def clean(self):
        data = super().clean()
        organisation, service = data.get("organisation"), data.get("service")
        if (
            service is not None
            and organisation is not None
            and service.organisation != organisation
        ):
            self.add_error(
                "service", "Choose a service of the organisation chosen, or all services"
            )
        if data.get("period") == "custom":
            first, last = data.get("from_month"), data.get("to_month")
            if not first:
                self.add_error("from_month", "Choose the first month")
            if not last:
                self.add_error("to_month", "Choose the last month")
            if first and last:
                first, last = _month(first), _month(last)
                span = (last.year - first.year) * 12 + last.month - first.month + 1
                if span < 1:
                    self.add_error(
                        "to_month", "The last month must be the same as or after the first"
                    )
                elif span > MAX_MONTHS:
                    self.add_error("to_month", f"Choose {MAX_MONTHS} months or fewer")
        return data

    def filters(self, forced_organisation=None) -> measures.Filters:
        """The filters chosen, or the defaults if the form was not valid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        organisation = forced_organisation or data.get("organisation")
        service = data.get("service")
        if service is not None and organisation is None:
            organisation = service.organisation
        extra = {
            "organisation_id": organisation.pk if organisation else None,
            "service_id": service.pk if service else None,
            "group": data.get("group") or "",
        }
        if data.get("period") == "custom":
            return measures.Filters(_month(data["from_month"]), _month(data["to_month"]), **extra)
        return measures.Filters.last(int(data.get("period") or 12), **extra)


def _month(value: str) -> date:
    year, month = value.split("-")
    return date(int(year), int(month), 1)


def _scope(user):
    """The organisations this user may see figures for, and the one they are held to."""
    if has_role(user, Role.MANAGER, Role.ADMINISTRATOR):
        return Organisation.objects.all(), None
    organisation = organisation_of(user)
    if organisation is None:
        raise PermissionDenied
    return Organisation.objects.filter(pk=organisation.pk), organisation


def _filters(request):
    organisations, forced = _scope(request.user)
    form = DashboardFilterForm(request.GET or None, organisations=organisations)
    if forced is not None:
        del form.fields["organisation"]
    return form, form.filters(forced), forced


# Charts -----------------------------------------------------------------------------------------

WIDTH, HEIGHT = 520, 300
LEFT, RIGHT, TOP, BOTTOM = 60, 12, 16, 52
COLOURS = {
    PointType.COMMON_CAUSE: "#4c6272",
    PointType.IMPROVEMENT: "#005eb8",
    PointType.CONCERN: "#b35900",
    PointType.NEUTRAL_HIGH: "#330072",
    PointType.NEUTRAL_LOW: "#330072",
}
VARIATION_ICONS = {
    Variation.COMMON_CAUSE: ("#4c6272", ""),
    Variation.IMPROVEMENT_HIGH: ("#005eb8", "H"),
    Variation.IMPROVEMENT_LOW: ("#005eb8", "L"),
    Variation.CONCERN_HIGH: ("#b35900", "H"),
    Variation.CONCERN_LOW: ("#b35900", "L"),
    Variation.NEUTRAL_HIGH: ("#330072", "H"),
    Variation.NEUTRAL_LOW: ("#330072", "L"),
}
ASSURANCE_ICONS = {
    Assurance.PASS: ("#005eb8", "P"),
    Assurance.FAIL: ("#b35900", "F"),
    Assurance.INCONSISTENT: ("#4c6272", "?"),
}
# Short enough for a table beside a chart; the CSV spells them out (PointType.label).
SIGNALS = {
    PointType.COMMON_CAUSE: "Common cause",
    PointType.IMPROVEMENT: "Improvement",
    PointType.CONCERN: "Concern",
    PointType.NEUTRAL_HIGH: "Neutral, high",
    PointType.NEUTRAL_LOW: "Neutral, low",
}
DIRECTIONS = {
    Improvement.INCREASE: "Higher is better.",
    Improvement.DECREASE: "Lower is better.",
    Improvement.NEUTRAL: "Neither higher nor lower is better in itself: look for change.",
}


def _nice_step(span: float) -> float:
    """A round step giving about four gridlines over the span: 1, 2, 2.5 or 5 times a power
    of ten."""
    raw = max(span, 1e-9) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 2.5, 5, 10):
        if raw <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


@dataclass
class Chart:
    """Coordinates for drawing one measure's XmR chart as SVG in the template, as strings:
    the template would otherwise format each number for the locale, slowly."""

    size: str  # the viewBox's width and height
    points: list
    segments: list
    lines: list
    y_ticks: list
    x_ticks: list
    plot: dict
    description: str


def chart_for(series: measures.Series) -> Chart | None:
    xmr = series.chart
    if xmr is None or not xmr.points:
        return None
    share = series.measure.kind == measures.SHARE
    levels = [*xmr.values, xmr.mean]
    if xmr.lower is not None:
        levels += [xmr.lower, xmr.upper]
    if series.measure.target is not None:
        levels.append(series.measure.target)
    # A share of people runs from 0 to 100%; limits beyond that are drawn at the edge.
    proportion = share and max(xmr.values) <= 100
    low, high = min(levels), max(levels)
    if share or series.measure.kind == measures.COUNT:
        low = max(low, 0)
    if proportion:
        high = min(high, 100)
    if high - low < 1e-9:
        low, high = max(low - 1, 0), high + 1
    step = _nice_step(high - low)
    low = step * math.floor(low / step)
    high = step * math.ceil(high / step)
    if proportion:
        high = min(high, 100)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(series.months)

    def x(index):
        return f"{LEFT + plot_w * (index + 0.5) / count:.1f}"

    def y(value):
        value = min(max(value, low), high)
        return f"{TOP + plot_h * (high - value) / (high - low):.1f}"

    points, segments, previous = [], [], None
    for index, figures in enumerate(series.months):
        if figures.point is None:
            previous = None
            continue
        here = (x(index), y(figures.point.value))
        kind = figures.point.type
        points.append(
            {
                "x": here[0],
                "y": here[1],
                "colour": COLOURS[kind],
                "r": "3.5" if kind == PointType.COMMON_CAUSE else "5.5",
            }
        )
        if previous is not None:
            segments.append({"x1": previous[0], "y1": previous[1], "x2": here[0], "y2": here[1]})
        previous = here
    lines = [{"y": y(xmr.mean), "kind": "mean", "label": "Mean"}]
    if xmr.lower is not None and xmr.lower != xmr.upper:
        for value, label in ((xmr.upper, "Upper limit"), (xmr.lower, "Lower limit")):
            if low <= value <= high:
                lines.append({"y": y(value), "kind": "limit", "label": label})
    if series.measure.target is not None:
        lines.append({"y": y(series.measure.target), "kind": "target", "label": "Target"})
    y_ticks = []
    tick = low
    while tick <= high + 1e-9:
        label = f"{tick:g}%" if share else f"{tick:,g}"
        y_ticks.append({"y": y(tick), "label": label})
        tick += step
    every = 1 if count <= 12 else 2 if count <= 24 else 3
    x_ticks = [
        {"x": x(i), "label": m.month.strftime("%b"), "year": m.month.strftime("%Y")}
        for i, m in enumerate(series.months)
        if i % every == 0
    ]
    return Chart(
        size=f"{WIDTH} {HEIGHT}",
        points=points,
        segments=segments,
        lines=lines,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        plot={
            key: str(value)
            for key, value in {
                "left": LEFT,
                "right": WIDTH - RIGHT,
                "bottom": HEIGHT - BOTTOM,
                "tick_label_x": LEFT - 8,
                "month_y": HEIGHT - BOTTOM + 20,
                "year_y": HEIGHT - BOTTOM + 40,
            }.items()
        },
        description=describe(series),
    )


def describe(series: measures.Series) -> str:
    """The chart in words, for its SVG description."""
    xmr, fmt = series.chart, series.format
    first, last = series.months[0].month, series.months[-1].month
    parts = [
        f"{series.measure.name} by month, {first:%B %Y} to {last:%B %Y}: "
        f"{len(xmr.values)} months shown."
    ]
    if xmr.mean is not None:
        parts.append(f"Mean {fmt(xmr.mean)}.")
    if xmr.lower is not None:
        parts.append(f"Process limits {fmt(xmr.lower)} to {fmt(xmr.upper)}.")
    special = [
        f"{m.month:%B %Y} ({m.point.type.label.split(': ')[-1]})"
        for m in series.months
        if m.point is not None and m.point.type != PointType.COMMON_CAUSE
    ]
    if special:
        parts.append("Special cause variation in " + ", ".join(special) + ".")
    else:
        parts.append("Common cause variation only.")
    parts.append("The table beside the chart gives every month's figures.")
    return " ".join(parts)


COLUMNS = {
    measures.SHARE: ("Number", "Out of", "Per cent"),
    measures.MEAN: ("Days", "Offers", "Average"),
    measures.COUNT: ("Count", None, None),
    measures.MEDIAN: (None, "People", "Median"),
}


@dataclass
class MeasureView:
    """One measure as the page shows it: every figure already in words."""

    series: measures.Series
    chart: Chart | None
    variation: tuple | None  # (colour, letter, label)
    assurance: tuple | None
    direction: str
    columns: tuple
    rows: list
    headline: str
    headline_detail: str
    limits: str

    @property
    def measure(self):
        return self.series.measure


def _row(series, figures) -> dict:
    point = figures.point
    if point is not None:
        signal = SIGNALS[point.type]
    elif figures.suppressed:
        signal = "Withheld"
    else:
        signal = "No data"
    return {
        "month": f"{figures.month:%b %Y}",
        "numerator": figures.numerator.text,
        "denominator": figures.denominator.text if figures.denominator is not None else "",
        "value": series.format(figures.value),
        "signal": signal,
        "special": point is not None and point.type != PointType.COMMON_CAUSE,
    }


def _headline(series) -> tuple[str, str]:
    latest = series.latest
    if latest is None:
        return "", ""
    kind = series.measure.kind
    if latest.value is not None:
        value = series.format(latest.value)
        if kind == measures.SHARE:
            return value, f"{latest.numerator.text} out of {latest.denominator.text}"
        unit = series.measure.unit
        if kind == measures.MEAN:
            return f"{value} {unit}", f"on average, across {latest.denominator.text} offers"
        if kind == measures.MEDIAN:
            return f"{value} {unit}", f"the median, for {latest.denominator.text} people"
        return value, ""
    if latest.suppressed:
        return "Withheld", "A small number, or one that could be worked out from the others."
    return "No data", "Nothing to count this month."


def _view(series: measures.Series) -> MeasureView:
    xmr = series.chart
    variation = assurance = None
    limits = ""
    if xmr is not None and xmr.points:
        v = xmr.variation
        variation = (*VARIATION_ICONS[v], v.label)
        if xmr.assurance is not None:
            assurance = (*ASSURANCE_ICONS[xmr.assurance], xmr.assurance.label)
        limits = f"Mean {series.format(xmr.mean)}"
        if xmr.lower is not None:
            limits += f"; process limits {series.format(xmr.lower)} to {series.format(xmr.upper)}"
        months = len(xmr.values)
        limits += f", from {months} month{'s' if months != 1 else ''} charted."
    headline, detail = _headline(series) if series.applicable else ("", "")
    return MeasureView(
        series=series,
        chart=chart_for(series) if series.applicable else None,
        variation=variation,
        assurance=assurance,
        direction=DIRECTIONS[series.measure.improvement],
        columns=COLUMNS[series.measure.kind],
        rows=[_row(series, figures) for figures in series.months],
        headline=headline,
        headline_detail=detail,
        limits=limits,
    )


def _described(filters, organisations):
    """The filters in words, for the page and its print."""
    organisation = (
        organisations.filter(pk=filters.organisation_id).first()
        if filters.organisation_id
        else None
    )
    service = Service.objects.filter(pk=filters.service_id).first() if filters.service_id else None
    return {
        "organisation": str(organisation) if organisation else "All organisations",
        "service": service.name if service else "All services",
        "group": measures.GROUPS.get(filters.group, "Everyone"),
        "period": f"{filters.first_month:%B %Y} to {filters.last_month:%B %Y}",
    }


@role_required(Role.MANAGER, Role.TEAM, Role.ADMINISTRATOR)
def dashboard(request):
    """Every process, outcome and balancing measure, month by month."""
    form, filters, forced = _filters(request)
    built = measures.build(filters)
    views = [_view(series) for series in built]
    sections = [
        {"slug": slug, "title": title, "measures": [v for v in views if v.measure.section == slug]}
        for slug, title in measures.SECTIONS.items()
    ]
    organisations = form.organisations
    return render(
        request,
        "peersupport/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "sections": sections,
            "described": _described(filters, organisations),
            "forced_organisation": forced,
            "query": request.GET.urlencode(),
            "withheld_up_to": suppression.counts_up_to(),
            "rounded_to": suppression.round_to(),
            "current_month": measures.this_month(),
            "as_at": built[0].as_at if built else None,
            "cache_minutes": measures.CACHE_SECONDS // 60,
        },
    )


@role_required(Role.MANAGER, Role.TEAM, Role.ADMINISTRATOR)
def dashboard_csv(request):
    """Every measure's monthly series with the page's filters: the figures the page shows."""
    form, filters, _ = _filters(request)
    series = measures.build(filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"measures-{filters.first_month:%Y-%m}-to-{filters.last_month:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    for row in measures.csv_rows(series):
        writer.writerow(row)
    audit.record(
        "dashboard.exported",
        request=request,
        organisation=filters.organisation_id,
        service=filters.service_id,
        group=filters.group,
        first_month=filters.first_month.isoformat(),
        last_month=filters.last_month.isoformat(),
    )
    return response
