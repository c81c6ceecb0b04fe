"""Every timing rule of the design, with the clock moved (time-machine): each message goes when
its rule says, not before, and not at all once its reason has gone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from incidents import services as incidents_services
from incidents.models import AvoidDate, PersonKind
from peersupport import outbox
from peersupport.channels import RecordingSMSClient
from peersupport.models import Alert, Letter, Message, MessageStatus, TimingRule
from peersupport.roles import Role
from supporters import services
from supporters.models import OfferStatus
from supporters.practice import services as practice
from tests.factories import (
    AffectedPersonFactory,
    CourseFactory,
    ReviewFactory,
    SupervisionSessionFactory,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.fixture
def clock(time_machine):
    def move(text):
        time_machine.move_to(at(text), tick=False)
        return outbox.sweep(limit=10_000)

    return move


def sent(kind, **filters):
    return Message.objects.filter(kind=kind, status=MessageStatus.SENT, **filters)


def waiting_person(review, team_user, **kwargs):
    """A person who has just agreed to be contacted: their offer opens now."""
    person = AffectedPersonFactory(review=review, consent_to_contact="not_asked", **kwargs)
    incidents_services.record_consent(person, "contact", "given", "phone", by=team_user)
    incidents_services.record_consent(person, "share", "given", "phone", by=team_user)
    person.refresh_from_db()
    return person


def open_offer(person):
    return person.offers.get(status=OfferStatus.NEEDS_SUPPORTER)


# No supporter yet -------------------------------------------------------------------------


def test_no_supporter_alerts_the_team_after_1_working_day_and_escalates_after_2(
    clock, review, team_user, make_user
):
    colleague = make_user(Role.TEAM, "colleague@example.org")
    from tests.factories import TeamMemberFactory

    TeamMemberFactory(user=colleague, organisation=review.organisation)
    clock("2027-01-08 10:00")  # a Friday
    waiting_person(review, team_user)
    clock("2027-01-11 09:59")  # Monday: not yet a working day later
    assert not sent("no_supporter_alert").exists()
    clock("2027-01-11 10:00")
    alerted = set(sent("no_supporter_alert", channel="in_app").values_list("user", flat=True))
    assert alerted == {team_user.pk, colleague.pk}
    assert not sent("no_supporter_escalation").exists()
    clock("2027-01-12 10:00")
    (escalation,) = sent("no_supporter_escalation", channel="in_app")
    assert escalation.user == review.lead_investigator
    assert "2 working days" in Alert.objects.get(message=escalation).text


def test_escalation_goes_to_the_organisations_lead_when_there_is_no_review(
    clock, organisation, team_user, make_user
):
    lead = make_user(Role.TEAM, "lead@example.org")
    organisation.lead = lead
    organisation.save()
    clock("2027-01-08 10:00")
    person = AffectedPersonFactory(
        review=None,
        organisation=organisation,
        kind=PersonKind.STAFF,
        staff_team="Ward 3",
        consent_to_contact="not_asked",
    )
    incidents_services.record_consent(person, "contact", "given", "phone", by=team_user)
    clock("2027-01-12 10:00")
    assert sent("no_supporter_escalation", channel="in_app").get().user == lead


def test_staff_use_the_staff_rule_supporter_within_1_working_day(clock, review, team_user):
    TimingRule.objects.filter(key="staff-assign-within").update(delay=3)
    clock("2027-01-08 10:00")
    waiting_person(review, team_user, kind=PersonKind.STAFF, staff_team="Ward 3")
    clock("2027-01-11 10:00")
    assert not sent("no_supporter_alert").exists()  # the family rule would have fired today
    clock("2027-01-13 10:00")
    assert sent("no_supporter_alert").exists()


def test_assigning_a_supporter_cancels_the_alert_and_escalation(
    clock, review, team_user, supporter
):
    clock("2027-01-08 10:00")
    person = waiting_person(review, team_user)
    services.assign_supporter(open_offer(person), supporter, by=team_user, via="phone")
    clock("2027-01-13 10:00")
    assert not sent("no_supporter_alert").exists()
    assert not sent("no_supporter_escalation").exists()
    assert Message.objects.filter(
        kind="no_supporter_alert", status=MessageStatus.CANCELLED
    ).exists()


# The offer ---------------------------------------------------------------------------------


def test_unanswered_offer_is_reminded_at_5_and_10_days_then_the_team_is_asked_to_phone(
    clock, review, team_user, supporter
):
    clock("2027-01-04 11:00")
    person = waiting_person(review, team_user)
    services.assign_supporter(open_offer(person), supporter, by=team_user)
    clock("2027-01-09 10:59")
    assert not sent("offer_reminder").exists()
    mail.outbox.clear()
    clock("2027-01-09 11:00")
    assert sent("offer_reminder", rule="offer-reminder-1").count() == 1
    (reminder,) = [m for m in mail.outbox if m.to == [person.email]]
    assert "still open" in reminder.subject and "/offer/t/" in reminder.body
    clock("2027-01-14 11:00")
    assert sent("offer_reminder", rule="offer-reminder-2").count() == 1
    assert not sent("offer_phone_task").exists()
    clock("2027-01-18 11:00")
    assert sent("offer_phone_task", channel="in_app", user=team_user).exists()


def test_an_answer_cancels_the_reminders(clock, review, team_user, supporter):
    clock("2027-01-04 11:00")
    person = waiting_person(review, team_user)
    offer = services.assign_supporter(open_offer(person), supporter, by=team_user)
    clock("2027-01-10 11:00")
    services.record_answer(offer, "declined", by=team_user, reason="Not now")
    clock("2027-01-20 11:00")
    assert sent("offer_reminder").count() == 1
    cancelled = Message.objects.get(kind="offer_reminder", rule="offer-reminder-2")
    assert cancelled.status == MessageStatus.CANCELLED
    assert "declined" in cancelled.cancelled_reason.lower()
    assert not sent("offer_phone_task").exists()


def test_just_before_sending_a_reminder_rechecks_its_reason(clock, review, team_user, supporter):
    clock("2027-01-04 11:00")
    person = waiting_person(review, team_user)
    offer = services.assign_supporter(open_offer(person), supporter, by=team_user)
    offer.status = OfferStatus.ACCEPTED  # changed behind the outbox's back
    offer.save()
    clock("2027-01-09 11:00")
    reminder = Message.objects.get(kind="offer_reminder", rule="offer-reminder-1")
    assert reminder.status == MessageStatus.CANCELLED
    assert "accepted" in reminder.cancelled_reason


def test_ask_again_later_returns_to_the_queue_and_declined_can_be_offered_again(
    clock, review, team_user, supporter
):
    from incidents.selectors import work_queue_for

    clock("2027-01-04 11:00")
    person = waiting_person(review, team_user)
    offer = services.assign_supporter(open_offer(person), supporter, by=team_user, via="phone")
    services.record_answer(offer, "later", by=team_user, contact_again_on=date(2027, 2, 15))
    clock("2027-02-14 11:00")
    assert work_queue_for(team_user)["contact_again"] == []
    clock("2027-02-15 09:00")
    assert [o.pk for o in work_queue_for(team_user)["contact_again"]] == [offer.pk]
    again = services.offer_again(person, by=team_user)
    assert again.status == OfferStatus.NEEDS_SUPPORTER and again.pk != offer.pk


# Support under way -------------------------------------------------------------------------


def accepted_offer(review, team_user, supporter, **person_fields):
    person = waiting_person(review, team_user, **person_fields)
    offer = services.assign_supporter(open_offer(person), supporter, by=team_user, via="phone")
    return services.record_answer(offer, "accepted", by=team_user)


def test_staff_check_ins_at_72_hours_28_days_and_3_months_after_the_event(
    clock, service, team_user, make_supporter
):
    from supporters.models import Pool

    clock("2027-03-01 08:00")
    supporter = make_supporter("staff.peer@example.org", pool=Pool.STAFF, staff_team="Theatres")
    review = ReviewFactory(
        organisation=service.organisation,
        service=service,
        lead_investigator=team_user,
        incident_date=date(2027, 3, 1),
        reported_date=date(2027, 3, 1),
    )
    accepted_offer(review, team_user, supporter, kind=PersonKind.STAFF, staff_team="ICU")
    clock("2027-03-04 08:59")  # not sooner than 72 hours after 09:00 on the day
    assert not sent("staff_check_in").exists()
    clock("2027-03-04 09:00")
    assert sent("staff_check_in", rule="staff-check-in", user=supporter.user).exists()
    clock("2027-03-29 09:00")
    assert sent("staff_check_in", rule="staff-follow-up").exists()
    assert not sent("staff_check_in", rule="staff-three-months").exists()
    clock("2027-05-31 09:00")
    assert sent("staff_check_in", rule="staff-three-months").exists()


def test_no_contact_for_14_days_nudges_the_supporter_and_a_contact_restarts_the_clock(
    clock, review, team_user, supporter
):
    clock("2027-01-04 10:00")
    offer = accepted_offer(review, team_user, supporter)
    clock("2027-01-14 10:00")
    practice.record_contact(
        offer,
        supporter,
        happened_on=date(2027, 1, 14),
        mode="phone",
        minutes=20,
        topics=["emotional"],
    )
    clock("2027-01-18 10:00")  # 14 days after acceptance: the old nudge must not go
    assert not sent("no_contact_nudge").exists()
    clock("2027-01-28 10:00")
    assert sent("no_contact_nudge", channel="in_app", user=supporter.user).exists()


def test_milestone_nudges_7_days_before_and_the_day_after(clock, review, team_user, supporter):
    clock("2027-01-04 10:00")
    accepted_offer(review, team_user, supporter)
    incidents_services.add_milestone(review, "inquest", date(2027, 1, 25), by=team_user)
    clock("2027-01-18 08:59")
    assert not sent("milestone_nudge").exists()
    clock("2027-01-18 09:00")
    (before,) = sent("milestone_nudge", rule="milestone-before", channel="in_app")
    assert "coming up on 25 January" in Alert.objects.get(message=before).text
    clock("2027-01-26 09:00")
    assert sent("milestone_nudge", rule="milestone-after", channel="in_app").exists()


def test_a_reassigned_supporters_nudges_go_and_the_new_supporter_gets_them(
    clock, review, team_user, supporter, second_supporter
):
    clock("2027-01-04 10:00")
    offer = accepted_offer(review, team_user, supporter)
    incidents_services.add_milestone(review, "inquest", date(2027, 1, 25), by=team_user)
    services.reassign(offer, second_supporter, by=team_user)
    clock("2027-01-27 09:00")
    assert not sent("milestone_nudge", user=supporter.user).exists()
    assert not sent("no_contact_nudge", user=supporter.user).exists()
    assert sent("milestone_nudge", user=second_supporter.user, rule="milestone-before").exists()


# The supporter's own care -----------------------------------------------------------------


def test_a_contact_prompts_a_wellbeing_check_in(clock, review, team_user, supporter):
    clock("2027-01-04 10:00")
    offer = accepted_offer(review, team_user, supporter)
    practice.record_contact(
        offer,
        supporter,
        happened_on=date(2027, 1, 4),
        mode="phone",
        minutes=20,
        topics=["emotional"],
    )
    clock("2027-01-04 10:01")
    assert sent("wellbeing_prompt", channel="in_app", user=supporter.user).exists()


def test_monthly_wellbeing_prompt_counts_from_the_last_check_in(clock, supporter):
    clock("2027-01-04 10:00")
    practice.record_checkin(supporter, empowered=4, coping=4, wants_debrief=False)
    clock("2027-01-24 10:00")
    practice.record_checkin(supporter, empowered=4, coping=4, wants_debrief=False)
    clock("2027-02-03 10:00")  # 30 days after the first: replaced by the second
    assert not sent("wellbeing_prompt_monthly").exists()
    clock("2027-02-23 10:00")
    assert sent("wellbeing_prompt_monthly", channel="in_app", user=supporter.user).exists()


def test_supervision_due_6_weeks_after_the_last_session(clock, supporter, team_user):
    clock("2027-01-04 10:00")
    services.record_supervision(supporter, team_user, date(2027, 1, 4), by=team_user)
    clock("2027-02-15 08:59")
    assert not sent("supervision_due").exists()
    clock("2027-02-15 09:00")
    users = set(sent("supervision_due", channel="in_app").values_list("user", flat=True))
    assert supporter.user_id in users


def test_training_expiry_is_warned_30_days_ahead(clock, supporter, team_user):
    course = CourseFactory(name="Safeguarding adults", valid_for_months=12)
    clock("2027-01-04 10:00")
    record = services.record_training(supporter, course, date(2027, 1, 4), by=team_user)
    assert record.expires_on == date(2028, 1, 4)
    clock("2027-12-05 08:59")
    assert not sent("training_expiring").exists()
    clock("2027-12-05 09:00")
    (warning,) = sent("training_expiring", channel="in_app", user=supporter.user)
    assert "Safeguarding adults" in Alert.objects.get(message=warning).text


# Administrators change the rules -----------------------------------------------------------


def test_an_administrator_editing_a_rule_moves_the_schedule(
    clock, review, team_user, supporter, make_user, client_for
):
    clock("2027-01-04 11:00")
    person = waiting_person(review, team_user)
    services.assign_supporter(open_offer(person), supporter, by=team_user)
    reminder = Message.objects.get(kind="offer_reminder", rule="offer-reminder-1")
    assert reminder.due_at == at("2027-01-09 11:00")
    rule = TimingRule.objects.get(key="offer-reminder-1")
    admin = client_for(make_user(Role.ADMINISTRATOR, "root@example.org"))
    response = admin.post(
        reverse("admin:peersupport_timingrule_change", args=[rule.pk]),
        {"description": rule.description, "delay": 3, "unit": "days", "enabled": "on"},
    )
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.due_at == at("2027-01-07 11:00")
    clock("2027-01-07 11:00")
    assert sent("offer_reminder", rule="offer-reminder-1").exists()


def test_switching_a_rule_off_cancels_what_waits_on_it(clock, review, team_user, supporter):
    clock("2027-01-04 11:00")
    person = waiting_person(review, team_user)
    services.assign_supporter(open_offer(person), supporter, by=team_user)
    TimingRule.objects.filter(key="offer-reminder-2").update(enabled=False)
    outbox.reschedule_rule("offer-reminder-2")
    clock("2027-01-20 11:00")
    assert not sent("offer_reminder", rule="offer-reminder-2").exists()
    assert Message.objects.get(rule="offer-reminder-2").status == MessageStatus.CANCELLED


# Every message: do not contact, avoid-dates, safe times, SMS hours --------------------------


def test_do_not_contact_cancels_everything_pending_for_that_person(
    clock, review, team_user, supporter
):
    clock("2027-01-04 11:00")
    offer = accepted_offer(review, team_user, supporter)
    incidents_services.set_do_not_contact(offer.person, True, by=team_user)
    pending = Message.objects.filter(status=MessageStatus.PENDING)
    assert not pending.filter(person=offer.person).exists()
    assert not pending.filter(cause_type="supporters.supportoffer", cause_id=str(offer.pk)).exists()


def test_an_avoid_date_defers_the_message_to_the_next_day_never_drops_it(
    clock, review, team_user, supporter
):
    clock("2027-01-04 11:00")
    person = waiting_person(review, team_user)
    AvoidDate.objects.create(person=person, date=date(2027, 1, 9), reason="anniversary")
    services.assign_supporter(open_offer(person), supporter, by=team_user)
    clock("2027-01-09 11:00")
    reminder = Message.objects.get(kind="offer_reminder", rule="offer-reminder-1")
    assert reminder.status == MessageStatus.PENDING
    assert reminder.due_at == at("2027-01-10 00:00")
    assert "avoid" in reminder.deferred_reason
    clock("2027-01-10 00:00")
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.SENT


def test_outside_safe_times_a_message_waits_for_the_window(clock, review, team_user, supporter):
    from datetime import time

    clock("2027-01-04 11:00")
    person = waiting_person(review, team_user, safe_from=time(18, 0), safe_until=time(21, 0))
    services.assign_supporter(open_offer(person), supporter, by=team_user)
    outbox.sweep()
    offer_message = Message.objects.get(kind="offer_to_person")
    assert offer_message.status == MessageStatus.PENDING
    assert offer_message.due_at == at("2027-01-04 18:00")
    clock("2027-01-04 18:00")
    offer_message.refresh_from_db()
    assert offer_message.status == MessageStatus.SENT


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("2027-03-28 07:30", "2027-03-28 08:00"),  # the morning the clocks go forward
        ("2027-03-28 20:30", "2027-03-29 08:00"),
        ("2027-10-31 06:15", "2027-10-31 08:00"),  # the morning the clocks go back
        ("2027-10-31 21:00", "2027-11-01 08:00"),
        ("2027-07-01 19:59", "2027-07-01 19:59"),
    ],
)
def test_text_messages_go_only_from_8_to_8_uk_time_across_the_clock_changes(
    clock, review, team_user, supporter, due, expected
):
    clock(due)
    SupervisionSessionFactory(supporter=supporter, supervisor=team_user, held_on=date.today())
    person = waiting_person(review, team_user, preferred_channel="sms")
    services.assign_supporter(open_offer(person), supporter, by=team_user, via="sms")
    message = Message.objects.get(kind="offer_to_person", channel="sms")
    outbox.sweep()
    message.refresh_from_db()
    if due == expected:
        assert message.status == MessageStatus.SENT
    else:
        assert message.status == MessageStatus.PENDING
        assert message.due_at == at(expected)
        assert message.due_at.astimezone(LONDON).strftime("%H:%M") == "08:00"


# Channels ----------------------------------------------------------------------------------


def test_an_offer_by_text_goes_through_notify_with_its_key_and_no_reference_number(
    clock, review, team_user, supporter
):
    RecordingSMSClient.sent.clear()
    clock("2027-01-04 11:00")
    person = waiting_person(review, team_user, preferred_channel="sms", phone="+447700900456")
    services.assign_supporter(open_offer(person), supporter, by=team_user, via="sms")
    outbox.sweep()
    (call,) = RecordingSMSClient.sent
    message = Message.objects.get(kind="offer_to_person")
    assert call["phone_number"] == "+447700900456"
    assert call["reference"] == message.idempotency_key
    body = call["personalisation"]["body"]
    assert "/offer/t/" in body and review.reference not in body


def test_an_offer_by_letter_waits_for_the_team_to_print_it_in_large_print(
    clock, review, team_user, supporter
):
    clock("2027-01-04 11:00")
    person = waiting_person(
        review,
        team_user,
        preferred_channel="letter",
        address="1 High Street\nNorthtown",
        accessible_formats=["large_print"],
    )
    services.assign_supporter(open_offer(person), supporter, by=team_user, via="letter")
    outbox.sweep()
    letter = Letter.objects.get()
    assert letter.message.kind == "offer_to_person" and letter.large_print
    assert len(letter.reference) == 9 and letter.posted_at is None


def test_a_concern_alerts_the_team_at_once_at_night_and_escalates_after_4_working_hours(
    clock, review, team_user, supporter
):
    clock("2027-01-04 10:00")
    offer = accepted_offer(review, team_user, supporter)
    clock("2027-01-09 02:00")  # a Saturday night
    practice.raise_concern(offer, supporter, kind="self_harm", details="Talked of ending it.")
    clock("2027-01-09 02:00")
    assert sent("concern_raised", channel="in_app", user=team_user).exists()
    clock("2027-01-11 12:59")  # Monday: 4 working hours from 09:00 is 13:00
    assert not sent("concern_escalated").exists()
    clock("2027-01-11 13:00")
    assert sent("concern_escalated", channel="in_app").exists()


def test_switching_the_concern_alert_rule_off_never_silences_a_concern(
    clock, review, team_user, supporter
):
    TimingRule.objects.filter(key="concern-alert").update(enabled=False)
    clock("2027-01-04 10:00")
    offer = accepted_offer(review, team_user, supporter)
    practice.raise_concern(offer, supporter, kind="self_harm", details="Talked of ending it.")
    clock("2027-01-04 10:00")
    assert sent("concern_raised", channel="in_app", user=team_user).exists()
