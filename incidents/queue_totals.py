"""The work queue's section totals ("25,387 people waiting for a supporter"), cached.

Each section shows its first rows, read fresh on every request. Counting every row behind them
took most of the page's time at national scale (25,000 people waiting, 7,000 to contact again:
over a second), so the totals are kept in the cache until anything they count changes:

- Per user and organisation (a restricted review counts only for those named on it): one
  team's figures are never shown to another, nor one person's to a colleague.
- Under a generation that every saved or deleted person, review, review naming, milestone,
  request for support, team membership, offer, concern or reassignment task moves on, at once
  and again when its transaction commits (`changed`). Changes go through `save()` (tests/test_no_bulk_changes.py);
  where a service changes rows in bulk it calls `changed()` itself.
- Under the day and the deadline horizon, which move the milestones, the people to contact
  again and the deadlines.

What may be stale, and for how long: a change made outside the models' signals (a database
console, a restore) is not seen until TOTALS_SECONDS have passed. A section showing fewer rows
than its limit shows how many it shows, never the cached figure, and no total is shown below the
rows on the page.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "work-queue:generation"
TOTALS_SECONDS = 10 * 60  # the longest a change made outside the signals goes unseen


def generation() -> int:
    """The current generation. When the cache has none (new, or evicted), a fresh one from the
    clock, above any number used before, so totals kept under an old one are never read again."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)  # unless another request did
        value = cache.get(GENERATION_KEY)
    return value


def _move_on() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not in the cache (new, or evicted): start afresh
        generation()


def changed(**kwargs) -> None:
    """Something a total counts has changed: move on at once, for the rest of this transaction,
    and again after the commit, so a total that another request counted meanwhile (before it
    could see the change) is left under the generation before."""
    _move_on()
    transaction.on_commit(_move_on)


def totals_for(user, organisation, moments: tuple, count: Callable[[], dict]) -> dict:
    """The user's totals for the day: from the cache, or `count()` and kept."""
    moments_key = ":".join(str(moment) for moment in moments)
    key = f"work-queue:totals:{generation()}:{organisation.pk}:{user.pk}:{moments_key}"
    totals = cache.get(key)
    if totals is None:
        totals = count()
        cache.set(key, totals, timeout=TOTALS_SECONDS)
    return totals


def at_least(total: int, shown: list, limit: int) -> int:
    """A section that shows fewer rows than its limit shows all of them: its total is what it
    shows, however recent the cached figure."""
    return len(shown) if len(shown) < limit else max(total, len(shown))


def watch(*models, m2m=()) -> None:
    """Move the totals on whenever one of these models is saved or deleted."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for model in models:
        uid = f"work-queue:{model._meta.label}"
        post_save.connect(changed, sender=model, dispatch_uid=f"{uid}:save", weak=False)
        post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}:delete", weak=False)
    for through in m2m:
        uid = f"work-queue:{through._meta.label}:m2m"
        m2m_changed.connect(changed, sender=through, dispatch_uid=uid, weak=False)
