"""The administrators' page for the dashboard's chart events: rebases and notes.

A ChartEvent is a platform model (peersupport.models), but the measures it names are the
dashboard's (definitions.MEASURES), which the platform may not import. So its admin lives here,
in the reporting layer, and the composition root (peersupport/urls.py) imports this module to
register it, as it wires the privacy pages into the person's admin.
"""

from django import forms
from django.contrib import admin

from peersupport import audit
from peersupport.dashboard.definitions import BY_SLUG, MEASURES
from peersupport.models import ChartEvent


def measure_choices() -> list[tuple[str, str]]:
    """Every measure on the dashboard, by its key, in the page's order."""
    return [("", "Choose a measure"), *((m.slug, m.name) for m in MEASURES)]


class ChartEventForm(forms.ModelForm):
    measure = forms.ChoiceField(label="Measure", choices=measure_choices)

    class Meta:
        model = ChartEvent
        fields = ("measure", "on", "kind", "reason")


@admin.register(ChartEvent)
class ChartEventAdmin(admin.ModelAdmin):
    """Rebases (a change to the service: the chart's mean and limits are worked out again from
    the month it falls in) and notes on the dashboard's charts. The dashboard reads them afresh
    on every page (figures.chart_events), never from the cache, so a change shows at once."""

    audit_views = False  # configuration, audited as chart_event.added/changed/deleted

    form = ChartEventForm
    list_display = ("measure_name", "on", "kind", "reason", "created_by", "created_at")
    list_filter = ("kind", "measure")
    readonly_fields = ("created_by", "created_at")

    @admin.display(description="Measure", ordering="measure")
    def measure_name(self, obj):
        measure = BY_SLUG.get(obj.measure)
        return measure.name if measure else obj.measure

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        audit.record(
            "chart_event.changed" if change else "chart_event.added",
            request=request,
            obj=obj,
            measure=obj.measure,
            kind=obj.kind,
            on=obj.on.isoformat(),
        )

    def delete_model(self, request, obj):
        audit.record("chart_event.deleted", request=request, obj=obj, measure=obj.measure)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit.record("chart_event.deleted", request=request, obj=obj, measure=obj.measure)
        super().delete_queryset(request, queryset)
