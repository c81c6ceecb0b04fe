"""A supervisor's follow-up to a wellbeing check-in that needed attention.

A low check-in alerted the supporter's supervisor, but there was nowhere to record what they
did, so the alert never closed. The supervisor records it on the supervision pages
(oversight:checkin_follow_up, rule supporters.supervision.record_checkin_follow_up): it closes
the alert for everyone it went to, is audited without the text, and the text is seen by the
supporter's supervisors only, never by the wider team or through the administration site.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from peersupport import admin_wall, outbox
from peersupport.models import Alert, AuditEvent, Message, MessageStatus
from peersupport.roles import Role
from supporters import supervision
from supporters.models import PeerSupporter, SupervisorAssignment, WellbeingCheckIn
from supporters.practice import services as practice
from tests.factories import OrganisationFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db

FOLLOW_UP = "Quokka-7731: phoned her the next morning and booked an extra supervision session."
ENTER = "Enter what you did after their check-in"


@pytest.fixture
def supervisor(make_user, organisation, supporter):
    """A team member of the organisation, on none of its reviews, named as the supporter's
    supervisor (their main one and for the organisation)."""
    user = make_user(Role.TEAM, "sally.supervisor@example.org", first_name="Sally")
    TeamMemberFactory(user=user, organisation=organisation)
    supporter.supervisor = user
    supporter.save()
    SupervisorAssignment.objects.update_or_create(
        supporter=supporter, organisation=organisation, defaults={"supervisor": user}
    )
    return user


@pytest.fixture
def colleague(make_user, organisation):
    """A team member of the same organisation who supervises nobody."""
    user = make_user(Role.TEAM, "cal.colleague@example.org", first_name="Cal")
    TeamMemberFactory(user=user, organisation=organisation)
    return user


@pytest.fixture
def low_checkin(supporter, supervisor):
    return practice.record_checkin(supporter, empowered=4, coping=2, wants_debrief=False)


def follow_up_url(checkin):
    return reverse("oversight:checkin_follow_up", args=[checkin.pk])


def deliver_in_app(checkin):
    """Send the in-app copies of the check-in's alert (making the Alert rows); the emails stay
    waiting to go."""
    for message in Message.objects.filter(kind="wellbeing_alert", channel="in_app"):
        assert message.cause_id == str(checkin.pk)
        assert outbox.deliver(message.pk) == MessageStatus.SENT


def unchanged(checkin):
    checkin.refresh_from_db()
    return (checkin.followed_up_at, checkin.followed_up_by, checkin.follow_up) == (None, None, "")


# The whole journey ----------------------------------------------------------------------------


def test_a_low_check_in_alerts_the_supervisor_who_records_a_follow_up_that_closes_the_alert(
    client_for, supporter, supervisor
):
    response = client_for(supporter.user).post(
        reverse("practice:checkin"), {"empowered": "4", "coping": "2", "wants_debrief": "no"}
    )
    assert response.status_code == 302
    checkin = WellbeingCheckIn.objects.get()
    deliver_in_app(checkin)
    alert = Alert.objects.get(user=supervisor)
    assert alert.read_at is None
    email = Message.objects.get(kind="wellbeing_alert", channel="email", user=supervisor)
    assert email.status == MessageStatus.PENDING

    client = client_for(supervisor)
    page = client.get(reverse("oversight:supervision")).content.decode()
    assert "Needs attention" in page
    assert follow_up_url(checkin) in page
    assert "Record follow-up" in page

    form_page = client.get(follow_up_url(checkin))
    assert form_page.status_code == 200
    body = form_page.content.decode()
    assert "What did you do?" in body
    assert "Only their supervisors will see this." in body
    assert checkin.created_at.strftime("%-d %B %Y") in body
    assert "4 out of 5" in body and "2 out of 5" in body
    assert "Wants a debrief" in body

    response = client.post(follow_up_url(checkin), {"follow_up": f"  {FOLLOW_UP}  "})
    supervisee = reverse("oversight:supervisee", args=[supporter.pk])
    assert response.status_code == 302
    assert response["Location"] == f"{supervisee}#checkins"

    checkin.refresh_from_db()
    assert checkin.follow_up == FOLLOW_UP
    assert checkin.followed_up_by == supervisor
    assert checkin.followed_up_at is not None
    alert.refresh_from_db()
    assert alert.read_at is not None
    email.refresh_from_db()
    assert email.status == MessageStatus.CANCELLED

    followed = client.get(response["Location"]).content.decode()
    assert "Follow-up recorded. The alert about this check-in is closed." in followed
    today = timezone.localdate().strftime("%-d %B %Y")
    assert f"Followed up on {today}" in followed
    assert FOLLOW_UP in followed
    assert follow_up_url(checkin) not in followed

    summary = client.get(reverse("oversight:supervision")).content.decode()
    assert f"Followed up on {today}" in summary
    assert FOLLOW_UP in summary
    assert "Needs attention" not in summary
    assert "Record follow-up" not in summary


def test_the_follow_up_is_audited_without_its_text(client_for, supervisor, low_checkin):
    client = client_for(supervisor)
    client.get(follow_up_url(low_checkin))
    client.post(follow_up_url(low_checkin), {"follow_up": FOLLOW_UP})
    viewed = AuditEvent.objects.filter(action="wellbeing.viewed", actor=supervisor)
    assert viewed.filter(object_id=str(low_checkin.pk)).exists()
    recorded = AuditEvent.objects.get(action="wellbeing.followed_up")
    assert recorded.actor == supervisor
    assert recorded.object_type == "supporters.wellbeingcheckin"
    assert recorded.object_id == str(low_checkin.pk)
    for event in AuditEvent.objects.all():
        assert "Quokka-7731" not in str(event.detail)


def test_the_follow_up_closes_the_alert_for_every_recipient(
    make_user, organisation, make_supporter
):
    """No main supervisor and none named for either organisation: the leads of both were
    alerted. A supervisor named for one organisation since follows up, and every lead's alert
    is closed."""
    elsewhere = OrganisationFactory(name="Eastmoor Hospitals NHS Trust")
    leads = []
    for served in (organisation, elsewhere):
        lead = make_user(Role.TEAM, f"lead{served.pk}@example.org")
        TeamMemberFactory(user=lead, organisation=served)
        served.lead = lead
        served.save()
        leads.append(lead)
    supporter = make_supporter("two.trusts@example.org", organisations=[organisation, elsewhere])
    assignments = list(SupervisorAssignment.objects.filter(supporter=supporter))
    SupervisorAssignment.objects.filter(supporter=supporter).delete()
    checkin = practice.record_checkin(supporter, empowered=1, coping=5, wants_debrief=False)
    deliver_in_app(checkin)
    assert Alert.objects.filter(user__in=leads, read_at__isnull=True).count() == 2
    unrelated = Alert.objects.create(user=leads[0], text="Something else")

    named = next(a for a in assignments if a.organisation_id == organisation.pk)
    SupervisorAssignment.objects.create(
        supporter=supporter, organisation=organisation, supervisor=named.supervisor
    )
    supervision.record_checkin_follow_up(checkin, by=named.supervisor, follow_up=FOLLOW_UP)

    assert not Alert.objects.filter(message__kind="wellbeing_alert", read_at__isnull=True).exists()
    assert not Message.objects.filter(kind="wellbeing_alert", status=MessageStatus.PENDING).exists()
    unrelated.refresh_from_db()
    assert unrelated.read_at is None


def test_only_the_wellbeing_alert_is_cancelled(supervisor, low_checkin):
    """The next monthly check-in prompt, and any other message, still goes."""
    others = set(
        Message.objects.exclude(kind="wellbeing_alert")
        .filter(status=MessageStatus.PENDING)
        .values_list("pk", flat=True)
    )
    supervision.record_checkin_follow_up(low_checkin, by=supervisor, follow_up=FOLLOW_UP)
    assert others <= set(
        Message.objects.filter(status=MessageStatus.PENDING).values_list("pk", flat=True)
    )


def test_an_earlier_check_in_waiting_for_a_follow_up_is_pointed_to(
    client_for, supporter, supervisor, low_checkin
):
    practice.record_checkin(supporter, empowered=5, coping=5, wants_debrief=False)
    page = client_for(supervisor).get(reverse("oversight:supervision")).content.decode()
    assert "1 earlier check-in needs a follow-up" in page
    supervisee = client_for(supervisor).get(reverse("oversight:supervisee", args=[supporter.pk]))
    assert follow_up_url(low_checkin) in supervisee.content.decode()


# Who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["colleague", "team_user", "other_team_user"])
def test_another_team_member_or_another_organisation_is_refused(
    request, client_for, supervisor, low_checkin, who
):
    user = request.getfixturevalue(who)
    client = client_for(user)
    assert client.get(follow_up_url(low_checkin)).status_code == 404
    assert client.post(follow_up_url(low_checkin), {"follow_up": FOLLOW_UP}).status_code == 404
    with pytest.raises(ValidationError, match="Only the peer supporter's supervisor"):
        supervision.record_checkin_follow_up(low_checkin, by=user, follow_up=FOLLOW_UP)
    assert unchanged(low_checkin)


def test_the_supporter_themselves_is_refused(client_for, supporter, low_checkin):
    client = client_for(supporter.user)
    assert client.get(follow_up_url(low_checkin)).status_code == 403
    assert client.post(follow_up_url(low_checkin), {"follow_up": FOLLOW_UP}).status_code == 403
    with pytest.raises(ValidationError):
        supervision.record_checkin_follow_up(low_checkin, by=supporter.user, follow_up=FOLLOW_UP)
    assert unchanged(low_checkin)


def test_a_manager_is_refused(client_for, manager_user, low_checkin):
    assert client_for(manager_user).get(follow_up_url(low_checkin)).status_code == 403
    with pytest.raises(ValidationError):
        supervision.record_checkin_follow_up(low_checkin, by=manager_user, follow_up=FOLLOW_UP)
    assert unchanged(low_checkin)


def test_a_second_follow_up_is_refused_and_changes_nothing(
    client_for, supporter, supervisor, low_checkin, organisation, make_user
):
    supervision.record_checkin_follow_up(low_checkin, by=supervisor, follow_up=FOLLOW_UP)
    first = WellbeingCheckIn.objects.get()
    with pytest.raises(ValidationError, match="already been recorded"):
        supervision.record_checkin_follow_up(low_checkin, by=supervisor, follow_up="Something else")

    # Another supervisor of theirs, with the page open from before, saves too.
    second = make_user(Role.TEAM, "second.supervisor@example.org")
    TeamMemberFactory(user=second, organisation=organisation)
    SupervisorAssignment.objects.filter(supporter=supporter).update(supervisor=second)
    client = client_for(second)
    page = client.get(follow_up_url(low_checkin)).content.decode()
    assert "Save follow-up" not in page
    assert FOLLOW_UP in page
    response = client.post(follow_up_url(low_checkin), {"follow_up": "Something else"})
    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    assert "Someone has already recorded a follow-up to this check-in." in shown

    after = WellbeingCheckIn.objects.get()
    assert (after.followed_up_at, after.followed_up_by, after.follow_up) == (
        first.followed_up_at,
        supervisor,
        FOLLOW_UP,
    )
    assert AuditEvent.objects.filter(action="wellbeing.followed_up").count() == 1


def test_a_check_in_that_needed_no_attention_has_nothing_to_follow_up(
    client_for, supporter, supervisor
):
    fine = practice.record_checkin(supporter, empowered=3, coping=4, wants_debrief=False)
    assert client_for(supervisor).get(follow_up_url(fine)).status_code == 404
    with pytest.raises(ValidationError, match="did not need attention"):
        supervision.record_checkin_follow_up(fine, by=supervisor, follow_up=FOLLOW_UP)
    assert unchanged(fine)


def test_the_text_is_kept_from_the_wider_team(client_for, team_user, supporter, supervisor):
    checkin = practice.record_checkin(supporter, empowered=2, coping=2, wants_debrief=True)
    supervision.record_checkin_follow_up(checkin, by=supervisor, follow_up=FOLLOW_UP)
    client = client_for(team_user)
    for url in (
        reverse("oversight:supervision"),
        reverse("supporters:roster"),
        reverse("supporters:supporter_detail", args=[supporter.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Quokka-7731" not in response.content.decode(), url
    assert client.get(reverse("oversight:supervisee", args=[supporter.pk])).status_code == 404


def test_the_admin_treats_the_follow_up_as_protected_text(
    client_for, admin_user, supervisor, low_checkin
):
    """Declared with the contact note (peersupport.admin_wall.WALL_PROTECTED_FIELDS), so no
    admin filters, searches, sorts or shows it, through any relation."""
    assert admin_wall.is_wall_protected(WellbeingCheckIn._meta.get_field("follow_up"))
    assert admin_wall.crosses_the_wall(PeerSupporter, "checkins__follow_up__startswith")
    assert not admin_wall.crosses_the_wall(PeerSupporter, "checkins__coping")
    supervision.record_checkin_follow_up(low_checkin, by=supervisor, follow_up=FOLLOW_UP)
    url = reverse("admin:supporters_peersupporter_changelist")
    response = client_for(admin_user).get(url, {"checkins__follow_up__startswith": "Quokka"})
    assert response.status_code == 400
    assert "Quokka-7731" not in response.content.decode()


# Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["", "   ", "\n\t \r\n"])
def test_an_empty_answer_is_refused_with_an_nhs_error(client_for, supervisor, low_checkin, typed):
    response = client_for(supervisor).post(follow_up_url(low_checkin), {"follow_up": typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    assert "nhsuk-error-message" in page
    assert ENTER in page
    assert "<title>Error: " in page
    assert unchanged(low_checkin)
    assert not Message.objects.filter(status=MessageStatus.CANCELLED).exists()


def test_a_missing_answer_is_refused(client_for, supervisor, low_checkin):
    response = client_for(supervisor).post(follow_up_url(low_checkin), {})
    assert response.status_code == 200
    assert ENTER in response.content.decode()
    assert unchanged(low_checkin)


def test_an_answer_over_1000_characters_is_refused(client_for, supervisor, low_checkin):
    response = client_for(supervisor).post(follow_up_url(low_checkin), {"follow_up": "x" * 1001})
    assert response.status_code == 200
    assert "What you did must be 1000 characters or fewer" in response.content.decode()
    assert unchanged(low_checkin)


def test_the_rule_refuses_an_empty_answer_too(supervisor, low_checkin):
    with pytest.raises(ValidationError) as refused:
        supervision.record_checkin_follow_up(low_checkin, by=supervisor, follow_up="  \n ")
    assert refused.value.message_dict == {"follow_up": [ENTER]}
    assert unchanged(low_checkin)


def test_markup_in_the_answer_is_shown_escaped(client_for, supporter, supervisor, low_checkin):
    client = client_for(supervisor)
    client.post(follow_up_url(low_checkin), {"follow_up": "<script>alert('x')</script>"})
    for url in (
        reverse("oversight:supervision"),
        reverse("oversight:supervisee", args=[supporter.pk]),
        follow_up_url(low_checkin),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert(" not in page
        assert "&lt;script&gt;" in page


# The query and the model agree ----------------------------------------------------------------


def test_the_needs_attention_query_matches_the_model(supporter):
    for empowered in range(1, 6):
        for coping in range(1, 6):
            for wants_debrief in (False, True):
                WellbeingCheckIn.objects.create(
                    supporter=supporter,
                    empowered=empowered,
                    coping=coping,
                    wants_debrief=wants_debrief,
                )
    expected = {c.pk for c in WellbeingCheckIn.objects.all() if c.needs_attention}
    found = WellbeingCheckIn.objects.filter(supervision.NEEDS_ATTENTION)
    assert set(found.values_list("pk", flat=True)) == expected


def test_anonymising_a_supporter_who_left_blanks_their_supervisors_follow_ups(
    low_checkin, supervisor, supporter
):
    from peersupport.privacy.anonymise import anonymise_supporter

    supervision.record_checkin_follow_up(low_checkin, by=supervisor, follow_up=FOLLOW_UP)
    anonymise_supporter(supporter, reason="retention")
    low_checkin.refresh_from_db()
    assert low_checkin.follow_up == ""
    assert low_checkin.followed_up_at is not None


def test_the_alert_goes_to_the_supervisors_who_may_follow_it_up_not_to_the_lead(
    make_user, organisation, supporter
):
    """With no main supervisor named, the alert once went to the organisation's lead, who may
    not record the follow-up; it goes to the supervisor named for the organisation."""
    lead = make_user(Role.TEAM, "lee.lead@example.org", first_name="Lee")
    TeamMemberFactory(user=lead, organisation=organisation)
    organisation.lead = lead
    organisation.save()
    named = make_user(Role.TEAM, "nia.named@example.org", first_name="Nia")
    TeamMemberFactory(user=named, organisation=organisation)
    PeerSupporter.objects.filter(pk=supporter.pk).update(supervisor=None)
    supporter.refresh_from_db()
    SupervisorAssignment.objects.update_or_create(
        supporter=supporter, organisation=organisation, defaults={"supervisor": named}
    )
    checkin = practice.record_checkin(supporter, empowered=1, coping=3, wants_debrief=False)
    alerted = set(
        Message.objects.filter(kind="wellbeing_alert", cause_id=str(checkin.pk)).values_list(
            "user__email", flat=True
        )
    )
    assert alerted == {"nia.named@example.org"}
    assert supervision.supervised_checkins(named).filter(pk=checkin.pk).exists()
