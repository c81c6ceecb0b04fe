"""Surveys held while a concern is open: never a survey on the evening a person was at risk.

A survey made while a concern about the person is open waits, unsent; one made before the
concern but not yet sent (even if it was waiting for a safe time) is held and its messages
cancelled; the last concern acknowledged sends it once, open for a fresh 28 days; the team
may cancel it; the person's page shows it waiting."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from feedback import selectors
from feedback.models import Invitation
from incidents import services as incidents_services
from incidents.models import ReviewStatus
from peersupport import outbox
from peersupport.models import AuditEvent, Message, MessageStatus
from supporters import services
from supporters.models import CloseReason, OfferStatus
from supporters.practice import services as practice

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
LINK = re.compile(r"https?://[^\s\"<>]+/survey/t/[^\s/\"<>]+/")
HELD = "Survey waiting: held while a concern is open; it will be sent when the concern is closed"


def send_due():
    return outbox.sweep(limit=10_000)


def later(time_machine, **delta):
    """Move the clock on and send whatever has fallen due."""
    time_machine.move_to(timezone.now() + timedelta(**delta), tick=False)
    return send_due()


def survey_emails():
    return [m for m in mail.outbox if LINK.search(m.body)]


def survey_messages(invitation):
    return Message.objects.filter(cause_type="feedback.invitation", cause_id=str(invitation.pk))


def statuses(invitation):
    return sorted(survey_messages(invitation).values_list("kind", "status"))


@pytest.fixture
def supported(consenting_person, supporter, team_user):
    """Joan's support, accepted."""
    waiting = consenting_person.offers.get(status=OfferStatus.NEEDS_SUPPORTER)
    offer = services.assign_supporter(waiting, supporter, by=team_user, via="phone")
    return services.record_answer(offer, "accepted", by=team_user)


def raise_concern(offer, details="Said she has been thinking of ending it."):
    return practice.raise_concern(offer, offer.supporter, kind="self_harm", details=details)


def acknowledge(concern, team_user):
    return practice.acknowledge_concern(concern, by=team_user, action_taken="Called her.")


def close(offer, team_user):
    services.close_support(offer, CloseReason.PERSONS_CHOICE, by=team_user)
    return Invitation.objects.get(offer=offer)


@pytest.fixture
def held(supported, team_user):
    """A concern about Joan is open when her support closes: her survey is held."""
    concern = raise_concern(supported)
    invitation = close(supported, team_user)
    invitation.concern = concern
    return invitation


# Holding ------------------------------------------------------------------------------------


def test_a_concern_open_when_support_closes_holds_the_survey_and_sends_nothing(held, time_machine):
    assert held.held_since is not None
    assert not survey_messages(held).exists()
    send_due()
    later(time_machine, days=8)
    assert survey_emails() == []
    held.refresh_from_db()
    assert held.sent_at is None and held.reminded_at is None
    assert AuditEvent.objects.filter(action="survey.held", object_id=str(held.pk)).exists()


def test_the_same_evening_a_concern_holds_a_survey_waiting_for_a_safe_time(
    supported, team_user, time_machine
):
    """Support closed at 7pm; Joan asked for messages only from 9am to 5pm, so the survey
    waits for the morning. A concern raised that evening holds it: nothing goes in the
    morning."""
    person = supported.person
    person.safe_from, person.safe_until = time(9, 0), time(17, 0)
    person.save()
    tomorrow = timezone.localdate() + timedelta(days=1)
    time_machine.move_to(datetime.combine(tomorrow, time(19, 0), tzinfo=LONDON), tick=False)
    invitation = close(supported, team_user)
    send_due()
    first = survey_messages(invitation).get(kind="survey_invitation")
    assert first.status == MessageStatus.PENDING and first.due_at > timezone.now()

    time_machine.move_to(datetime.combine(tomorrow, time(21, 30), tzinfo=LONDON), tick=False)
    raise_concern(supported)
    invitation.refresh_from_db()
    assert invitation.held_since is not None
    assert statuses(invitation) == [
        ("survey_invitation", MessageStatus.CANCELLED),
        ("survey_reminder", MessageStatus.CANCELLED),
    ]
    first.refresh_from_db()
    assert first.cancelled_reason == "Held while a concern about them is open."

    later(time_machine, hours=13)  # 10:30 the next morning
    later(time_machine, days=8)
    assert survey_emails() == []
    invitation.refresh_from_db()
    assert invitation.sent_at is None


def test_closing_a_review_while_a_concern_is_open_holds_that_survey_too(
    supported, review, team_user
):
    raise_concern(supported)
    incidents_services.change_review_status(
        review, ReviewStatus.CLOSED, by=team_user, closed_on=timezone.localdate()
    )
    invitation = Invitation.objects.get(review=review)
    assert invitation.held_since is not None
    assert not survey_messages(invitation).exists()
    send_due()
    assert survey_emails() == []


def test_the_check_before_sending_refuses_a_held_or_cancelled_survey(
    supported, team_user, time_machine
):
    """Even if a message is still waiting (a race, a row written by hand), it looks first."""
    invitation = close(supported, team_user)
    Invitation.objects.filter(pk=invitation.pk).update(held_since=timezone.now())
    send_due()
    first = survey_messages(invitation).get(kind="survey_invitation")
    assert first.status == MessageStatus.CANCELLED
    assert first.cancelled_reason == "Held while a concern about them is open."
    Invitation.objects.filter(pk=invitation.pk).update(held_since=None, cancelled_at=timezone.now())
    later(time_machine, days=8)
    reminder = survey_messages(invitation).get(kind="survey_reminder")
    assert reminder.status == MessageStatus.CANCELLED
    assert reminder.cancelled_reason == "The team cancelled the survey."
    assert survey_emails() == []


# Releasing ----------------------------------------------------------------------------------


def test_acknowledging_the_concern_sends_the_survey_once_with_a_new_expiry(
    held, team_user, time_machine
):
    time_machine.move_to(timezone.now() + timedelta(days=10), tick=False)
    acknowledge(held.concern, team_user)
    released = timezone.now()
    held.refresh_from_db()
    assert held.held_since is None
    assert held.expires_at == released + timedelta(days=28)
    send_due()
    send_due()
    emails = survey_emails()
    assert len(emails) == 1 and emails[0].to == [held.person.email]
    held.refresh_from_db()
    assert held.sent_at is not None
    # The reminder counts from the release, and the invitation is never sent twice.
    later(time_machine, days=6, hours=23)
    assert len(survey_emails()) == 1
    later(time_machine, hours=1, minutes=1)
    assert len(survey_emails()) == 2
    assert survey_messages(held).filter(status=MessageStatus.SENT).count() == 2
    assert AuditEvent.objects.filter(action="survey.released", object_id=str(held.pk)).exists()


def test_a_survey_held_twice_gets_new_messages_each_time(supported, team_user, time_machine):
    invitation = close(supported, team_user)
    acknowledge(raise_concern(supported), team_user)
    acknowledge(raise_concern(supported), team_user)
    pending = survey_messages(invitation).filter(status=MessageStatus.PENDING)
    assert sorted(pending.values_list("kind", flat=True)) == [
        "survey_invitation",
        "survey_reminder",
    ]
    send_due()
    assert len(survey_emails()) == 1


def test_with_two_concerns_it_waits_until_both_are_acknowledged(held, supported, team_user):
    second = raise_concern(supported, details="Talked about a plan.")
    acknowledge(held.concern, team_user)
    held.refresh_from_db()
    assert held.held_since is not None
    send_due()
    assert survey_emails() == []
    acknowledge(second, team_user)
    held.refresh_from_db()
    assert held.held_since is None
    send_due()
    assert len(survey_emails()) == 1


def test_a_survey_already_sent_is_not_pulled_back_but_its_reminder_waits(
    supported, team_user, time_machine
):
    invitation = close(supported, team_user)
    send_due()
    assert len(survey_emails()) == 1
    concern = raise_concern(supported)
    invitation.refresh_from_db()
    assert invitation.held_since is not None
    assert statuses(invitation) == [
        ("survey_invitation", MessageStatus.SENT),
        ("survey_reminder", MessageStatus.CANCELLED),
    ]
    later(time_machine, days=8)
    assert len(survey_emails()) == 1
    acknowledge(concern, team_user)
    send_due()
    assert len(survey_emails()) == 1  # the invitation is not sent again
    later(time_machine, days=7, minutes=1)
    emails = survey_emails()
    assert len(emails) == 2 and "reminder" in emails[1].subject.lower()


# The team cancels it ------------------------------------------------------------------------


def test_the_team_cancels_a_held_survey_and_nothing_is_ever_sent(
    held, team_user, client_for, time_machine
):
    client = client_for(team_user)
    url = reverse("feedback:invitation_cancel", args=[held.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cancel the survey for Joan Whitfield" in html and "You cannot undo this" in html
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:person_detail", args=[held.person_id])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Survey cancelled. Nothing about it will be sent to Joan Whitfield."
    ]
    held.refresh_from_db()
    assert held.cancelled_at is not None and held.cancelled_by == team_user
    event = AuditEvent.objects.get(action="survey.cancelled")
    assert event.actor == team_user and event.object_id == str(held.pk)

    # Gone from the person's page (which shows the message), and a second try changes nothing.
    person_page = client.get(response["Location"]).content.decode()
    assert "Survey cancelled." in person_page and HELD not in person_page
    again = client.post(url)
    assert [str(m) for m in get_messages(again.wsgi_request)] == [
        "This survey has already been sent, answered or cancelled."
    ]
    assert AuditEvent.objects.filter(action="survey.cancelled").count() == 1

    acknowledge(held.concern, team_user)
    send_due()
    later(time_machine, days=30)
    assert survey_emails() == []
    assert not survey_messages(held).filter(status=MessageStatus.SENT).exists()


def test_the_team_cancels_a_survey_waiting_to_be_sent(supported, team_user, client_for):
    invitation = close(supported, team_user)
    client_for(team_user).post(reverse("feedback:invitation_cancel", args=[invitation.pk]))
    assert statuses(invitation) == [
        ("survey_invitation", MessageStatus.CANCELLED),
        ("survey_reminder", MessageStatus.CANCELLED),
    ]
    send_due()
    assert survey_emails() == []


def test_a_sent_survey_cannot_be_cancelled(supported, team_user, client_for):
    invitation = close(supported, team_user)
    send_due()
    client = client_for(team_user)
    url = reverse("feedback:invitation_cancel", args=[invitation.pk])
    assert "can no longer be cancelled" in client.get(url).content.decode()
    client.post(url)
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None


def test_another_organisations_team_cannot_reach_the_survey(held, other_team_user, client_for):
    client = client_for(other_team_user)
    url = reverse("feedback:invitation_cancel", args=[held.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    held.refresh_from_db()
    assert held.cancelled_at is None


# What the team sees, and what is counted -------------------------------------------------------


def test_the_person_page_shows_the_waiting_survey(held, team_user, client_for):
    html = (
        client_for(team_user)
        .get(reverse("incidents:person_detail", args=[held.person_id]))
        .content.decode()
    )
    assert HELD in html
    assert reverse("feedback:invitation_cancel", args=[held.pk]) in html
    assert "Cancel this survey" in html


def test_the_person_page_shows_a_survey_waiting_to_be_sent_until_it_goes(
    supported, team_user, client_for
):
    invitation = close(supported, team_user)
    page = reverse("incidents:person_detail", args=[supported.person_id])
    client = client_for(team_user)
    html = client.get(page).content.decode()
    assert "Survey waiting to be sent" in html and HELD not in html
    assert reverse("feedback:invitation_cancel", args=[invitation.pk]) in html
    send_due()
    assert "Survey waiting to be sent" not in client.get(page).content.decode()


def test_a_survey_whose_message_was_cancelled_is_not_shown_as_waiting(
    supported, team_user, client_for
):
    invitation = close(supported, team_user)
    outbox.cancel_pending(cause=invitation, reason="The person asked not to be contacted.")
    html = (
        client_for(team_user)
        .get(reverse("incidents:person_detail", args=[supported.person_id]))
        .content.decode()
    )
    assert "Surveys waiting" not in html


def test_the_person_page_shows_nothing_when_no_survey_is_waiting(supported, team_user, client_for):
    close(supported, team_user)
    send_due()
    html = (
        client_for(team_user)
        .get(reverse("incidents:person_detail", args=[supported.person_id]))
        .content.decode()
    )
    assert "Surveys waiting" not in html and "Cancel this survey" not in html


def test_a_held_or_cancelled_survey_is_not_counted_as_sent(held, supported, team_user):
    counts = {c.questionnaire.slug: c for c in selectors.survey_counts(held.organisation)}
    assert counts["families-and-service-users"].sent == 0
    held.cancelled_at = timezone.now()
    held.save()
    counts = {c.questionnaire.slug: c for c in selectors.survey_counts(held.organisation)}
    assert counts["families-and-service-users"].sent == 0
