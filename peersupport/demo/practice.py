"""Seeds support in practice: contacts, a concern, check-ins and a group debrief (`seed_practice`).

The realistic set goes through supporters.practice.services, so status rows, audit and messages are
real; `seed_practice_scale` bulk-inserts about 15 contacts per scale review for benchmarks.
"""

import json
import random
from datetime import timedelta

from django.utils import timezone

from incidents.models import Organisation, Review
from peersupport import outbox
from peersupport.demo.common import day_at, insert_rows
from peersupport.demo.incidents_data import ENGLAND_ORG
from peersupport.demo.incidents_scale import SCALE_PREFIX
from peersupport.demo.supporters_data import SUPERVISOR, SUPPORTER, SUPPORTER2
from peersupport.models import Alert, Message, MessageChannel, MessageStatus
from supporters.models import (
    CloseReason,
    Concern,
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
from supporters.practice import services as practice

NOTES = [
    "Talked through what the terms of reference mean. Wants to know when the draft is due.",
    "Anniversary coming up next month; will check in the week before.",
    "Found it helpful to hear how my own family's review went.",
    "",
]


def seed_practice(today=None) -> int:
    """Contacts for the demo supporters' people, one open concern and one the team has
    acknowledged, check-ins and a debrief. Safe to run twice: the contacts, check-ins and
    debrief are added only while the demo supporters have no contacts, and the acknowledged
    concern only while there is none."""
    today = today or timezone.localdate()
    supporters = {
        s.user.email: s
        for s in PeerSupporter.objects.filter(
            user__email__in=[SUPPORTER, SUPPORTER2]
        ).select_related("user", "supervisor")
    }
    if not supporters:
        return 0
    first_message = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    added = 0
    if not Contact.objects.filter(supporter__in=supporters.values()).exists():
        added = _contacts(supporters, today)
        _checkins(supporters, today)
        _debrief(today)
    _acknowledged_concern(supporters.get(SUPPORTER))
    _settle(first_message)
    return added


def _contacts(supporters, today) -> int:
    """Three contacts for each person the demo supporters support, and an open concern."""
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
    return added


def _acknowledged_concern(supporter):
    """An older concern, raised from the supporter's first contact and dealt with by the
    organisation's lead within the hour, so the team's concern list shows both kinds."""
    if supporter is None:
        return
    if Concern.objects.filter(raised_by=supporter, acknowledged_at__isnull=False).exists():
        return
    contact = (
        Contact.objects.filter(supporter=supporter, offer__status=OfferStatus.ACTIVE)
        .select_related("offer__person__organisation__lead")
        .order_by("happened_on", "pk")
        .first()
    )
    lead = contact.offer.person.organisation.lead if contact is not None else None
    if lead is None:
        return
    last = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    concern = practice.raise_concern(
        contact.offer,
        supporter,
        kind="safeguarding",
        contact=contact,
        details="Said the elderly relative who lives with them has been left without any care "
        "since the death and they cannot manage both. No one is in danger today.",
    )
    raised = min(day_at(contact.happened_on, 15), timezone.now())
    acknowledged = min(raised + timedelta(minutes=50), timezone.now())
    # The team's alerts went at the time; only the escalation was still waiting.
    alerts = Message.objects.filter(pk__gt=last, kind="concern_raised")
    for message in alerts.filter(channel=MessageChannel.IN_APP):
        outbox.deliver(message.pk)
    alerts.filter(status=MessageStatus.PENDING).update(status=MessageStatus.SENT)
    practice.acknowledge_concern(
        concern,
        by=lead,
        action_taken="Phoned them the same afternoon. With their agreement, referred the "
        "relative to adult social care for an urgent carer's assessment, and let the supporter "
        "know what we had done.",
    )
    Concern.objects.filter(pk=concern.pk).update(raised_at=raised, acknowledged_at=acknowledged)
    Message.objects.filter(pk__gt=last).update(created_at=raised, due_at=raised)
    Message.objects.filter(pk__gt=last, status=MessageStatus.SENT).update(sent_at=raised)
    Alert.objects.filter(message__pk__gt=last).update(created_at=raised, read_at=acknowledged)


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


CONTACTS_PER_REVIEW = 15  # on average, over every review of the run


def seed_practice_scale(run: int, *, batch_size: int = 2000) -> int:
    """About 15 contacts for every review of scale run `run` (150,000 for 10,000 reviews),
    shared among the offers that reached active support, each within its support's dates."""
    rng = random.Random(f"practice-{run}")
    today = timezone.localdate()
    now = timezone.now()
    prefix = f"{SCALE_PREFIX}{run:04d}-"
    offers = list(
        SupportOffer.objects.filter(
            person__review__reference__startswith=prefix, supporter__isnull=False
        )
        .filter(status__in=[OfferStatus.ACTIVE, OfferStatus.CLOSED])
        .exclude(close_reason=CloseReason.REASSIGNED)
        .values_list("pk", "supporter_id", "created_at", "closed_at")
    )
    if not offers:
        return 0
    reviews = Review.objects.filter(reference__startswith=prefix).count()
    # Between 1 and `most` contacts each, so `(1 + most) / 2` on average.
    most = max(1, round(2 * CONTACTS_PER_REVIEW * reviews / len(offers)) - 1)
    modes = [m.value for m in ContactMode]
    topic_sets = [json.dumps([str(t) for t in topics]) for topics in TOPIC_SETS]
    minutes = [10, 20, 30, 45, 60]
    rows = []
    for offer_id, supporter_id, created_at, closed_at in offers:
        start = timezone.localdate(created_at)
        end = timezone.localdate(closed_at) if closed_at else today
        span = max((end - start).days + 1, 1)  # from the offer to the day support closed
        for _ in range(rng.randint(1, most)):
            rows.append(
                (
                    offer_id,
                    supporter_id,
                    start + timedelta(days=rng.randrange(span)),
                    rng.choice(modes),
                    rng.choice(minutes),
                    rng.choice(topic_sets),
                    "",
                    now,
                )
            )
    insert_rows(Contact, CONTACT_COLUMNS, rows, batch_size)
    return len(rows)
