"""The changes that move the stored monthly figures (peersupport.dashboard.stored), noted when
they are committed so the next refresh recounts the months they move.

- Anything about a person or their support (the person, an offer, its status history, a
  contact) can move every month from the one the person was logged in: their cohort, their
  first offer, answers, endings and contacts all come after it, and whether they count at all
  depends on their consent now.
- A survey response moves the month it was submitted in.
- Anything about supporters (a supporter's places or organisations, their status history,
  supervision or check-ins) moves the supporters' figures in every month: a supporter's
  places and organisations are read as they are now. Those figures are cheap to count.

Only saves and deletes send signals: a `QuerySet.update` or `bulk_create` (the demo data,
say) moves figures unnoticed until the nightly recount, so the services change people one by
one."""

from __future__ import annotations

from datetime import date
from functools import partial

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from feedback.models import Answer, Response
from incidents.models import AffectedPerson
from peersupport.dashboard import stored
from peersupport.dashboard.filters import UK
from supporters.models import (
    Contact,
    OfferStatusChange,
    PeerSupporter,
    SupervisionSession,
    SupporterStatusChange,
    SupportOffer,
    WellbeingCheckIn,
)

PERSON_MOVES = (*stored.PEOPLE, "supporters")  # the people assigned to each supporter


def _month(moment) -> date | None:
    return timezone.localtime(moment, UK).date().replace(day=1) if moment else None


def _mark(queries, since_moment=None, *, every_month=False) -> None:
    if every_month or since_moment is not None:
        stored.mark_changed(queries, _month(since_moment), timezone.now())


def _on_commit(function, *args, **kwargs) -> None:
    transaction.on_commit(partial(function, *args, **kwargs))


def _person_logged(**lookup) -> None:
    """Mark the months from when the person this row belongs to was logged."""
    logged = AffectedPerson.objects.filter(**lookup).values_list("created_at", flat=True).first()
    _mark(PERSON_MOVES, logged)


def person_changed(sender, instance, **kwargs) -> None:
    _on_commit(_mark, PERSON_MOVES, instance.created_at)


def offer_changed(sender, instance, **kwargs) -> None:
    _on_commit(_person_logged, pk=instance.person_id)


def offer_history_changed(sender, instance, **kwargs) -> None:
    _on_commit(_person_logged, offers__pk=instance.offer_id)


def response_changed(sender, instance, **kwargs) -> None:
    _on_commit(_mark, stored.SURVEYS, instance.submitted_at)


def _answer_moved(response_id) -> None:
    submitted = Response.objects.filter(pk=response_id).values_list("submitted_at", flat=True)
    _mark(stored.SURVEYS, submitted.first())


def answer_changed(sender, instance, **kwargs) -> None:
    _on_commit(_answer_moved, instance.response_id)


def supporters_changed(sender, **kwargs) -> None:
    _on_commit(_mark, stored.SUPPORTERS, every_month=True)


def connect() -> None:
    """Connected once, by the dashboard's AppConfig.ready()."""
    receivers = [
        (person_changed, AffectedPerson),
        (offer_changed, SupportOffer),
        (offer_history_changed, OfferStatusChange),
        (offer_history_changed, Contact),
        (response_changed, Response),
        (answer_changed, Answer),
        (supporters_changed, PeerSupporter),
        (supporters_changed, SupporterStatusChange),
        (supporters_changed, SupervisionSession),
        (supporters_changed, WellbeingCheckIn),
    ]
    for receiver, model in receivers:
        uid = f"peersupport.dashboard.changes.{receiver.__name__}.{model.__name__}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid)
        post_delete.connect(receiver, sender=model, dispatch_uid=uid)
    m2m_changed.connect(
        supporters_changed,
        sender=PeerSupporter.organisations.through,
        dispatch_uid="peersupport.dashboard.changes.supporters_changed.organisations",
    )
