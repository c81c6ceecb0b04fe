"""Seeds the realistic demo reviews and people (`seed_incidents`) and the self-referrals
(`seed_referrals`), from the data in `peersupport.demo.incidents_data`.

It goes through `incidents.services`, so status rows, history and audit events exist as they
would for real work. It is keyed on organisation names and review references, so it is safe to
run again: a review that already exists is left as it is.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from incidents import services
from incidents.models import (
    SERIOUS_INCIDENT_FRAMEWORK,
    AffectedPerson,
    AvoidDate,
    Channel,
    Consent,
    ConsentRecord,
    Nation,
    Organisation,
    Review,
    SelfReferral,
    Service,
    TeamMember,
)
from incidents.preferences import Experience, Gender, Language, from_words
from incidents.referrals import convert_referral, submit_referral
from peersupport.demo.common import day_at
from peersupport.demo.incidents_data import (
    ENGLAND_ORG,
    ENGLAND_REVIEWS,
    ORGANISATIONS,
    PATH,
    SH,
    TEAM,
    THIS_WEEK,
    WALES_ORG,
    WALES_REVIEWS,
    C,
    P,
    PersonSpec,
    ReviewSpec,
)
from peersupport.demo.supporters_data import STORIES
from peersupport.models import Message, MessageStatus
from supporters.models import OfferStatusChange, SupportOffer

# When each story's first step happened (days ago), by review and person: they were logged a
# few days before.
STORY_STARTS = {(story.reference, story.person): story.steps[0].days_ago for story in STORIES}


def _preferences(spec) -> dict:
    """What the demo person asked for, from the lists; they agreed to gender being used."""
    values = {}
    for kind, choices, words in (
        ("prefers_supporter_gender", Gender, spec.prefers_gender),
        ("prefers_language", Language, spec.prefers_language),
        ("prefers_lived_experience", Experience, spec.prefers_lived_experience),
    ):
        values[kind], values[f"{kind}_own"] = from_words(choices, words)
    if spec.prefers_gender:
        values["matching_consent_at"] = timezone.now()
    return values


def _this_week(today: date) -> date:
    """A day later this week (Monday to Sunday), so it shows in the work queue."""
    return today + timedelta(days=min(2, 6 - today.weekday()))


def _clamp(day: date, today: date) -> date:
    return min(day, today)


def seed_organisations(users: dict) -> dict[str, Organisation]:
    """The two organisations, their services and team members; returns them by name."""
    organisations = {}
    for name, nation, phone, lead, team, service_names in ORGANISATIONS:
        organisation, _ = Organisation.objects.get_or_create(
            name=name, defaults={"nation": nation, "phone": phone, "lead": users[lead]}
        )
        if organisation.lead_id is None:
            organisation.lead = users[lead]
            organisation.save()
        for service_name in service_names:
            Service.objects.get_or_create(organisation=organisation, name=service_name)
        for email in team:
            membership, created = TeamMember.objects.get_or_create(
                user=users[email], defaults={"organisation": organisation}
            )
            if not created and membership.organisation_id != organisation.pk:
                membership.organisation = organisation
                membership.save()
        organisations[name] = organisation
    return organisations


class _Phones:
    """Ofcom drama numbers, handed out in order so each seeded person keeps the same one."""

    def __init__(self):
        self.mobile = 100
        self.landline = 100

    def next(self, landline: bool) -> str:
        if landline:
            self.landline += 1
            return f"+441632960{self.landline:03d}"
        self.mobile += 1
        return f"+447700900{self.mobile:03d}"


def _email(name: str) -> str:
    return ".".join(name.lower().split()) + "@example.com"


def _create_review(organisation, spec: ReviewSpec, users, phones: _Phones, today: date) -> Review:
    lead = users[spec.lead]
    services_by_name = {s.name: s for s in organisation.services.all()}
    reported = today - timedelta(days=spec.days_ago)
    number = int(spec.reference.rsplit("-", 1)[1])
    review = Review(
        organisation=organisation,
        reference=spec.reference,
        datix_ref=f"W{480000 + number * 37}",
        incident_date=reported - timedelta(days=1 + number % 3),
        reported_date=reported,
        service=services_by_name[spec.service],
        category=spec.category,
        response_type=spec.response_type,
        harm_level=spec.harm_level,
        lead_investigator=lead,
        summary=spec.summary,
        restricted=spec.restricted,
    )
    if organisation.nation == Nation.ENGLAND:
        review.lfpse_ref = f"{2100000 + number * 53}"
    if spec.response_type in SERIOUS_INCIDENT_FRAMEWORK:
        review.steis_ref = f"{reported.year}/{11000 + number * 7}"
        if spec.initial_report_sent and spec.days_ago > 2:
            review.initial_report_sent_on = reported + timedelta(days=2)
    if spec.agreed_in_days is not None:
        review.family_agreed_due_on = today + timedelta(days=spec.agreed_in_days)
    notified = spec.candour_notified if spec.candour_notified is not None else spec.days_ago > 8
    if notified:
        review.candour_notified_on = _clamp(reported + timedelta(days=6), today)
    if spec.status in (SH, C):
        sent = reported + timedelta(days=int(spec.days_ago * 0.8))
        if spec.closed_days_ago is not None:
            sent = min(sent, today - timedelta(days=spec.closed_days_ago + 7))
        review.report_sent_on = _clamp(max(sent, reported), today)
    review._history_user = lead
    named = [users[email] for email in spec.named]
    services.save_review(review, by=lead, team_members=named if spec.restricted else None)

    _walk_status(review, spec, lead, today)
    _backdate_status_changes(review, today)

    for kind, offset, done in spec.milestones:
        due = _this_week(today) if offset == THIS_WEEK else today + timedelta(days=offset)
        milestone = services.add_milestone(review, kind, due, by=lead)
        if done:
            services.complete_milestone(milestone, _clamp(due, today), by=lead)

    for person_spec in spec.people:
        _create_person(review, person_spec, lead, phones, today)
    return review


def _walk_status(review: Review, spec: ReviewSpec, lead, today: date) -> None:
    """Take the review through each stage to its status, as the team would have."""
    target = spec.status
    stop = spec.paused_at if target == P else (SH if target == C else target)
    for status in PATH[1 : PATH.index(stop) + 1]:
        services.change_review_status(review, status, by=lead)
    if target == P:
        services.change_review_status(review, P, by=lead, reason=spec.pause_reason)
    elif target == C:
        closed_on = today - timedelta(days=spec.closed_days_ago or 0)
        services.change_review_status(review, C, by=lead, closed_on=closed_on)


def _backdate_status_changes(review: Review, today: date) -> None:
    """Spread the status rows between the date reported and the last change, oldest first."""
    changes = list(review.status_changes.order_by("id"))
    end = review.closed_on or max(review.reported_date, today - timedelta(days=3))
    span = (end - review.reported_date).days
    for index, change in enumerate(changes):
        fraction = index / (len(changes) - 1) if len(changes) > 1 else 0
        change.changed_at = day_at(review.reported_date + timedelta(days=int(span * fraction)))
        change.save(update_fields=["changed_at"])
    Review.objects.filter(pk=review.pk).update(created_at=day_at(review.reported_date, 9))
    # The review's history rows, likewise: it was first saved the day it was reported.
    rows = list(review.history.order_by("history_id").values_list("history_id", flat=True))
    for index, history_id in enumerate(rows):
        fraction = index / (len(rows) - 1) if len(rows) > 1 else 0
        when = day_at(review.reported_date + timedelta(days=int(span * fraction)))
        review.history.filter(history_id=history_id).update(history_date=when)


def _create_person(review: Review, spec: PersonSpec, lead, phones: _Phones, today: date):
    person = AffectedPerson(
        review=review,
        organisation=review.organisation,
        kind=spec.kind,
        relationship=spec.relationship,
        bereaved=spec.bereaved,
        full_name=spec.name,
        preferred_name=spec.preferred,
        email=_email(spec.name),
        phone=phones.next(spec.landline),
        address=spec.address,
        preferred_channel=spec.channel,
        safe_times=spec.safe_times,
        language=spec.language,
        interpreter_needed=spec.interpreter,
        accessible_formats=list(spec.formats),
        accessibility_needs=spec.needs,
        staff_role=spec.staff_role,
        staff_team=spec.staff_team,
        **_preferences(spec),
    )
    person._history_user = lead
    services.save_person(person, by=lead)
    services.record_consent(person, ConsentRecord.Kind.CONTACT, spec.contact, spec.method, by=lead)
    services.record_consent(person, ConsentRecord.Kind.SHARE, spec.share, spec.method, by=lead)
    if spec.do_not_contact:
        services.set_do_not_contact(person, True, by=lead)
    if spec.anniversary:
        anniversary = _next_anniversary(review.incident_date, today)
        services.add_avoid_date(person, anniversary, AvoidDate.Reason.ANNIVERSARY, by=lead)
    if spec.funeral_days_after is not None:
        funeral = review.incident_date + timedelta(days=spec.funeral_days_after)
        services.add_avoid_date(person, funeral, AvoidDate.Reason.FUNERAL, by=lead)
    if spec.inquest_in_days is not None:
        inquest = today + timedelta(days=spec.inquest_in_days)
        services.add_avoid_date(person, inquest, AvoidDate.Reason.INQUEST, by=lead)
    backdate_person(person, _logged_at(review, spec, today))
    return person


def _logged_at(review: Review, spec: PersonSpec, today: date):
    """When the team logged the person. Someone with a support story: a few days before
    their offer. Someone else with consent in a review older than a month: the day after the
    review was reported (they are offered then too, by `peersupport.demo.history`). Everyone
    else (waiting for a supporter, not yet asked, declining contact): this month, some logged
    late, so they wait now rather than for months."""
    reported = review.reported_date
    first_step = STORY_STARTS.get((review.reference, spec.name))
    if first_step is not None:
        day = max(reported, today - timedelta(days=first_step + 3))
    elif spec.contact == Consent.GIVEN and not spec.do_not_contact and (today - reported).days > 30:
        day = reported + timedelta(days=1)
    else:
        day = max(reported + timedelta(days=1), today.replace(day=1))
    return min(day_at(min(day, today), 9), timezone.now())


def backdate_person(person: AffectedPerson, logged) -> None:
    """Date the person, their history rows, consent records and any offer that opened with
    their consent to when they were logged (consent an hour later)."""
    consented = min(logged + timedelta(hours=1), timezone.now())
    AffectedPerson.objects.filter(pk=person.pk).update(created_at=logged)
    person.history.update(history_date=logged)
    AvoidDate.history.filter(person_id=person.pk).update(history_date=consented)
    person.consents.update(recorded_at=consented)
    offers = SupportOffer.objects.filter(person=person, created_at__gt=consented)
    OfferStatusChange.objects.filter(offer__in=offers).update(changed_at=consented)
    offers.update(created_at=consented)


def _next_anniversary(day: date, today: date) -> date:
    for year in (today.year, today.year + 1):
        try:
            candidate = day.replace(year=year)
        except ValueError:  # 29 February
            candidate = date(year, 3, 1)
        if candidate >= today:
            return candidate
    return candidate


def seed_incidents(users: dict, today: date | None = None) -> dict[str, int]:
    """Create the organisations and the realistic reviews; existing reviews are left alone.

    `users` maps the demo logins' email addresses to their users. Returns how many reviews
    were added for each organisation.
    """
    today = today or timezone.localdate()
    organisations = seed_organisations(users)
    phones = _Phones()
    added = {}
    for name, specs in ((ENGLAND_ORG, ENGLAND_REVIEWS), (WALES_ORG, WALES_REVIEWS)):
        organisation = organisations[name]
        existing = set(
            Review.objects.filter(organisation=organisation).values_list("reference", flat=True)
        )
        added[name] = 0
        for spec in specs:
            if spec.reference in existing:
                # Keep the phone numbers handed out in the same order as the first run.
                for person_spec in spec.people:
                    phones.next(person_spec.landline)
                continue
            with transaction.atomic():
                _create_review(organisation, spec, users, phones, today)
            added[name] += 1
    seed_referrals(organisations, users, today)
    return added


@dataclass(frozen=True)
class ReferralSpec:
    """A member of staff who asked for support themselves, from the public form."""

    name: str
    team: str
    what_happened: str
    event_days_ago: int
    asked_days_ago: int
    contact_how: str
    contact_when: str
    phone: str
    staff_role: str = ""  # set by the team when they add the person; "" while it waits
    converted_days_ago: int | None = None  # None: still waiting on the work queue


REFERRALS = [
    ReferralSpec(
        "Aisha Rahman",
        "Ward 5 (older adults)",
        "A patient I was looking after collapsed and died on my shift. I keep going over it.",
        event_days_ago=6,
        asked_days_ago=1,
        contact_how=Channel.EMAIL,
        contact_when="Weekdays after 4pm",
        phone="+447700900981",
    ),
    ReferralSpec(
        "Marcus Greenhalgh",
        "Crisis and home treatment team (Preston)",
        "On a home visit I found a man we support had taken his own life. No review has been "
        "started yet.",
        event_days_ago=12,
        asked_days_ago=10,
        contact_how=Channel.PHONE,
        contact_when="Any time on my days off (Mondays and Tuesdays)",
        phone="+447700900982",
        staff_role="Support worker",
        converted_days_ago=9,
    ),
]


def seed_referrals(organisations, users, today: date | None = None) -> int:
    """Requests for support in England: one still waiting on the work queue, one the team has
    already turned into a member of staff with an offer and no review. Keyed on the name, so
    safe to run again. Their acknowledgement emails count as sent when they were asked."""
    today = today or timezone.localdate()
    organisation = organisations[ENGLAND_ORG]
    team = users[TEAM]
    added = 0
    for spec in REFERRALS:
        if SelfReferral.objects.filter(organisation=organisation, name=spec.name).exists():
            continue
        with transaction.atomic():
            last = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            referral = submit_referral(
                organisation=organisation,
                name=spec.name,
                email=_email(spec.name),
                phone=spec.phone,
                team=spec.team,
                what_happened=spec.what_happened,
                event_date=today - timedelta(days=spec.event_days_ago),
                contact_how=spec.contact_how,
                contact_when=spec.contact_when,
            )
            asked = min(day_at(today - timedelta(days=spec.asked_days_ago), 21), timezone.now())
            SelfReferral.objects.filter(pk=referral.pk).update(created_at=asked)
            Message.objects.filter(pk__gt=last, status=MessageStatus.PENDING).update(
                status=MessageStatus.SENT, created_at=asked, due_at=asked, sent_at=asked
            )
            if spec.converted_days_ago is not None:
                person = convert_referral(referral, by=team)
                person.staff_role = spec.staff_role
                services.save_person(person, by=team)
                # Logged this month (at the latest): waiting now, not since last month.
                day = max(today - timedelta(days=spec.converted_days_ago), today.replace(day=1))
                converted = min(day_at(day, 9), timezone.now())
                SelfReferral.objects.filter(pk=referral.pk).update(converted_at=converted)
                backdate_person(person, converted)
        added += 1
    return added
