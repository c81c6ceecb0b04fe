"""Matching: every hard filter excludes, and stops excluding once fixed; preferences rank.

Each hard-filter test starts from a supporter who is eligible, breaks one condition, checks the
supporter is excluded with that rule's reason, then fixes it and checks they are back. So
removing or weakening any rule fails a test here.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.models import PersonKind, TeamMember
from peersupport.roles import Role
from supporters import scoring
from supporters.matching import (
    HARD_FILTERS,
    SUPERVISION_GRACE,
    shortlist,
    why_not_eligible,
)
from supporters.models import (
    Course,
    OfferStatus,
    Pool,
    SupervisorAssignment,
    SupporterStatus,
    SupportOffer,
)
from supporters.scoring import WEIGHTS
from supporters.supervision import supervision_interval
from tests.factories import (
    AffectedPersonFactory,
    CourseFactory,
    PeerSupporterFactory,
    ReviewFactory,
    SupervisionSessionFactory,
    SupportOfferFactory,
    TrainingRecordFactory,
)
from tests.supporters_fixtures import organisation_supervisor

TESTED_RULES = set()


def name_organisation_supervisor(make_user, supporter, organisation):
    SupervisorAssignment.objects.update_or_create(
        supporter=supporter,
        organisation=organisation,
        defaults={"supervisor": organisation_supervisor(make_user, organisation)},
    )


def covers_rule(name):
    """Marks a test as covering a hard filter; see test_every_hard_filter_has_a_test."""
    TESTED_RULES.add(name)
    return lambda test: test


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def course(db):
    return CourseFactory(name="Peer support foundations", mandatory=True)


@pytest.fixture
def make_candidate(make_user, organisation, course, today):
    """An eligible supporter for `person` (a family member): active, supervised, and current on
    every mandatory course (ours and any a migration seeded) except those in `untrained`."""
    counter = iter(range(1000))

    def make(first_name=None, last_name="Peer", *, untrained=(), supervised=True, **kwargs):
        first_name = first_name or f"Supporter{next(counter):03d}"
        user = make_user(Role.SUPPORTER, first_name=first_name, last_name=last_name)
        kwargs.setdefault("organisations", [organisation])
        supporter = PeerSupporterFactory(user=user, **kwargs)
        for mandatory in Course.objects.filter(mandatory=True).exclude(
            pk__in=[c.pk for c in untrained]
        ):
            TrainingRecordFactory(
                supporter=supporter,
                course=mandatory,
                completed_on=today - timedelta(days=100),
                expires_on=today + timedelta(days=265),
            )
        if supervised:
            SupervisionSessionFactory(supporter=supporter, held_on=today - timedelta(days=10))
        for served in kwargs["organisations"]:
            name_organisation_supervisor(make_user, supporter, served)
        return supporter

    return make


def run(person, today, **kwargs):
    candidates, excluded = shortlist(person, today=today, **kwargs)
    # Leaving out in the database who cannot be offered changes nobody's place or reasons.
    only = shortlist(person, today=today, candidates_only=True, **kwargs)[0]
    assert [(c.supporter.pk, c.score, c.reasons, c.unmet) for c in only] == [
        (c.supporter.pk, c.score, c.reasons, c.unmet) for c in candidates
    ]
    return (
        {c.supporter.pk: c for c in candidates},
        {e.supporter.pk: e.why for e in excluded},
    )


def assert_eligible(person, supporter, today, **kwargs):
    candidates, excluded = run(person, today, **kwargs)
    assert supporter.pk in candidates, excluded.get(supporter.pk)
    assert supporter.pk not in excluded


def assert_excluded(person, supporter, today, reason, **kwargs):
    candidates, excluded = run(person, today, **kwargs)
    assert supporter.pk not in candidates
    assert any(reason in why for why in excluded[supporter.pk]), excluded[supporter.pk]
    return excluded[supporter.pk]


def test_every_hard_filter_has_a_test():
    assert {rule.__name__ for rule in HARD_FILTERS} == TESTED_RULES
    assert all(rule.__doc__ for rule in HARD_FILTERS)


def test_an_eligible_supporter_is_shortlisted(person, make_candidate, today):
    supporter = make_candidate()
    candidates, excluded = shortlist(person, today=today)
    assert [c.supporter for c in candidates] == [supporter]
    assert excluded == []
    assert why_not_eligible(supporter, person, today=today) == []


# Hard filters ----------------------------------------------------------------------------------


@covers_rule("not_active")
@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (SupporterStatus.PAUSED, "Paused"),
        (SupporterStatus.IN_TRAINING, "Still in training"),
        (SupporterStatus.LEFT, "Has left the service"),
    ],
)
def test_not_active(person, make_candidate, today, status, reason):
    supporter = make_candidate(status=status)
    assert_excluded(person, supporter, today, reason)
    supporter.status = SupporterStatus.ACTIVE
    supporter.save()
    assert_eligible(person, supporter, today)


def test_paused_says_until_when(person, make_candidate, today):
    back = today + timedelta(days=20)
    supporter = make_candidate(status=SupporterStatus.PAUSED, paused_until=back)
    assert_excluded(person, supporter, today, f"Paused until {back.day} {back:%B %Y}")


def test_a_supporter_whose_login_is_off_is_not_active(person, make_candidate, today):
    supporter = make_candidate()
    supporter.user.is_active = False
    supporter.user.save()
    assert_excluded(person, supporter, today, "Their login is switched off")
    supporter.user.is_active = True
    supporter.user.save()
    assert_eligible(person, supporter, today)


@covers_rule("mandatory_training_lapsed")
def test_lapsed_mandatory_training(person, make_candidate, today, course):
    supporter = make_candidate(untrained=[course])
    expired = today - timedelta(days=1)
    TrainingRecordFactory(
        supporter=supporter,
        course=course,
        completed_on=today - timedelta(days=366),
        expires_on=expired,
    )
    assert_excluded(
        person,
        supporter,
        today,
        f"Peer support foundations (expired {expired.day} {expired:%B %Y})",
    )
    TrainingRecordFactory(supporter=supporter, course=course, completed_on=today, expires_on=today)
    assert_eligible(person, supporter, today)


def test_missing_mandatory_training(person, make_candidate, today):
    supporter = make_candidate()
    safeguarding = CourseFactory(name="Safeguarding adults level 2", mandatory=True)
    optional = CourseFactory(name="Writing good notes", mandatory=False)
    why = assert_excluded(person, supporter, today, "Safeguarding adults level 2 (never completed)")
    assert not any(optional.name in reason for reason in why)
    TrainingRecordFactory(supporter=supporter, course=safeguarding, expires_on=None)
    assert_eligible(person, supporter, today)


@covers_rule("supervision_overdue")
def test_overdue_supervision(person, make_candidate, today):
    supporter = make_candidate(supervised=False)
    limit = supervision_interval() + SUPERVISION_GRACE
    SupervisionSessionFactory(supporter=supporter, held_on=today - limit - timedelta(days=1))
    assert_excluded(person, supporter, today, "Supervision overdue: last held")
    SupervisionSessionFactory(supporter=supporter, held_on=today - limit)
    assert_eligible(person, supporter, today)


def test_no_supervision_ever_recorded(person, make_candidate, today):
    supporter = make_candidate(supervised=False)
    assert_excluded(person, supporter, today, "No supervision recorded")
    SupervisionSessionFactory(supporter=supporter, held_on=today)
    assert_eligible(person, supporter, today)


@covers_rule("at_capacity")
def test_at_capacity(person, make_candidate, today, review):
    supporter = make_candidate(capacity=2)
    first = SupportOfferFactory(
        supporter=supporter, person=AffectedPersonFactory(review=review), status=OfferStatus.ACTIVE
    )
    SupportOfferFactory(
        supporter=supporter, person=AffectedPersonFactory(review=review), status=OfferStatus.OFFERED
    )
    for status in (OfferStatus.CLOSED, OfferStatus.DECLINED, OfferStatus.LATER):
        SupportOfferFactory(
            supporter=supporter, person=AffectedPersonFactory(review=review), status=status
        )
    assert_excluded(person, supporter, today, "At capacity: supporting 2 of 2 people")
    first.status = OfferStatus.CLOSED
    first.save()
    assert_eligible(person, supporter, today)


@covers_rule("involved_in_review")
def test_named_team_member_on_the_review(person, make_candidate, today, review):
    supporter = make_candidate()
    review.team_members.add(supporter.user)
    assert_excluded(person, supporter, today, "Named team member on this review")
    review.team_members.remove(supporter.user)
    assert_eligible(person, supporter, today)


def test_lead_investigator_of_the_review(person, make_candidate, today, review, team_user):
    supporter = make_candidate()
    review.lead_investigator = supporter.user
    review.save()
    assert_excluded(person, supporter, today, "Lead investigator on this review")
    review.lead_investigator = team_user
    review.save()
    assert_eligible(person, supporter, today)


@covers_rule("same_staff_team")
def test_same_staff_team(review, make_candidate, today, organisation, other_organisation):
    nurse = AffectedPersonFactory(
        review=review, kind=PersonKind.STAFF, staff_team="Ward 7 ", bereaved=False
    )
    supporter = make_candidate(
        pool=Pool.STAFF, staff_team="  ward  7", home_organisation=organisation
    )
    assert_excluded(nurse, supporter, today, "Works in the same team")
    supporter.home_organisation = other_organisation
    supporter.save()
    assert_eligible(nurse, supporter, today)
    supporter.home_organisation = organisation
    supporter.staff_team = "Ward 8"
    supporter.save()
    assert_eligible(nurse, supporter, today)


def test_same_team_name_only_matters_for_staff(person, make_candidate, today, organisation):
    person.staff_team = "Ward 7"
    person.save()
    supporter = make_candidate(staff_team="Ward 7", home_organisation=organisation)
    assert_eligible(person, supporter, today)


@covers_rule("declared_conflict")
def test_declared_conflict(person, make_candidate, today, review, organisation):
    supporter = make_candidate(conflicts=[review])
    assert_excluded(person, supporter, today, "Declared a conflict with this review")
    supporter.conflicts.set([ReviewFactory(organisation=organisation)])
    assert_eligible(person, supporter, today)


@covers_rule("wrong_pool")
def test_wrong_pool(person, make_candidate, today):
    supporter = make_candidate(pool=Pool.STAFF)
    assert_excluded(person, supporter, today, "needs a family or service-user peer")
    supporter.pool = Pool.LIVED_EXPERIENCE
    supporter.save()
    assert_eligible(person, supporter, today)


def test_staff_need_staff_peers(review, make_candidate, today):
    nurse = AffectedPersonFactory(review=review, kind=PersonKind.STAFF, staff_team="Ward 7")
    supporter = make_candidate(pool=Pool.LIVED_EXPERIENCE)
    assert_excluded(nurse, supporter, today, "needs a staff peer")
    supporter.pool = Pool.STAFF
    supporter.save()
    assert_eligible(nurse, supporter, today)


def test_the_team_can_override_the_pool(person, make_candidate, today):
    supporter = make_candidate(pool=Pool.STAFF)
    candidates, excluded = run(person, today, override_pool=True)
    assert supporter.pk in candidates and not excluded
    assert any("widened the pool" in r for r in candidates[supporter.pk].reasons)
    assert why_not_eligible(supporter, person, today=today, override_pool=True) == []
    assert why_not_eligible(supporter, person, today=today) != []


def test_override_does_not_lift_other_rules(person, make_candidate, today):
    supporter = make_candidate(pool=Pool.STAFF, status=SupporterStatus.PAUSED)
    why = assert_excluded(person, supporter, today, "Paused", override_pool=True)
    assert why == ["Paused"]


@covers_rule("not_serving_organisation")
def test_not_serving_the_organisation(person, make_candidate, make_user, today, other_organisation):
    supporter = make_candidate(organisations=[other_organisation])
    assert_excluded(person, supporter, today, "Does not support people for Northshire")
    supporter.organisations.add(person.review.organisation)
    name_organisation_supervisor(make_user, supporter, person.review.organisation)
    assert_eligible(person, supporter, today)


@covers_rule("no_supervisor_for_organisation")
def test_no_supervisor_for_the_persons_organisation(
    person, make_candidate, make_user, today, other_organisation
):
    """Finding 6 of issue 13: a supporter serving two organisations needs a named supervisor
    for each; with one only for the other organisation, they are not offered to its people."""
    supporter = make_candidate(organisations=[other_organisation])
    supporter.organisations.add(person.review.organisation)
    excluded = assert_excluded(
        person, supporter, today, "No supervisor named for Northshire NHS Foundation Trust"
    )
    assert excluded == ["No supervisor named for Northshire NHS Foundation Trust"]
    other_team = make_user(Role.TEAM, "other.org.sup@example.org")
    TeamMember.objects.create(user=other_team, organisation=other_organisation)
    # A supervisor who is not in the person's organisation's team does not count.
    SupervisorAssignment.objects.create(
        supporter=supporter, organisation=person.review.organisation, supervisor=other_team
    )
    assert_excluded(person, supporter, today, "No supervisor named for Northshire")
    SupervisorAssignment.objects.filter(supporter=supporter).delete()
    name_organisation_supervisor(make_user, supporter, person.review.organisation)
    assert_eligible(person, supporter, today)


# Ranking ---------------------------------------------------------------------------------------


def test_language_preference_ranks_first_with_its_reason(person, make_candidate, today):
    person.preferred_name = "Amina"
    person.prefers_language = "urdu"
    person.save()
    make_candidate("Alex", languages="English")
    urdu = make_candidate("Zara", languages="English, urdu")
    candidates, _ = shortlist(person, today=today)
    assert candidates[0].supporter == urdu
    assert "Speaks Urdu, as Amina asked" in candidates[0].reasons
    assert candidates[0].score - candidates[1].score == WEIGHTS["language"]


def test_own_language_counts_when_not_english(person, make_candidate, today):
    person.preferred_name = "Ola"
    person.language = "Polish"
    person.save()
    make_candidate("Alex", languages="English")
    polish = make_candidate("Zara", languages="Polish, English")
    candidates, _ = shortlist(person, today=today)
    assert candidates[0].supporter == polish
    assert "Speaks Polish, Ola's language" in candidates[0].reasons


@pytest.mark.parametrize(
    ("preference", "attributes", "reason"),
    [
        ("gender", {"gender": "woman"}, "Gender: a woman, as Amina asked"),
        (
            "background",
            {"background": "self", "background_own": "British Somali, Muslim"},
            "Shared background (Somali), as Amina asked",
        ),
        (
            "experience",
            {"experience": "Lost my son to suicide"},
            'Similar experience (suicide): "Lost my son to suicide", as Amina asked',
        ),
    ],
)
def test_each_preference_ranks_first(person, make_candidate, today, preference, attributes, reason):
    wanted = {
        "gender": {"prefers_supporter_gender": "woman"},
        "background": {
            "prefers_shared_background": "self",
            "prefers_shared_background_own": "Somali",
        },
        "experience": {"prefers_lived_experience": "bereaved-suicide"},
    }[preference]
    person.preferred_name = "Amina"
    person.bereaved = False
    for name, value in wanted.items():
        setattr(person, name, value)
    person.matching_consent_at = timezone.now()
    person.save()
    make_candidate("Alex")
    matched = make_candidate("Zara", **attributes)
    candidates, _ = shortlist(person, today=today)
    assert candidates[0].supporter == matched
    assert reason in candidates[0].reasons


def test_background_and_experience_match_by_word(person, make_candidate, today):
    person.preferred_name = "Amina"
    person.bereaved = False
    person.prefers_shared_background = "self"
    person.prefers_shared_background_own = "Somali Muslim"
    person.prefers_lived_experience = "bereaved-suicide"
    person.matching_consent_at = timezone.now()
    person.save()
    unmatched = make_candidate(
        "Alex", background="self", background_own="Irish Catholic", experience="Inquest"
    )
    matched = make_candidate(
        "Zara",
        background="self",
        background_own="British Somali",
        experience="My brother's suicide, bereavement",
    )
    candidates, _ = shortlist(person, today=today)
    assert [c.supporter for c in candidates] == [matched, unmatched]
    assert candidates[0].reasons[:3] == [
        "Shared background (Somali), as Amina asked",
        'Similar experience (suicide): "My brother\'s suicide, bereavement", as Amina asked',
        "Has been bereaved too, and chose to share it",
    ]
    assert candidates[0].score == (
        WEIGHTS["background"] + WEIGHTS["experience"] + WEIGHTS["bereavement"]
    )
    assert candidates[1].reasons == ["Supporting 0 of 3 people"]


def test_gender_and_background_count_only_with_the_persons_consent(person, make_candidate, today):
    person.prefers_supporter_gender = "woman"
    person.prefers_shared_background = "black"
    person.save()
    make_candidate("Alex", gender="man")
    make_candidate("Zara", gender="woman", background="black")
    candidates, _ = shortlist(person, today=today)
    assert [c.score for c in candidates] == [0, 0]
    assert all(c.unmet == [] for c in candidates)

    person.matching_consent_at = timezone.now()
    person.save()
    candidates, _ = shortlist(person, today=today)
    assert candidates[0].score == WEIGHTS["gender"] + WEIGHTS["background"]
    assert candidates[0].unmet == []


def test_the_shortlist_says_which_preference_a_candidate_does_not_meet(
    person, make_candidate, today
):
    person.prefers_supporter_gender = "woman"
    person.prefers_language = "self"
    person.prefers_language_own = "Tigrinya"
    person.matching_consent_at = timezone.now()
    person.bereaved = False
    person.save()
    make_candidate("Alex", gender="man", languages="English, Tigrinya")
    candidates, _ = shortlist(person, today=today)
    assert candidates[0].unmet == ["Asked for a woman supporter: not matched"]
    assert "Speaks Tigrinya, as Margaret Okonjo asked" in candidates[0].reasons


def test_bereaved_people_rank_bereaved_supporters_first(person, make_candidate, today):
    assert person.bereaved
    make_candidate("Alex", experience="Went through a complaint about my care")
    bereaved = make_candidate("Zara", experience="Bereavement after my husband's death")
    candidates, _ = shortlist(person, today=today)
    assert candidates[0].supporter == bereaved
    assert "Has been bereaved too, and chose to share it" in candidates[0].reasons
    assert candidates[0].score - candidates[1].score == WEIGHTS["bereavement"]


def test_the_same_loss_ranks_above_another_loss(person, make_candidate, today):
    person.prefers_lived_experience = "bereaved-suicide"
    person.save()
    other_loss = make_candidate("Alex", experience="Bereavement after a homicide")
    same_loss = make_candidate("Zara", experience="Bereaved by suicide")
    candidates, _ = shortlist(person, today=today)
    assert [c.supporter for c in candidates] == [same_loss, other_loss]
    assert candidates[0].score - candidates[1].score == WEIGHTS["experience"]
    assert not any("Similar experience" in r for r in candidates[1].reasons)


def test_lower_caseload_ranks_first_when_otherwise_equal(person, make_candidate, today, review):
    busy = make_candidate("Aaron")
    SupportOfferFactory(
        supporter=busy, person=AffectedPersonFactory(review=review), status=OfferStatus.ACTIVE
    )
    free = make_candidate("Zoe")
    candidates, _ = shortlist(person, today=today)
    assert [c.supporter for c in candidates] == [free, busy]
    assert [c.caseload for c in candidates] == [0, 1]
    assert "Supporting 0 of 3 people" in candidates[0].reasons
    assert "Supporting 1 of 3 people" in candidates[1].reasons


def test_a_preference_outranks_a_lighter_caseload(person, make_candidate, today, review):
    person.prefers_language = "urdu"
    person.save()
    urdu = make_candidate("Aaron", languages="Urdu")
    SupportOfferFactory(
        supporter=urdu, person=AffectedPersonFactory(review=review), status=OfferStatus.ACTIVE
    )
    make_candidate("Zoe")
    candidates, _ = shortlist(person, today=today)
    assert candidates[0].supporter == urdu


def test_equal_score_and_caseload_fall_back_to_name(person, make_candidate, today):
    zoe = make_candidate("Zoe")
    aaron = make_candidate("Aaron")
    candidates, _ = shortlist(person, today=today)
    assert [c.supporter for c in candidates] == [aaron, zoe]


def test_excluded_lists_every_ineligible_supporter_with_all_reasons(
    person, make_candidate, today, review, course
):
    eligible = make_candidate("Eve")
    paused = make_candidate(
        "Pat", status=SupporterStatus.PAUSED, supervised=False, conflicts=[review]
    )
    staff = make_candidate("Sid", pool=Pool.STAFF, untrained=[course])
    candidates, excluded = shortlist(person, today=today)
    assert [c.supporter for c in candidates] == [eligible]
    assert {e.supporter: e.why for e in excluded} == {
        paused: ["Paused", "No supervision recorded", "Declared a conflict with this review"],
        staff: [
            "Mandatory training not current: Peer support foundations (never completed)",
            "Staff peer; Margaret Okonjo needs a family or service-user peer (lived experience)",
        ],
    }


def test_shortlisting_assigns_nobody(person, make_candidate, today):
    make_candidate()
    shortlist(person, today=today)
    assert not SupportOffer.objects.exists()


def test_query_count_does_not_grow_with_supporters(
    person, make_candidate, today, review, organisation
):
    other_review = ReviewFactory(organisation=organisation)

    def add(count):
        for n in range(count):
            supporter = make_candidate(
                conflicts=[other_review] if n % 2 else [],
                languages="English, Urdu" if n % 3 else "English",
            )
            SupervisionSessionFactory(supporter=supporter, held_on=today - timedelta(days=40))
            TrainingRecordFactory(supporter=supporter, course=CourseFactory(name="Extra"))
            if n % 2:
                SupportOfferFactory(
                    supporter=supporter, person=AffectedPersonFactory(review=review)
                )

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            candidates, excluded = shortlist(person, today=today)
            for item in [*candidates, *excluded]:
                str(item.supporter)  # names are shown beside each one
        return len(queries), len(candidates) + len(excluded)

    add(5)
    few, seen = count_queries()
    assert seen == 5
    add(45)
    many, seen = count_queries()
    assert seen == 50
    assert few == many
    assert many <= 6


def test_weights_are_integers():
    assert all(isinstance(value, int) for value in WEIGHTS.values())
    assert scoring.WEIGHTS["per_person_supported"] < 0
