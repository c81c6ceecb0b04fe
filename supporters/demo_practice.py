"""Demo data for support in practice: contacts, a concern, check-ins, a group debrief.

The realistic set goes through supporters.practice, so status rows, audit and messages are
real; `seed_practice_scale` bulk-inserts about 15 contacts per scale review for benchmarks.
"""

import json
import random
from datetime import timedelta

from django.utils import timezone

from incidents.demo import ENGLAND_ORG, SCALE_PREFIX
from incidents.models import Organisation
from peersupport import outbox
from peersupport.models import Message, MessageChannel, MessageStatus
from supporters import practice
from supporters.demo import SUPERVISOR, SUPPORTER, SUPPORTER2, _insert
from supporters.models import (
    CloseReason,
    Contact,
    ContactMode,
    GroupDebrief,
    OfferStatus,
    PeerSupporter,
    SignpostService,
    SupportOffer,
    Topic,
    WellbeingCheckIn,
)

NOTES = [
    "Talked through what the terms of reference mean. Wants to know when the draft is due.",
    "Anniversary coming up next month; will check in the week before.",
    "Found it helpful to hear how my own family's review went.",
    "",
]


def seed_practice(today=None) -> int:
    """Contacts for the demo supporters' people, one open concern, check-ins and a debrief.
    Safe to run twice: does nothing once the demo supporters have contacts."""
    today = today or timezone.localdate()
    supporters = {
        s.user.email: s
        for s in PeerSupporter.objects.filter(
            user__email__in=[SUPPORTER, SUPPORTER2]
        ).select_related("user", "supervisor")
    }
    if not supporters or Contact.objects.filter(supporter__in=supporters.values()).exists():
        return 0
    first_message = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    signposts = list(SignpostService.objects.all()[:2])
    added = 0
    for email, supporter in supporters.items():
        offers = supporter.offers.filter(status__in=[OfferStatus.ACTIVE, OfferStatus.ACCEPTED])
        for index, offer in enumerate(offers.select_related("person")):
            if offer.status == OfferStatus.ACCEPTED and index == 0 and email == SUPPORTER:
                continue  # leave one accepted offer with no contact yet
            for days_ago, mode, minutes, topics, note in [
                (20, ContactMode.PHONE, 40, [Topic.EMOTIONAL, Topic.PROCESS], NOTES[0]),
                (9, ContactMode.IN_PERSON, 60, [Topic.EMOTIONAL], NOTES[2]),
                (2, ContactMode.MESSAGE, 10, [Topic.PRACTICAL, Topic.SIGNPOSTING], NOTES[1]),
            ]:
                contact = practice.record_contact(
                    offer,
                    supporter,
                    happened_on=today - timedelta(days=days_ago),
                    mode=mode,
                    minutes=minutes,
                    topics=topics,
                    signposted_to=signposts if Topic.SIGNPOSTING in topics else (),
                    note=note,
                )
                added += 1
            if email == SUPPORTER and not offer.concerns.exists():
                practice.raise_concern(
                    offer,
                    supporter,
                    kind="self_harm",
                    contact=contact,
                    details="Said they have been having thoughts of ending their life since the "
                    "inquest date was set. No immediate plan. I gave them the Samaritans number.",
                )
    _checkins(supporters, today)
    _debrief(today)
    _settle(first_message)
    return added


def _checkins(supporters, today):
    now = timezone.now()
    plans = {
        SUPPORTER: [(40, 4, 4, False), (10, 4, 3, False)],
        SUPPORTER2: [(35, 3, 4, False), (1, 2, 3, True)],
    }
    for email, supporter in supporters.items():
        for days_ago, empowered, coping, debrief in plans[email]:
            checkin = practice.record_checkin(
                supporter, empowered=empowered, coping=coping, wants_debrief=debrief
            )
            WellbeingCheckIn.objects.filter(pk=checkin.pk).update(
                created_at=now - timedelta(days=days_ago)
            )


def _debrief(today):
    organisation = Organisation.objects.filter(name=ENGLAND_ORG).first()
    supervisor = (
        PeerSupporter.objects.filter(supervisor__email=SUPERVISOR)
        .values_list("supervisor", flat=True)
        .first()
    )
    if organisation and not GroupDebrief.objects.filter(organisation=organisation).exists():
        GroupDebrief.objects.create(
            organisation=organisation,
            team="Ward 3 (adult acute)",
            held_on=today - timedelta(days=12),
            facilitators="Two TRiM practitioners",
            attendance=9,
            follow_up="Offer one-to-one peer support to the two nurses on shift; check in at 28 days.",
            recorded_by_id=supervisor,
        )


def _settle(first_message):
    """The demo's events are in the past: deliver its in-app alerts now (so the demo shows
    them) and mark everything else sent, so starting the worker emails no made-up address."""
    demo = Message.objects.filter(pk__gt=first_message, status=MessageStatus.PENDING)
    for message in demo.filter(channel=MessageChannel.IN_APP, due_at__lte=timezone.now()):
        outbox.deliver(message.pk)
    demo.update(status=MessageStatus.SENT, sent_at=timezone.now())


CONTACT_COLUMNS = [
    "offer",
    "supporter",
    "happened_on",
    "mode",
    "minutes",
    "topics",
    "note",
    "created_at",
]
TOPIC_SETS = [
    [Topic.EMOTIONAL],
    [Topic.PROCESS],
    [Topic.EMOTIONAL, Topic.PROCESS],
    [Topic.PRACTICAL],
    [Topic.EMOTIONAL, Topic.SIGNPOSTING],
]


def seed_practice_scale(run: int, *, batch_size: int = 2000) -> int:
    """About 13 contacts for every offer of scale run `run` that reached active support."""
    rng = random.Random(f"practice-{run}")
    today = timezone.localdate()
    now = timezone.now()
    offers = (
        SupportOffer.objects.filter(
            person__review__reference__startswith=f"{SCALE_PREFIX}{run:04d}-",
            supporter__isnull=False,
        )
        .filter(status__in=[OfferStatus.ACTIVE, OfferStatus.CLOSED])
        .exclude(close_reason=CloseReason.REASSIGNED)
        .values_list("pk", "supporter_id", "created_at")
    )
    modes = [m.value for m in ContactMode]
    rows = []
    for offer_id, supporter_id, created_at in offers.iterator():
        start = max(timezone.localdate(created_at), today - timedelta(days=540))
        span = max((today - start).days, 1)
        for _ in range(rng.randint(1, 25)):
            day = start + timedelta(days=rng.randrange(span))
            topics = json.dumps([str(t) for t in rng.choice(TOPIC_SETS)])
            rows.append(
                (
                    offer_id,
                    supporter_id,
                    day,
                    rng.choice(modes),
                    rng.choice([10, 20, 30, 45, 60]),
                    topics,
                    "",
                    now,
                )
            )
    _insert(Contact, CONTACT_COLUMNS, rows, batch_size)
    return len(rows)
