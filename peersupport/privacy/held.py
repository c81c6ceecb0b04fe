"""What is held about a person (`held_about`), found the same way for the subject access export
and for anonymisation: the person's row, every row that points to it and every row that points to
those (offers, contacts with their notes, concerns, consents, avoid-dates, the request for
support, survey invitations and answers, erasure refusals, links), the messages any of them
caused and the letters and alerts those made. A model added later that points to the person is
found too, so neither the export nor anonymisation has to be told about it.

Also which fields may hold free text (`free_text_fields`) and which are never shown
(`SECRET_FIELDS`)."""

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_model_for_model

from peersupport.models import Message

# Text fields that hold codes the service itself wrote, not anything typed about a person.
CODE_FIELDS = frozenset(
    {
        "object_type",
        "object_id",
        "cause_type",
        "cause_id",
        "kind",
        "nation",
        "link",
        "last_error",
        "cancelled_reason",
        "deferred_reason",
    }
)
# Never shown, even to the person: only a hash, or our own bookkeeping.
SECRET_FIELDS = frozenset({"token_hash", "idempotency_key", "password"})


def free_text_fields(model) -> list[str]:
    """The fields of `model` that may hold anything typed: text without fixed choices, other
    than codes, slugs, unique keys and fields nobody edits."""
    names = []
    for field in model._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        if isinstance(field, models.SlugField) or field.choices or field.primary_key:
            continue
        if field.unique or not field.editable or field.name in CODE_FIELDS | SECRET_FIELDS:
            continue
        names.append(field.name)
    return names


def history_model(model):
    """The change-history model of `model`, or None if its changes are not tracked."""
    try:
        return get_history_model_for_model(model)
    except NotHistoricalModelError:
        return None


def reverse_relations(obj):
    """The rows pointing to `obj` (one-to-many and one-to-one; hidden relations are skipped,
    which leaves out the audit log and change-history tables: they are handled on their own)."""
    for relation in obj._meta.related_objects:
        if relation.many_to_many:
            continue
        accessor = relation.get_accessor_name()
        if relation.one_to_one:
            try:
                yield getattr(obj, accessor)
            except ObjectDoesNotExist:
                continue
        else:
            yield from getattr(obj, accessor).all()


def held_about(person) -> list[models.Model]:
    """Every row held about `person`, the person first (see the module docstring)."""
    found: dict[tuple[str, object], models.Model] = {}
    queue = [person]
    while queue:
        obj = queue.pop(0)
        key = (obj._meta.label_lower, obj.pk)
        if key in found:
            continue
        found[key] = obj
        queue.extend(reverse_relations(obj))
        if not isinstance(obj, Message):
            queue.extend(Message.objects.filter(cause_type=key[0], cause_id=str(obj.pk)))
    return list(found.values())


def held_about_invitation(invitation) -> list[models.Model]:
    """A survey invitation and what hangs off it (the response and its answers)."""
    found, queue = [], [invitation]
    while queue:
        obj = queue.pop(0)
        found.append(obj)
        queue.extend(reverse_relations(obj))
    return found


def by_model(rows) -> dict[type, list]:
    """The rows grouped by their model, in the order first seen."""
    grouped: dict[type, list] = {}
    for row in rows:
        grouped.setdefault(type(row), []).append(row)
    return grouped


def trail_filter(rows) -> Q:
    """The audit events about any of `rows`."""
    query = Q(pk__in=[])
    for model, items in by_model(rows).items():
        query |= Q(object_type=model._meta.label_lower, object_id__in=[str(r.pk) for r in items])
    return query
