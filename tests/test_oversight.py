"""The team's oversight: concerns (acknowledgement and the 4-working-hour escalation clock),
supervisors' pages behind the confidentiality wall, and group debriefs."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Nation
from incidents.selectors import work_queue_for
from peersupport import outbox
from peersupport.models import Alert, AuditEvent, Message, MessageStatus
from peersupport.roles import Role
from supporters import services
from supporters.models import GroupDebrief, SupervisorAssignment
from supporters.practice import services as practice
from supporters.templatetags.oversight_tags import contact_summaries
from tests.factories import ReviewFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NOTE = "Quokka-note-5521: finding the inquest date hard"


@pytest.fixture
def offer(person, supporter, team_user):
    """The supporter's accepted offer to `person` (whose review `team_user` leads)."""
    offer = services.open_offer(person)
    offer = services.assign_supporter(offer, supporter, by=team_user, via="phone")
    services.record_answer(offer, "accepted", by=team_user)
    return offer


@pytest.fixture
def colleague(make_user, organisation):
    """A team member of the same organisation who is named on no review."""
    user = make_user(Role.TEAM, "colleague@example.org", first_name="Cal", last_name="Colleague")
    TeamMemberFactory(user=user, organisation=organisation)
    return user


@pytest.fixture
def lead(make_user, organisation):
    user = make_user(Role.TEAM, "org.lead@example.org", first_name="Lou", last_name="Lead")
    TeamMemberFactory(user=user, organisation=organisation)
    organisation.lead = user
    organisation.save()
    return user


def _supervises(supporter, user):
    """`user` becomes the supporter's main supervisor and their supervisor for the user's own
    organisation (the one that opens notes about its people)."""
    supporter.supervisor = user
    supporter.save()
    SupervisorAssignment.objects.update_or_create(
        supporter=supporter,
        organisation=user.team_membership.organisation,
        defaults={"supervisor": user},
    )


def _raise(offer, supporter):
    return practice.raise_concern(
        offer, supporter, kind="self_harm", details="Said she has been thinking of ending it."
    )


def _contact(offer, supporter, note=NOTE):
    return practice.record_contact(
        offer,
        supporter,
        happened_on=timezone.localdate(),
        mode="phone",
        minutes=25,
        topics=["emotional", "process"],
        note=note,
    )


# Concerns ---------------------------------------------------------------------------------


def test_open_concern_tops_the_work_queue_until_acknowledged_with_an_action(
    client_for, team_user, offer, supporter
):
    concern = _raise(offer, supporter)
    client = client_for(team_user)
    assert [c.pk for c in work_queue_for(team_user)["concerns"]] == [concern.pk]
    page = client.get(reverse("incidents:work_queue")).content.decode()
    detail_url = reverse("oversight:concern_detail", args=[concern.pk])
    assert detail_url in page
    # At the top of the queue, before every other section.
    assert page.index(detail_url) < page.index("Log a review")
    assert "There is nothing to act on" not in page

    for empty in ({}, {"action_taken": "   "}):
        response = client.post(detail_url, empty)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Enter what you have done about this concern" in html
        assert 'class="nhsuk-error-summary"' in html
        assert "<title>Error: " in html
    concern.refresh_from_db()
    assert concern.acknowledged_at is None
    assert [c.pk for c in work_queue_for(team_user)["concerns"]] == [concern.pk]

    response = client.post(detail_url, {"action_taken": "Phoned her GP and the crisis team."})
    assert response.status_code == 302
    assert response["Location"] == detail_url
    concern.refresh_from_db()
    assert concern.acknowledged_by == team_user
    assert concern.action_taken == "Phoned her GP and the crisis team."
    assert work_queue_for(team_user)["concerns"] == []
    assert detail_url not in client.get(reverse("incidents:work_queue")).content.decode()

    page = client.get(detail_url).content.decode()
    assert "Phoned her GP and the crisis team." in page
    assert "Acknowledge concern" not in page  # no second form
    assert str(team_user) in page


def test_acknowledging_twice_keeps_the_first_action(client_for, team_user, colleague, offer):
    concern = _raise(offer, offer.supporter)
    url = reverse("oversight:concern_detail", args=[concern.pk])
    client_for(team_user).post(url, {"action_taken": "First action."})
    response = client_for(colleague).post(url, {"action_taken": "Second action."})
    assert response.status_code == 200
    concern.refresh_from_db()
    assert concern.action_taken == "First action."
    assert concern.acknowledged_by == team_user


def test_viewing_a_concern_is_audited(client_for, team_user, offer):
    concern = _raise(offer, offer.supporter)
    client_for(team_user).get(reverse("oversight:concern_detail", args=[concern.pk]))
    event = AuditEvent.objects.get(action="concern.viewed")
    assert event.actor == team_user
    assert (event.object_type, event.object_id) == ("supporters.concern", str(concern.pk))


def test_concern_on_a_restricted_review_is_hidden_from_team_members_not_named(
    client_for, team_user, colleague, offer
):
    concern = _raise(offer, offer.supporter)
    review = offer.person.review
    review.restricted = True
    review.save()
    url = reverse("oversight:concern_detail", args=[concern.pk])
    assert client_for(colleague).get(url).status_code == 404
    assert work_queue_for(colleague)["concerns"] == []
    assert url not in client_for(colleague).get(reverse("oversight:concern_list")).content.decode()
    assert client_for(team_user).get(url).status_code == 200  # the lead investigator


def test_concern_list_shows_open_concerns_then_recently_acknowledged(client_for, team_user, offer):
    first = _raise(offer, offer.supporter)
    second = _raise(offer, offer.supporter)
    practice.acknowledge_concern(first, by=team_user, action_taken="Called the family.")
    html = client_for(team_user).get(reverse("oversight:concern_list")).content.decode()
    open_at = html.index(reverse("oversight:concern_detail", args=[second.pk]))
    done_at = html.index(reverse("oversight:concern_detail", args=[first.pk]))
    assert open_at < html.index("Acknowledged in the last") < done_at


def test_acknowledgement_cancels_the_pending_escalation(client_for, team_user, lead, offer):
    concern = _raise(offer, offer.supporter)
    escalations = Message.objects.filter(kind="concern_escalated", cause_id=str(concern.pk))
    assert escalations.count() == 2  # in-app and email, to the organisation's lead
    assert set(escalations.values_list("status", flat=True)) == {MessageStatus.PENDING}
    assert set(escalations.values_list("user", flat=True)) == {lead.pk}

    client_for(team_user).post(
        reverse("oversight:concern_detail", args=[concern.pk]),
        {"action_taken": "Spoke to the supporter and called the safeguarding lead."},
    )
    assert set(escalations.values_list("status", flat=True)) == {MessageStatus.CANCELLED}


def _escalation_statuses(concern):
    return set(
        Message.objects.filter(kind="concern_escalated", cause_id=str(concern.pk)).values_list(
            "status", flat=True
        )
    )


def _london(*args):
    return datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("nation", "raised", "not_yet", "due"),
    [
        # 1 working hour on Friday (16:00 to 17:00) and 3 on Monday from 09:00.
        (
            Nation.ENGLAND,
            _london(2026, 3, 13, 16, 0),
            [_london(2026, 3, 14, 12, 0), _london(2026, 3, 16, 11, 59)],
            _london(2026, 3, 16, 12, 1),
        ),
        # Monday 31 August 2026 is the summer bank holiday in England: due on Tuesday.
        (
            Nation.ENGLAND,
            _london(2026, 8, 28, 16, 0),
            [_london(2026, 8, 31, 12, 1), _london(2026, 9, 1, 11, 59)],
            _london(2026, 9, 1, 12, 1),
        ),
        # Scotland's summer bank holiday was 3 August, so 31 August is a working day there.
        (
            Nation.SCOTLAND,
            _london(2026, 8, 28, 16, 0),
            [_london(2026, 8, 31, 11, 59)],
            _london(2026, 8, 31, 12, 1),
        ),
    ],
    ids=["england-weekend", "england-bank-holiday", "scotland-no-holiday"],
)
def test_unacknowledged_concern_escalates_after_4_working_hours(
    time_machine, organisation, lead, offer, nation, raised, not_yet, due
):
    organisation.nation = nation
    organisation.save()
    time_machine.move_to(raised, tick=False)
    concern = _raise(offer, offer.supporter)

    for moment in not_yet:
        time_machine.move_to(moment, tick=False)
        outbox.sweep()
        assert _escalation_statuses(concern) == {MessageStatus.PENDING}, moment
    assert not Alert.objects.filter(user=lead, message__kind="concern_escalated").exists()
    # The team itself was alerted at once, whatever the hour.
    assert Alert.objects.filter(message__kind="concern_raised").exists()

    time_machine.move_to(due, tick=False)
    outbox.sweep()
    assert _escalation_statuses(concern) == {MessageStatus.SENT}
    alert = Alert.objects.get(user=lead, message__kind="concern_escalated")
    assert alert.link == reverse("oversight:concern_detail", args=[concern.pk])


def test_escalation_is_not_sent_once_acknowledged(time_machine, lead, team_user, offer):
    time_machine.move_to(datetime(2026, 3, 13, 16, 0, tzinfo=LONDON), tick=False)
    concern = _raise(offer, offer.supporter)
    time_machine.move_to(datetime(2026, 3, 16, 9, 30, tzinfo=LONDON), tick=False)
    practice.acknowledge_concern(concern, by=team_user, action_taken="Called her.")
    time_machine.move_to(datetime(2026, 3, 16, 12, 1, tzinfo=LONDON), tick=False)
    outbox.sweep()
    assert _escalation_statuses(concern) == {MessageStatus.CANCELLED}
    assert not Alert.objects.filter(user=lead, message__kind="concern_escalated").exists()


# Supervision and the confidentiality wall -------------------------------------------------


def test_supervisor_reads_their_supervisees_note(client_for, colleague, offer, supporter):
    _supervises(supporter, colleague)
    _contact(offer, supporter)
    response = client_for(colleague).get(reverse("oversight:supervisee", args=[supporter.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert NOTE in html
    assert "Note hidden" not in html
    assert "Emotional support" in html


def test_supervisor_named_on_the_review_does_not_read_the_note(
    client_for, team_user, offer, supporter
):
    # team_user supervises the supporter but is also the review's lead investigator.
    _supervises(supporter, team_user)
    _contact(offer, supporter)
    response = client_for(team_user).get(reverse("oversight:supervisee", args=[supporter.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert NOTE not in html
    assert "Note hidden: you are or were named on this person's review" in html
    assert "Phone, 25 minutes" in html  # that the contact happened is still shown


def test_supervisor_named_as_a_review_team_member_does_not_read_the_note(
    client_for, colleague, offer, supporter
):
    _supervises(supporter, colleague)
    offer.person.review.team_members.add(colleague)
    _contact(offer, supporter)
    html = client_for(colleague).get(reverse("oversight:supervisee", args=[supporter.pk]))
    assert NOTE not in html.content.decode()


def test_team_member_who_is_not_the_supervisor_never_sees_the_note(
    client_for, team_user, colleague, offer, supporter
):
    _supervises(supporter, colleague)
    _contact(offer, supporter)
    concern = _raise(offer, supporter)
    client = client_for(team_user)
    assert client.get(reverse("oversight:supervisee", args=[supporter.pk])).status_code == 404
    pages = [
        reverse("incidents:person_detail", args=[offer.person.pk]),
        reverse("incidents:work_queue"),
        reverse("oversight:concern_list"),
        reverse("oversight:concern_detail", args=[concern.pk]),
        reverse("oversight:supervision"),
        reverse("supporters:supporter_detail", args=[supporter.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert NOTE not in response.content.decode(), url
    # The person's page says that the contact happened, and what about.
    person_page = client.get(pages[0]).content.decode()
    assert "25 minutes" in person_page
    assert "Information about the review process" in person_page


def test_supervisor_not_on_a_restricted_review_reads_the_note_but_not_the_name(
    client_for, colleague, offer, supporter
):
    _supervises(supporter, colleague)
    review = offer.person.review
    review.restricted = True
    review.save()
    _contact(offer, supporter)
    html = client_for(colleague).get(reverse("oversight:supervisee", args=[supporter.pk]))
    html = html.content.decode()
    assert NOTE in html
    assert offer.person.full_name not in html
    assert reverse("incidents:person_detail", args=[offer.person.pk]) not in html


def test_contact_summaries_never_load_the_note(offer, supporter):
    _contact(offer, supporter)
    contacts = contact_summaries(offer.person)
    assert len(contacts) == 1
    assert "note" in contacts[0].get_deferred_fields()
    assert contacts[0].minutes == 25


def test_supervision_page_lists_supervisees_with_their_latest_check_in(
    client_for, colleague, supporter, second_supporter
):
    _supervises(supporter, colleague)
    practice.record_checkin(supporter, empowered=4, coping=4, wants_debrief=False)
    practice.record_checkin(supporter, empowered=4, coping=1, wants_debrief=False)
    html = client_for(colleague).get(reverse("oversight:supervision")).content.decode()
    assert reverse("oversight:supervisee", args=[supporter.pk]) in html
    assert reverse("oversight:supervisee", args=[second_supporter.pk]) not in html
    assert "Needs attention" in html
    assert "Coping: 1 out of 5" in html
    # make_supporter recorded supervision a week ago: due in 5 weeks.
    due = timezone.localdate() - timedelta(days=7) + timedelta(weeks=6)
    assert f"{due:%-d %B %Y}" in html


def test_supervision_page_without_check_in_trouble_has_no_attention_tag(
    client_for, colleague, supporter
):
    _supervises(supporter, colleague)
    practice.record_checkin(supporter, empowered=4, coping=5, wants_debrief=False)
    html = client_for(colleague).get(reverse("oversight:supervision")).content.decode()
    assert "Needs attention" not in html


def test_team_member_who_supervises_no_one_sees_an_empty_state(client_for, colleague, supporter):
    html = client_for(colleague).get(reverse("oversight:supervision")).content.decode()
    assert "You are not the named supervisor of any peer supporters" in html
    assert reverse("oversight:supervisee", args=[supporter.pk]) not in html


def test_low_check_in_alerts_the_supervisor_with_a_link_to_its_follow_up(colleague, supporter):
    _supervises(supporter, colleague)
    checkin = practice.record_checkin(supporter, empowered=2, coping=4, wants_debrief=False)
    outbox.sweep()
    alert = Alert.objects.get(user=colleague)
    assert alert.link == reverse("oversight:checkin_follow_up", args=[checkin.pk])


# Group debriefs ---------------------------------------------------------------------------


def _debrief_data(**changes):
    held = timezone.localdate() - timedelta(days=2)
    data = {
        "team": "Ward 7 nursing team",
        "held_on_day": str(held.day),
        "held_on_month": str(held.month),
        "held_on_year": str(held.year),
        "facilitators": "Dr Amira Shah (psychologist)",
        "attendance": "9",
        "follow_up": "Two staff offered individual support.",
        "review": "",
    }
    data.update(changes)
    return data


def test_debrief_is_recorded_for_the_users_organisation(
    client_for, team_user, organisation, review
):
    client = client_for(team_user)
    response = client.post(reverse("oversight:debrief_add"), _debrief_data(review=str(review.pk)))
    assert response.status_code == 302
    debrief = GroupDebrief.objects.get()
    assert debrief.organisation == organisation
    assert debrief.review == review
    assert debrief.attendance == 9
    assert debrief.recorded_by == team_user
    html = client.get(reverse("oversight:debrief_list")).content.decode()
    assert "Ward 7 nursing team" in html
    assert "Dr Amira Shah (psychologist)" in html


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"attendance": "0"}, "How many people attended must be 1 or more"),
        ({"attendance": "-3"}, "How many people attended must be 1 or more"),
        ({"attendance": "lots"}, "How many people attended must be a number"),
        ({"attendance": ""}, "Enter how many people attended"),
        ({"team": ""}, "Enter the team that was debriefed"),
        ({"facilitators": ""}, "Enter who facilitated the debrief"),
        (
            {"held_on_day": "", "held_on_month": "", "held_on_year": ""},
            "Enter the date of the debrief",
        ),
    ],
)
def test_debrief_form_explains_what_to_fix(client_for, team_user, changes, error):
    response = client_for(team_user).post(
        reverse("oversight:debrief_add"), _debrief_data(**changes)
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not GroupDebrief.objects.exists()


def test_debrief_date_cannot_be_in_the_future(client_for, team_user):
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = _debrief_data(
        held_on_day=str(tomorrow.day),
        held_on_month=str(tomorrow.month),
        held_on_year=str(tomorrow.year),
    )
    response = client_for(team_user).post(reverse("oversight:debrief_add"), data)
    assert "Date of the debrief must be today or in the past" in response.content.decode()
    assert not GroupDebrief.objects.exists()
    today = timezone.localdate()
    data.update(held_on_day=str(today.day), held_on_month=str(today.month))
    data["held_on_year"] = str(today.year)
    assert client_for(team_user).post(reverse("oversight:debrief_add"), data).status_code == 302


def test_debrief_review_choices_are_limited_to_reviews_the_user_may_see(
    client_for, team_user, colleague, organisation, other_organisation, review
):
    other = ReviewFactory(organisation=other_organisation, reference="OTHER-1")
    restricted = ReviewFactory(
        organisation=organisation,
        reference="RESTRICTED-1",
        restricted=True,
        lead_investigator=team_user,
    )
    client = client_for(colleague)
    page = client.get(reverse("oversight:debrief_add")).content.decode()
    assert review.reference in page
    assert "OTHER-1" not in page
    assert "RESTRICTED-1" not in page
    for refused in (other, restricted):
        response = client.post(reverse("oversight:debrief_add"), _debrief_data(review=refused.pk))
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
    assert not GroupDebrief.objects.exists()


def test_debriefs_of_other_organisations_are_not_listed(
    client_for, team_user, other_team_user, other_organisation
):
    practice.record_debrief(
        other_organisation,
        by=other_team_user,
        team="Theatres",
        held_on=date(2026, 1, 5),
        facilitators="Kim",
        attendance=4,
    )
    html = client_for(team_user).get(reverse("oversight:debrief_list")).content.decode()
    assert "Theatres" not in html
    assert "No group debriefs have been recorded yet" in html
