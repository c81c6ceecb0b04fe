"""The measures dashboard and its CSV, and the survey results page: aggregates only, never a
name, a note or a link to a person. The dashboard's filters live in the URL (a GET form) so a
view can be shared or bookmarked.

Managers and administrators see every organisation; a team member sees their own.
"""

import csv
import functools
from dataclasses import dataclass
from datetime import date

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from feedback import selectors
from incidents.access import organisation_of
from incidents.models import Organisation, Service
from peersupport import audit
from peersupport.access import has_role, is_team, role_required
from peersupport.dashboard import export, suppression
from peersupport.dashboard.charts import Chart, Icon, chart_for, icon_for
from peersupport.dashboard.definitions import COUNT, MEAN, MEDIAN, SECTIONS, SHARE
from peersupport.dashboard.figures import Series, build
from peersupport.dashboard.filters import GROUPS, MONTHS_OFFERED, Filters, add_months, this_month
from peersupport.dashboard.recount import REFRESH_MINUTES
from peersupport.dashboard.spc import MINIMUM_POINTS, Improvement, PointType
from peersupport.dashboard.survey_results import published_survey_counts
from peersupport.roles import Role

MAX_MONTHS = 36
SERVICES_LISTED_UP_TO = 100


def _month_choices():
    current = this_month()
    months = [add_months(current, -n) for n in range(MONTHS_OFFERED)]
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
        choices=[("", "Everyone"), *GROUPS.items()],
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
        self.fields["service"].queryset = self._services(organisations)
        months = _month_choices()
        self.fields["from_month"].choices = [("", "Choose a month"), *months]
        self.fields["to_month"].choices = [("", "Choose a month"), *months]

    def _services(self, organisations):
        """Every service of the organisations, or, on a network with more than
        SERVICES_LISTED_UP_TO of them (the list alone would outweigh the page), only the
        chosen organisation's: choose an organisation first, then one of its services."""
        services = Service.objects.filter(organisation__in=organisations)
        if services.count() > SERVICES_LISTED_UP_TO:
            chosen = self.data.get("organisation") if self.is_bound else None
            chosen = chosen if chosen and str(chosen).isdigit() else None
            services = services.filter(organisation_id=chosen)
            self.fields["service"].help_text = "Choose an organisation first, then its service"
        return services.select_related("organisation")

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

    def filters(self, forced_organisation=None) -> Filters:
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
            return Filters(_month(data["from_month"]), _month(data["to_month"]), **extra)
        return Filters.last(int(data.get("period") or 12), **extra)


def _month(value: str) -> date:
    year, month = value.split("-")
    return date(int(year), int(month), 1)


def _own_organisation(user):
    """The organisation of a team member, or 403 for anyone without one."""
    organisation = organisation_of(user)
    if organisation is None:
        raise PermissionDenied
    return organisation


def _scope(user):
    """The organisations this user may see figures for, and the one they are held to."""
    if has_role(user, Role.MANAGER, Role.ADMINISTRATOR):
        return Organisation.objects.all(), None
    organisation = _own_organisation(user)
    return Organisation.objects.filter(pk=organisation.pk), organisation


def _filters(request, form_class=DashboardFilterForm):
    organisations, forced = _scope(request.user)
    form = form_class(request.GET or None, organisations=organisations)
    if forced is not None:
        del form.fields["organisation"]
    return form, form.filters(forced), forced


# Each measure as the page shows it ------------------------------------------------------------

# Short enough for a table beside a chart; the CSV spells them out (PointType.label).
SIGNALS = {
    PointType.COMMON_CAUSE: "Common cause",
    PointType.IMPROVEMENT: "Improvement",
    PointType.CONCERN: "Concern",
    PointType.NEUTRAL_HIGH: "Neutral, high",
    PointType.NEUTRAL_LOW: "Neutral, low",
}
# A month charted where there are no process limits (too few months, or no variation).
NOT_JUDGED = "No limits yet"
DIRECTIONS = {
    Improvement.INCREASE: "Higher is better.",
    Improvement.DECREASE: "Lower is better.",
    Improvement.NEUTRAL: "Neither higher nor lower is better in itself: look for change.",
}


COLUMNS = {
    SHARE: ("Number", "Out of", "Per cent"),
    MEAN: ("Days", "Offers", "Average"),
    COUNT: ("Count", None, None),
    MEDIAN: (None, "People", "Median"),
}


@dataclass
class MeasureView:
    """One measure as the page shows it: every figure already in words."""

    series: Series
    chart: Chart | None
    variation: Icon | None  # none without process limits
    assurance: Icon | None
    direction: str
    columns: tuple
    rows: list
    headline: str
    headline_detail: str
    limits: str

    @property
    def measure(self):
        return self.series.measure


def _row(series, index, figures) -> dict:
    point = figures.point
    if point is not None and not series.chart.has_limits_at(index):
        point, signal = None, NOT_JUDGED
    elif point is not None:
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
        "provisional": figures.provisional,
    }


def _headline(series) -> tuple[str, str]:
    latest = series.latest
    if latest is None:
        return "", ""
    kind = series.measure.kind
    if latest.value is not None:
        value = series.format(latest.value)
        if kind == SHARE:
            return value, f"{latest.numerator.text} out of {latest.denominator.text}"
        unit = series.measure.unit
        if kind == MEAN:
            return f"{value} {unit}", f"on average, across {latest.denominator.text} offers"
        if kind == MEDIAN:
            return f"{value} {unit}", f"the median, for {latest.denominator.text} people"
        return value, ""
    if latest.suppressed:
        return "Withheld", "A small number, or one that could be worked out from the others."
    return "No data", "Nothing to count this month."


def _limits(series: Series) -> str:
    """The latest segment's mean and limits in words, or why there are no limits (and so no
    variation or assurance icon)."""
    xmr = series.chart
    segment = xmr.latest_segment
    months = f"{segment.count} month{'s' if segment.count != 1 else ''}"
    since = ""
    if len(xmr.segments) > 1:
        since = f" since the rebase in {series.months[segment.start].month:%B %Y}"
    if not segment.count:
        return f"No month{since} can be charted yet, so no mean and no process limits."
    text = f"Mean {series.format(segment.mean)}"
    if segment.has_limits:
        lower, upper = series.format(segment.lower), series.format(segment.upper)
        return f"{text}; process limits {lower} to {upper}, from {months} charted{since}."
    text += f", from {months} charted{since}. No process limits: "
    if segment.count < MINIMUM_POINTS:
        text += f"they need at least {MINIMUM_POINTS} months"
    elif segment.no_variation:
        text += "every month has the same figure, so there is no variation to set them by"
    else:
        text += "too few months follow one another to set them by"
    if series.measure.target is not None and xmr.improvement != Improvement.NEUTRAL:
        text += ", and so no judgement of whether the target will be met"
    return text + "."


def _view(series: Series, table: bool = True, chart: bool = True) -> MeasureView:
    """The measure in words; `table=False` leaves out its months' rows (the dashboard links
    to them on the measure's page), `chart=False` its chart (the summary shows none)."""
    xmr = series.chart
    charted = xmr is not None and xmr.points
    headline, detail = _headline(series) if series.applicable else ("", "")
    return MeasureView(
        series=series,
        chart=chart_for(series) if chart and series.applicable else None,
        variation=icon_for(xmr.variation) if charted else None,
        assurance=icon_for(xmr.assurance) if charted else None,
        direction=DIRECTIONS[series.measure.improvement],
        columns=COLUMNS[series.measure.kind],
        rows=[_row(series, index, figures) for index, figures in enumerate(series.months)]
        if table
        else [],
        headline=headline,
        headline_detail=detail,
        limits=_limits(series) if charted else "",
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
        "group": GROUPS.get(filters.group, "Everyone"),
        "period": f"{filters.first_month:%B %Y} to {filters.last_month:%B %Y}",
    }


def _sections(request, chosen: str) -> list[dict]:
    """The dashboard's sections as links that keep the filters, the chosen one marked."""
    sections = []
    for slug, title in SECTIONS.items():
        query = request.GET.copy()
        query["section"] = slug
        sections.append(
            {"slug": slug, "title": title, "query": query.urlencode(), "current": slug == chosen}
        )
    return sections


@role_required(Role.MANAGER, Role.TEAM, Role.ADMINISTRATOR)
def dashboard(request):
    """One section of measures at a time (process, outcome, balancing, how support went), each
    with its latest figure, icons and chart. Every month's figures and the definition are on
    the measure's own page: the page stays small however many months are shown."""
    form, filters, forced = _filters(request)
    chosen = request.GET.get("section", "")
    if chosen not in SECTIONS:
        chosen = next(iter(SECTIONS))
    built = build(filters)

    @functools.cache
    def views():
        """Drawn only when the page's cached HTML for these figures has gone."""
        return [_view(series, table=False) for series in built if series.measure.section == chosen]

    sections = _sections(request, chosen)
    index = next(i for i, section in enumerate(sections) if section["current"])
    context = page_context(request, form, filters, forced, built)
    return render(
        request,
        "peersupport/dashboard.html",
        {
            **context,
            "query": _without(request, "section"),
            "sections": sections,
            "section": sections[index],
            "previous_section": sections[index - 1] if index else None,
            "next_section": sections[index + 1] if index + 1 < len(sections) else None,
            "measures": views,
            "figures_key": built[0].key if built else "",
        },
    )


def _without(request, name: str) -> str:
    """The page's query string without one parameter: the filters, for links to other pages."""
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


def page_context(request, form, filters, forced, built) -> dict:
    """What every page of figures shows beside them: the filters and what they chose, the
    suppression rule in words, and when the figures were counted."""
    return {
        "form": form,
        "filters": filters,
        "described": _described(filters, form.organisations),
        "forced_organisation": forced,
        "query": request.GET.urlencode(),
        "withheld_up_to": suppression.counts_up_to(),
        "rounded_to": suppression.round_to(),
        "current_month": this_month(),
        "as_at": built[0].as_at if built else None,
        "refresh_minutes": REFRESH_MINUTES,
    }


@role_required(Role.MANAGER, Role.TEAM, Role.ADMINISTRATOR)
def dashboard_csv(request):
    """Every measure's monthly series with the page's filters: the figures the page shows."""
    form, filters, _ = _filters(request)
    series = build(filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"measures-{filters.first_month:%Y-%m}-to-{filters.last_month:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    for row in export.csv_rows(series):
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


# Survey results ---------------------------------------------------------------------------------


@role_required(Role.TEAM, Role.MANAGER)
@require_safe
def survey_results(request):
    """Counts and response rates by questionnaire: the team sees its own organisation's exact
    counts and reads the comments (their operational page); a manager sees the numbers only,
    through the suppression layer as on the dashboard. Routed as feedback:survey_results."""
    if is_team(request.user):
        organisation = _own_organisation(request.user)
        return render(
            request,
            "feedback/results.html",
            {
                "organisation": organisation,
                "counts": selectors.survey_counts(organisation),
                "comments": selectors.comments(organisation),
                "show_comments": True,
            },
        )
    organisations = list(Organisation.objects.order_by("name"))
    chosen = request.GET.get("organisation", "")
    organisation = next((o for o in organisations if str(o.pk) == chosen), None)
    return render(
        request,
        "feedback/results.html",
        {
            "organisation": organisation,
            "organisations": organisations,
            "counts": published_survey_counts(organisation),
            "show_comments": False,
            "published": True,
            "withheld_up_to": suppression.counts_up_to(),
            "rounded_to": suppression.round_to(),
        },
    )
