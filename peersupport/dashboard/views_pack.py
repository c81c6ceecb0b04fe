"""The board pack: a one-page summary of every measure, a page for each measure, and the pack
to print (the summary, each measure, the definitions and how to read the charts, and for
leadership the figures a business case needs). The same filters, the same published figures
and the same access as the dashboard (views.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from peersupport.access import role_required
from peersupport.dashboard.charts import Icon
from peersupport.dashboard.definitions import BY_SLUG, MEASURES
from peersupport.dashboard.figures import build
from peersupport.dashboard.leadership import business_case
from peersupport.dashboard.views import (
    DashboardFilterForm,
    MeasureView,
    _filters,
    _view,
    page_context,
)
from peersupport.roles import Role

DASHBOARD_ROLES = (Role.MANAGER, Role.TEAM, Role.ADMINISTRATOR)


class PackForm(DashboardFilterForm):
    leadership = forms.BooleanField(
        label="Include the figures for a business case",
        help_text="People supported, supporters trained and active, supervision kept up and "
        "specialist referrals, month by month",
        required=False,
    )


@dataclass
class SummaryRow:
    """One measure in the summary: its latest figure, mean, icons and target, in words."""

    view: MeasureView
    mean: str
    target: str

    @property
    def measure(self):
        return self.view.measure

    @property
    def variation(self) -> Icon | None:
        return self.view.variation

    @property
    def assurance(self) -> Icon | None:
        return self.view.assurance


def _summary_row(view: MeasureView) -> SummaryRow:
    series = view.series
    segment = series.chart.latest_segment if series.chart and series.chart.points else None
    mean = series.format(segment.mean) if segment is not None and segment.count else ""
    target = series.measure.target
    return SummaryRow(view, mean, "" if target is None else series.format(target))


def _figures(request, form_class=DashboardFilterForm, *, charts: bool = True):
    """The filter form, the filters, and every measure as the page shows it (with its chart
    and months, unless `charts` is False)."""
    form, filters, forced = _filters(request, form_class)
    built = build(filters)
    context = page_context(request, form, filters, forced, built)
    views = [_view(series, table=charts, chart=charts) for series in built]
    return {**context, "built": built, "views": views}


@role_required(*DASHBOARD_ROLES)
@require_safe
def summary(request):
    """Every measure on one page (one A4 landscape sheet when printed)."""
    context = _figures(request, charts=False)
    built = context.pop("built")
    context["rows"] = [_summary_row(view) for view in context.pop("views")]
    context["figures_key"] = built[0].key if built else ""  # the table's fragment cache
    return render(request, "dashboard/summary.html", context)


@role_required(*DASHBOARD_ROLES)
@require_safe
def measure_page(request, slug):
    """One measure: its chart, its months and its definition."""
    if slug not in BY_SLUG:
        raise Http404("No such measure")
    context = _figures(request)
    context["item"] = next(v for v in context.pop("views") if v.measure.slug == slug)
    del context["built"]
    return render(request, "dashboard/measure.html", context)


@role_required(*DASHBOARD_ROLES)
@require_safe
def pack(request):
    """The whole pack, to print as one document."""
    context = _figures(request, PackForm)
    form = context["form"]
    # The filters were cleaned (form.filters): a wrong month keeps the fields that were right,
    # so the business case stays in while the pack shows the default months.
    leadership = form.is_bound and form.cleaned_data.get("leadership", False)
    views = context["views"]
    context.update(
        rows=[_summary_row(view) for view in views],
        measures=MEASURES,
        business_case=business_case(context["built"]) if leadership else None,
    )
    del context["built"]
    return render(request, "dashboard/pack.html", context)
