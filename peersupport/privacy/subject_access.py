"""The subject access export: everything held about one person (`held.held_about`), support
notes included, with the change history and the audit trail, as plain data for a readable page
or JSON. Secrets (`held.SECRET_FIELDS`) are never shown. Every export is audited."""

from datetime import date, datetime

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from peersupport import audit
from peersupport.models import AuditEvent
from peersupport.privacy.held import (
    SECRET_FIELDS,
    by_model,
    held_about,
    history_model,
    trail_filter,
)


def _plain(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool | list | dict) or value is None:
        return value
    return str(value)


def _values(obj) -> dict:
    """A row as field label: readable value. Choices by their label, links to other rows by
    name, and never a secret."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            continue
        if field.is_relation:
            related_id = getattr(obj, field.attname)
            try:
                related = getattr(obj, field.name) if related_id is not None else None
            except ObjectDoesNotExist:
                related = None
            value = None if related is None else f"{related} (id {related_id})"
        elif field.choices:
            value = getattr(obj, f"get_{field.name}_display")()
        else:
            value = _plain(getattr(obj, field.attname))
        values[str(field.verbose_name)] = value
    for field in obj._meta.many_to_many:
        values[str(field.verbose_name)] = [str(item) for item in getattr(obj, field.name).all()]
    return values


def _history_rows(model, rows) -> list[dict]:
    history = history_model(model)
    if history is None:
        return []
    entries = []
    records = history.objects.filter(id__in=[r.pk for r in rows]).order_by("history_date")
    for record in records.select_related("history_user"):
        entry = {
            "when": _plain(record.history_date),
            "change": record.get_history_type_display(),
            "by": str(record.history_user) if record.history_user_id else "",
        }
        entry.update(_values(record.instance))
        entries.append(entry)
    return entries


def subject_access_export(person, *, by, fmt: str, request=None) -> dict:
    """Everything held about one person, support notes included, as plain data; audited."""
    rows = held_about(person)
    records, history = [], []
    for model, items in by_model(rows[1:]).items():
        records.append(
            {
                "label": model._meta.label_lower,
                "title": str(model._meta.verbose_name_plural).capitalize(),
                "rows": [_values(item) for item in items],
            }
        )
    for model, items in by_model(rows).items():
        entries = _history_rows(model, items)
        if entries:
            history.append(
                {
                    "label": model._meta.label_lower,
                    "title": f"Changes to {model._meta.verbose_name_plural}",
                    "rows": entries,
                }
            )
    trail = [
        {
            "when": _plain(event.at),
            "who": event.actor_label or "the service",
            "action": event.action,
            "record": f"{event.object_type} {event.object_id}".strip(),
            "detail": event.detail,
        }
        for event in AuditEvent.objects.filter(trail_filter(rows)).order_by("at", "id")
    ]
    audit.record(
        "person.exported",
        request=request,
        actor=by,
        obj=person,
        format=fmt,
        rows=len(rows),
        audit_events=len(trail),
    )
    return {
        "generated_at": _plain(timezone.now()),
        "generated_by": str(by.email),
        "person": _values(person),
        "records": records,
        "change_history": history,
        "audit_trail": trail,
    }
