"""seed_demo: a realistic, idempotent demo set, and --scale for benchmarks."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from incidents.access import reviews_ever_named
from incidents.models import (
    SERIOUS_INCIDENT_FRAMEWORK,
    AffectedPerson,
    AvoidDate,
    Consent,
    ConsentRecord,
    Milestone,
    Nation,
    Organisation,
    PersonKind,
    ResponseType,
    Review,
    ReviewStatus,
    ReviewStatusChange,
    SelfReferral,
    Service,
    TeamMember,
)
from incidents.selectors import people_to_contact_again, people_waiting_for_a_supporter
from peersupport.demo.incidents_data import ENGLAND_ORG, WALES_ORG
from peersupport.demo.supporters_data import SUPERVISOR, SUPPORTER, SUPPORTER2, WALES_SUPERVISOR
from peersupport.models import Alert, Message, MessageStatus, User
from supporters import services
from supporters.matching import shortlist
from supporters.models import (
    ASSIGNED_STATUSES,
    CloseReason,
    CodeAcceptance,
    Concern,
    Contact,
    OfferStatus,
    OfferStatusChange,
    PeerSupporter,
    Pool,
    ReassignmentTask,
    SupervisionSession,
    SupporterStatus,
    SupporterStatusChange,
    SupportOffer,
    TrainingRecord,
    caseload_annotation,
)

MODELS = [
    User,
    Organisation,
    Service,
    TeamMember,
    Review,
    ReviewStatusChange,
    Milestone,
    AffectedPerson,
    ConsentRecord,
    AvoidDate,
    PeerSupporter,
    SupporterStatusChange,
    TrainingRecord,
    SupervisionSession,
    CodeAcceptance,
    SupportOffer,
    OfferStatusChange,
    ReassignmentTask,
    SelfReferral,
    Concern,
    Contact,
    Message,
    Alert,
]


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    seed()


@pytest.mark.django_db
def test_seed_demo_twice_gives_the_same_data(settings):
    settings.DEBUG = True
    seed()
    first = counts()
    seed()
    assert counts() == first


def test_two_organisations_one_in_wales_with_their_team(seeded):
    organisations = {o.name: o for o in Organisation.objects.all()}
    assert set(organisations) == {ENGLAND_ORG, WALES_ORG}
    assert organisations[WALES_ORG].nation == Nation.WALES
    assert organisations[ENGLAND_ORG].nation == Nation.ENGLAND
    for organisation in organisations.values():
        assert 3 <= organisation.services.count() <= 4
    team = User.objects.get(email="team@example.org")
    assert team.team_membership.organisation.name == ENGLAND_ORG
    assert organisations[ENGLAND_ORG].lead == team
    wales = User.objects.get(email="team.wales@example.org")
    assert wales.team_membership.organisation.name == WALES_ORG
    assert Review.objects.filter(lead_investigator=team).exists()
    assert (
        Review.objects.exclude(lead_investigator=team)
        .filter(organisation=organisations[ENGLAND_ORG])
        .exists()
    )


def test_reviews_cover_every_status_and_response_type(seeded):
    reviews = Review.objects.all()
    assert reviews.filter(organisation__name=ENGLAND_ORG).count() >= 20
    assert reviews.filter(organisation__name=WALES_ORG).count() >= 4
    assert set(reviews.values_list("status", flat=True)) == set(ReviewStatus.values)
    types = set(reviews.values_list("response_type", flat=True))
    assert set(ResponseType.values) - {ResponseType.OTHER} <= types
    assert not reviews.filter(status=ReviewStatus.CLOSED, closed_on__isnull=True).exists()
    for review in reviews.filter(status=ReviewStatus.PAUSED):
        assert review.status_changes.last().reason
        assert review.status_before_pause
    assert not reviews.filter(
        response_type=ResponseType.PSII,
        status=ReviewStatus.INVESTIGATING,
        family_agreed_due_on__isnull=True,
    ).exists()
    assert reviews.filter(restricted=True).exists()
    assert not reviews.filter(restricted=True, team_members__isnull=True).exists()
    # Every review went through the service functions: a status row and history from the start.
    for review in reviews:
        assert review.status_changes.first().to_status == ReviewStatus.LOGGED
        assert review.status_changes.last().to_status == review.status
        assert review.history.exists()
    team = User.objects.get(email="team@example.org")
    assert reviews.overdue().filter(pk__in=Review.objects.visible_to(team)).exists()
    assert (
        Review.objects.visible_to(team).count()
        < reviews.filter(organisation__name=ENGLAND_ORG).count()
    ), "one restricted review is hidden from the team user"
    assert Milestone.objects.filter(completed_on__isnull=False).exists()
    assert Milestone.objects.filter(completed_on__isnull=True).exists()


def test_people_of_every_kind_some_bereaved_some_without_consent(seeded):
    people = AffectedPerson.objects.all()
    assert set(people.values_list("kind", flat=True)) == set(PersonKind.values)
    assert people.filter(bereaved=True).exists()
    assert people.filter(consent_to_contact=Consent.GIVEN, consent_to_share=Consent.GIVEN).exists()
    assert people.filter(consent_to_contact=Consent.NOT_ASKED).exists()
    assert people.filter(consent_to_contact=Consent.REFUSED).exists()
    assert people.filter(do_not_contact=True).exists()
    assert AvoidDate.objects.filter(reason=AvoidDate.Reason.ANNIVERSARY).exists()
    staff = people.filter(kind=PersonKind.STAFF)
    assert not staff.filter(staff_role="").exists()
    assert not staff.filter(staff_team="").exists()
    for person in people:
        assert person.email.endswith("@example.com")
        assert re.fullmatch(r"\+44(7700900|1632960)\d{3}", person.phone), person.phone
    # Each current consent decision has its record.
    given = people.filter(consent_to_contact=Consent.GIVEN)
    assert (
        ConsentRecord.objects.filter(
            person__in=given, kind=ConsentRecord.Kind.CONTACT, decision=Consent.GIVEN
        ).count()
        == given.count()
    )


def test_scale_adds_exactly_n_reviews_with_people_and_deadlines_and_never_clashes(seeded):
    before = Review.objects.count()
    output = seed("--scale", "50")
    assert "50/50" in output
    scale = Review.objects.filter(reference__startswith="SC-")
    assert Review.objects.count() == before + 50 == before + scale.count()
    assert AffectedPerson.objects.filter(review__in=scale).count() >= 100
    assert not scale.filter(people__isnull=True).exists()
    assert not scale.filter(candour_due_on__isnull=True).exists()
    assert not scale.filter(
        response_type__in=SERIOUS_INCIDENT_FRAMEWORK, report_due_on__isnull=True
    ).exists()
    with_status = ReviewStatusChange.objects.filter(review__in=scale).values("review").distinct()
    assert with_status.count() == 50
    assert Milestone.objects.filter(review__in=scale).count() >= 45
    assert set(scale.values_list("organisation__name", flat=True)) <= {ENGLAND_ORG, WALES_ORG}

    seed("--scale", "50")
    references = list(Review.objects.values_list("reference", flat=True))
    assert len(references) == before + 100
    assert len(set(references)) == len(references)
    assert {ref.split("-")[1] for ref in references if ref.startswith("SC-")} == {"0001", "0002"}


# Supporters and offers ------------------------------------------------------------------------


def _people_of(supporter):
    return AffectedPerson.objects.filter(
        offers__supporter=supporter, offers__status__in=ASSIGNED_STATUSES
    )


def test_the_two_supporter_logins_each_have_their_own_people(seeded):
    sam = PeerSupporter.objects.get(user__email=SUPPORTER)
    eleri = PeerSupporter.objects.get(user__email=SUPPORTER2)
    assert sam.pool == eleri.pool == Pool.LIVED_EXPERIENCE
    assert sam.status == eleri.status == SupporterStatus.ACTIVE
    assert set(sam.organisations.values_list("name", flat=True)) == {ENGLAND_ORG}
    assert set(eleri.organisations.values_list("name", flat=True)) == {ENGLAND_ORG, WALES_ORG}
    assert "Welsh" in eleri.language_list
    for supporter in (sam, eleri):
        assert supporter.user.check_password("peer-support-demo")
        assert services.has_accepted_current_code(supporter)
        assert SupportOffer.objects.for_supporter(supporter).exists()
        assert _people_of(supporter).filter(consent_to_share=Consent.GIVEN).exists()
        assert _people_of(supporter).count() <= supporter.capacity
    assert not set(_people_of(sam)) & set(_people_of(eleri))
    # Sam sees one person's details, and is asked to go through the team for another.
    assert (
        _people_of(sam)
        .exclude(consent_to_share=Consent.GIVEN)
        .filter(offers__status__in=[OfferStatus.ACCEPTED, OfferStatus.ACTIVE])
        .exists()
    )
    assert SupportOffer.objects.for_supporter(eleri).filter(status=OfferStatus.OFFERED).exists()


def test_the_supervisor_supervises_and_investigates_none_of_their_reviews(seeded):
    supervisor = User.objects.get(email=SUPERVISOR)
    team = User.objects.get(email="team@example.org")
    assert supervisor.team_membership.organisation.name == ENGLAND_ORG
    supervised = PeerSupporter.objects.filter(supervisor=supervisor)
    assert {SUPPORTER, SUPPORTER2} <= set(supervised.values_list("user__email", flat=True))
    assert not PeerSupporter.objects.filter(supervisor=team).exists()
    assert Review.objects.filter(lead_investigator=team).exists()
    reviews = Review.objects.filter(people__offers__supporter__in=supervised).distinct()
    assert reviews.exists()
    assert not reviews.filter(lead_investigator=supervisor).exists()
    assert not reviews.filter(team_members=supervisor).exists()
    assert not Review.objects.filter(lead_investigator=supervisor).exists()
    # Every active supporter is up to date with supervision from the supervisor but one.
    active = PeerSupporter.objects.filter(status=SupporterStatus.ACTIVE)
    assert active.count() >= 8
    assert not active.exclude(supervisor=supervisor).exists()


def test_every_supporter_has_a_supervisor_for_each_organisation_they_serve(seeded):
    """Eleri serves both organisations: a supervisor in each, who may read her notes about
    that organisation's people only (issue 13, finding 6)."""
    eleri = PeerSupporter.objects.get(user__email=SUPPORTER2)
    named = {
        a.organisation.name: a.supervisor.email
        for a in eleri.supervisor_assignments.select_related("organisation", "supervisor")
    }
    assert named == {ENGLAND_ORG: SUPERVISOR, WALES_ORG: WALES_SUPERVISOR}
    for supporter in PeerSupporter.objects.prefetch_related("organisations"):
        served = {o.pk for o in supporter.organisations.all()}
        assert (
            set(supporter.supervisor_assignments.values_list("organisation", flat=True)) == served
        ), supporter
    wales = User.objects.get(email=WALES_SUPERVISOR)
    assert wales.team_membership.organisation.name == WALES_ORG
    assert not reviews_ever_named(wales).exists()


def test_supporters_in_both_pools_organisations_and_every_status(seeded):
    supporters = PeerSupporter.objects.all()
    assert supporters.count() >= 10
    assert set(supporters.values_list("pool", flat=True)) == set(Pool.values)
    assert set(supporters.values_list("status", flat=True)) == set(SupporterStatus.values)
    assert not supporters.filter(status=SupporterStatus.PAUSED, paused_until__isnull=True).exists()
    for organisation in Organisation.objects.all():
        assert supporters.filter(organisations=organisation, pool=Pool.STAFF).exists()
        assert supporters.filter(organisations=organisation, pool=Pool.LIVED_EXPERIENCE).exists()
    staff = supporters.filter(pool=Pool.STAFF)
    assert not staff.filter(home_organisation__isnull=True).exists()
    assert not staff.filter(staff_team="").exists()
    languages = {lang for s in supporters for lang in s.language_list}
    assert {"English", "Welsh", "Urdu", "Polish"} <= languages
    for supporter in supporters:
        first = supporter.status_changes.first()
        assert first.to_status == SupporterStatus.IN_TRAINING
        assert supporter.status_changes.last().to_status == supporter.status
    # Everyone assigned now is within their capacity.
    for supporter in supporters.annotate(caseload=caseload_annotation()):
        assert supporter.caseload <= supporter.capacity


def test_the_shortlist_shows_why_supporters_are_left_out(seeded):
    person = AffectedPerson.objects.get(full_name="Karen Whitworth")
    candidates, excluded = shortlist(person)
    assert candidates
    reasons = " | ".join(why for item in excluded for why in item.why)
    for words in (
        "Mandatory training not current",
        "Supervision overdue",
        "Paused until",
        "Still in training",
        "Has left the service",
        "Staff peer",
        "Does not support people for",
    ):
        assert words in reasons
    _, excluded = shortlist(AffectedPerson.objects.get(full_name="Neil Cowburn"))
    assert any("Works in the same team" in why for item in excluded for why in item.why)


def test_offers_in_every_status_with_their_history(seeded):
    offers = SupportOffer.objects.all()
    assert set(offers.values_list("status", flat=True)) == set(OfferStatus.values)
    for offer in offers:
        changes = list(offer.status_changes.all())
        assert changes[-1].to_status == offer.status
        assert changes[0].to_status in (OfferStatus.NEEDS_SUPPORTER, offer.status)
        assert [c.changed_at for c in changes] == sorted(c.changed_at for c in changes)
    assert not offers.filter(status__in=ASSIGNED_STATUSES, supporter__isnull=True).exists()
    assert offers.filter(status=OfferStatus.DECLINED).exclude(decline_reason="").exists()
    assert offers.filter(close_reason=CloseReason.SPECIALIST).exists()
    reassigned = offers.get(close_reason=CloseReason.REASSIGNED)
    assert reassigned.next.supporter != reassigned.supporter
    # Every consenting person has an offer; several are still waiting for a supporter.
    consenting = AffectedPerson.objects.filter(
        consent_to_contact=Consent.GIVEN, do_not_contact=False
    )
    assert not consenting.filter(offers__isnull=True).exists()
    team = User.objects.get(email="team@example.org")
    assert people_waiting_for_a_supporter(team).count() >= 5
    assert people_to_contact_again(team, timezone.localdate()).exists()
    assert ReassignmentTask.objects.filter(done_at__isnull=True).exists()
    # The demo's past messages are history: nothing overdue is left to go out in a burst;
    # reminders the stories scheduled for later still wait for their time.
    assert Message.objects.exists()
    overdue = Message.objects.filter(status=MessageStatus.PENDING, due_at__lte=timezone.now())
    assert not overdue.exists()
    assert Alert.objects.filter(user__email=SUPPORTER2, read_at__isnull=True).exists()


def test_scale_adds_supporters_and_offers(seeded):
    supporters = PeerSupporter.objects.count()
    output = seed("--scale", "100")
    assert "3 peer supporters" in output
    assert PeerSupporter.objects.count() == supporters + 3
    scaled = PeerSupporter.objects.filter(user__email__startswith="scale")
    assert scaled.count() == 3
    assert not scaled.filter(user__password__regex=r"^[^!]").exists(), "no logins"
    supervisor = User.objects.get(email=SUPERVISOR)
    assert not scaled.exclude(supervisor=supervisor).exists()
    people = AffectedPerson.objects.filter(
        review__reference__startswith="SC-", consent_to_contact=Consent.GIVEN, do_not_contact=False
    )
    offers = SupportOffer.objects.filter(person__in=people)
    assert offers.count() >= people.count() > 0
    assert not people.filter(offers__isnull=True).exists()
    assert offers.exclude(status=OfferStatus.NEEDS_SUPPORTER).exists()
    assert not offers.filter(status_changes__isnull=True).exists()
    assert not offers.filter(supporter__in=PeerSupporter.objects.exclude(pk__in=scaled)).exists()
    for supporter in scaled.annotate(caseload=caseload_annotation()):
        assert supporter.caseload <= supporter.capacity
    assert not Review.objects.filter(
        reference__startswith="SC-", lead_investigator=supervisor
    ).exists()


def test_requests_for_support_one_waiting_and_one_added_with_no_review(seeded):
    from incidents.selectors import work_queue_for

    team = User.objects.get(email="team@example.org")
    waiting = SelfReferral.objects.unconverted().filter(organisation__name=ENGLAND_ORG)
    assert waiting.count() == 1
    assert waiting.get().created_at < timezone.now()
    assert [r.pk for r in work_queue_for(team)["referrals"]] == [waiting.get().pk]

    converted = SelfReferral.objects.get(converted_person__isnull=False)
    person = converted.converted_person
    assert converted.review is None and person.review is None
    assert person.kind == PersonKind.STAFF and person.staff_role and person.staff_team
    assert person.organisation.name == ENGLAND_ORG
    assert person.consent_to_contact == person.consent_to_share == Consent.GIVEN
    assert person.offers.get().status == OfferStatus.NEEDS_SUPPORTER
    assert person in people_waiting_for_a_supporter(team)
    # Their acknowledgements went when they asked: nothing is left to send.
    acknowledgements = Message.objects.filter(kind="referral_acknowledgement")
    assert acknowledgements.count() == 2
    assert set(acknowledgements.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_one_open_concern_and_one_acknowledged_by_the_lead(seeded):
    team = User.objects.get(email="team@example.org")
    assert Concern.objects.open().count() == 1
    [done] = Concern.objects.filter(acknowledged_at__isnull=False)
    assert done.acknowledged_by == team == done.offer.person.organisation.lead
    assert done.action_taken
    assert done.raised_at < done.acknowledged_at <= timezone.now()
    assert done.contact is not None and done.contact.offer == done.offer
    assert not Message.objects.filter(
        kind="concern_escalated", cause_id=str(done.pk), status=MessageStatus.PENDING
    ).exists()
    assert Alert.objects.filter(
        user=team, message__kind="concern_raised", message__cause_id=str(done.pk)
    ).exists()


@pytest.mark.django_db
def test_seed_demo_adds_contacts_a_concern_checkins_and_a_debrief_once(settings):
    from supporters.models import GroupDebrief, WellbeingCheckIn

    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    counts = (
        Contact.objects.count(),
        Concern.objects.count(),
        WellbeingCheckIn.objects.count(),
        GroupDebrief.objects.count(),
    )
    assert all(counts), counts
    assert Concern.objects.open().count() == 1
    assert Concern.objects.filter(acknowledged_at__isnull=False).count() == 1
    call_command("seed_demo", stdout=StringIO())
    assert counts == (
        Contact.objects.count(),
        Concern.objects.count(),
        WellbeingCheckIn.objects.count(),
        GroupDebrief.objects.count(),
    )


@pytest.mark.django_db
def test_seed_demo_scale_adds_about_15_contacts_a_review_only_to_support_that_happened(settings):
    from django.db.models import F

    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    before = Contact.objects.count()
    call_command("seed_demo", "--scale", "200", stdout=StringIO())
    scale_contacts = Contact.objects.filter(offer__person__review__reference__startswith="SC-")
    added = scale_contacts.count()
    assert added == Contact.objects.count() - before
    assert 12 * 200 <= added <= 18 * 200, added  # about 15 a review: 150,000 for 10,000
    assert not scale_contacts.exclude(
        offer__status__in=[OfferStatus.ACTIVE, OfferStatus.CLOSED]
    ).exists()
    assert not scale_contacts.filter(happened_on__gt=timezone.localdate()).exists()
    assert not scale_contacts.filter(offer__closed_at__date__lt=F("happened_on")).exists()
