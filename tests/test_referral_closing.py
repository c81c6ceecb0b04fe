"""Closing a request for support with a reason, instead of adding the person: the rule
(incidents.referrals.close_referral), how the person who asked is told (closing_channel and the
referral_closed message), the team's page, and the work queue."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from incidents import referrals
from incidents.models import AffectedPerson, ReferralCloseReason, SelfReferral
from incidents.referrals import convert_referral, submit_referral
from incidents.selectors import work_queue_for
from peersupport.channels import RecordingSMSClient
from peersupport.models import AuditEvent, Message, MessageStatus
from peersupport.outbox import sweep
from peersupport.privacy.retention import due_for_retention

SITE = "http://127.0.0.1:8101"
WHAT_HAPPENED = "A patient I was caring for died unexpectedly on a night shift."
MOBILE, LANDLINE = "07700 900982", "01632 960001"
REASONS = [reason.value for reason in ReferralCloseReason]
# Words about the request, and the team's own words, that the person must never read.
NEVER_SAID = ("duplicate", "review", "night shift", "in_error", "not_for_service", "Tia")


@pytest.fixture(autouse=True)
def noon_and_clean_outboxes(settings, time_machine):
    """Links come from SITE_URL; at noon a text may go at once."""
    settings.SITE_URL = SITE
    today = timezone.localdate()
    noon = timezone.datetime(
        today.year, today.month, today.day, 12, tzinfo=ZoneInfo("Europe/London")
    )
    time_machine.move_to(noon, tick=False)
    RecordingSMSClient.sent.clear()
    mail.outbox.clear()


@pytest.fixture
def texts_on(settings):
    settings.SMS_PROVIDER = "record"


def referral_for(organisation, **overrides):
    data = {
        "organisation": organisation,
        "name": "Jordan Ashby",
        "email": "jordan.ashby@example.nhs.uk",
        "phone": "",
        "team": "Ward 7",
        "what_happened": WHAT_HAPPENED,
        "event_date": None,
        "contact_how": "email",
        "contact_when": "Weekdays after 5pm",
    }
    data.update(overrides)
    referral = submit_referral(**data)
    sweep()  # the acknowledgement goes
    mail.outbox.clear()
    return referral


def close_url(referral):
    return reverse("incidents:referral_close", args=[referral.pk])


def detail_url(referral):
    return reverse("public:referral_detail", args=[referral.pk])


def closing_message(referral):
    return Message.objects.get(kind="referral_closed", cause_id=str(referral.pk))


def grade(text: str) -> float:
    """Flesch-Kincaid grade, roughly: syllables counted as groups of vowels."""
    text = re.sub(r"https?://\S+", "link", text)
    sentences = max(1, len(re.findall(r"[.!?:](\s|$)", text)))
    words = re.findall(r"[A-Za-z']+", text)
    syllables = sum(max(1, len(re.findall(r"[aeiouy]+", w.lower().rstrip("e")))) for w in words)
    return 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59


# The rule ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_closing_records_who_when_and_why_and_audits_no_personal_details(organisation, team_user):
    referral = referral_for(organisation)
    told_by = referrals.close_referral(referral, by=team_user, reason=ReferralCloseReason.DUPLICATE)
    assert told_by == "email"
    referral.refresh_from_db()
    assert referral.closed_by == team_user
    assert referral.closed_at == timezone.now()
    assert referral.close_reason == ReferralCloseReason.DUPLICATE
    assert not referral.is_converted
    event = AuditEvent.objects.get(action="referral.closed")
    assert event.object_id == str(referral.pk) and event.actor == team_user
    assert event.detail == {"reason": "duplicate", "told_by": "email"}
    assert "jordan" not in str(event.detail).lower()


@pytest.mark.django_db
def test_a_closed_request_leaves_the_work_queue_list_and_count(client_for, organisation, team_user):
    closed, waiting = referral_for(organisation), referral_for(organisation, name="Sam Lee")
    referrals.close_referral(closed, by=team_user, reason=ReferralCloseReason.IN_ERROR)
    queue = work_queue_for(team_user)
    assert queue["referrals"] == [waiting]
    assert queue["referrals_total"] == 1
    page = client_for(team_user).get(reverse("incidents:work_queue")).content.decode()
    assert "1 request for support<" in page
    assert detail_url(waiting) in page and detail_url(closed) not in page


@pytest.mark.django_db
def test_a_closed_request_cannot_be_added_as_a_person(organisation, team_user):
    referral = referral_for(organisation)
    referrals.close_referral(
        referral, by=team_user, reason=ReferralCloseReason.NOT_FOR_THIS_SERVICE
    )
    with pytest.raises(ValidationError, match="closed"):
        convert_referral(referral, by=team_user)
    assert not AffectedPerson.objects.exists()
    referral.refresh_from_db()
    assert referral.converted_person is None


@pytest.mark.django_db
def test_a_request_already_added_or_closed_cannot_be_closed(organisation, team_user):
    added = referral_for(organisation)
    convert_referral(added, by=team_user)
    with pytest.raises(ValidationError, match="already been added"):
        referrals.close_referral(added, by=team_user, reason=ReferralCloseReason.IN_ERROR)
    added.refresh_from_db()
    assert added.closed_at is None and added.close_reason == ""

    closed = referral_for(organisation, name="Sam Lee")
    referrals.close_referral(closed, by=team_user, reason=ReferralCloseReason.DUPLICATE)
    closed.refresh_from_db()
    first_closed_at = closed.closed_at
    with pytest.raises(ValidationError, match="already been closed"):
        referrals.close_referral(closed, by=team_user, reason=ReferralCloseReason.IN_ERROR)
    closed.refresh_from_db()
    assert (closed.closed_at, closed.close_reason) == (first_closed_at, "duplicate")
    assert Message.objects.filter(kind="referral_closed").count() == 1
    assert AuditEvent.objects.filter(action="referral.closed").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "spam", None])
def test_closing_needs_a_real_reason(organisation, team_user, reason):
    referral = referral_for(organisation)
    with pytest.raises(ValidationError):
        referrals.close_referral(referral, by=team_user, reason=reason)
    referral.refresh_from_db()
    assert referral.closed_at is None and referral.closed_by is None
    assert not Message.objects.filter(kind="referral_closed").exists()


# How they are told -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("reason", REASONS)
def test_by_email_when_they_gave_an_address_kindly_and_without_details(
    organisation, team_user, reason
):
    referral = referral_for(organisation, phone=MOBILE, contact_how="sms")
    assert referrals.close_referral(referral, by=team_user, reason=reason) == "email"
    message = closing_message(referral)
    assert (message.channel, message.person, message.user) == ("email", None, None)
    assert message.context == {}

    assert sweep().get("sent") == 1
    (email,) = mail.outbox
    assert email.to == ["jordan.ashby@example.nhs.uk"]
    assert email.subject == "About your request for peer support"
    html = email.alternatives[0][0]
    for words in (email.body, re.sub(r"<[^>]+>", " ", html)):
        assert words.startswith("Dear Jordan,") or "Dear Jordan," in words
        assert organisation.name in words
        assert "116 123" in words
        for secret in NEVER_SAID:
            assert secret.lower() not in words.lower(), (reason, secret)
    for link in re.findall(r"https?://[^\s<>\"')]+", email.body + html):
        assert link.startswith(SITE + "/"), link
    assert grade(email.body) <= 7, (reason, grade(email.body))

    if reason == ReferralCloseReason.DUPLICATE:
        assert "We already have your request" in email.body
        assert "We will be in touch about it" in email.body
    elif reason == ReferralCloseReason.IN_ERROR:
        assert "You do not need to do anything" in email.body
        assert "ask again" in email.body and "0300 123 4567" in email.body
        assert SITE + reverse("public:referral_form") in email.body
    else:
        assert "occupational health" in email.body and "GP" in email.body
        assert "NHS 111" in email.body and "999" in email.body


@pytest.mark.django_db
@pytest.mark.parametrize("contact_how", ["sms", "phone"])
def test_by_text_to_a_mobile_when_they_gave_no_address(
    organisation, team_user, texts_on, contact_how
):
    referral = referral_for(organisation, email="", phone=MOBILE, contact_how=contact_how)
    told_by = referrals.close_referral(referral, by=team_user, reason=ReferralCloseReason.IN_ERROR)
    assert told_by == "sms"
    message = closing_message(referral)
    assert message.channel == "sms"
    sweep()
    (text,) = RecordingSMSClient.sent
    assert text["phone_number"] == "+447700900982"
    body = text["personalisation"]["body"]
    assert body.startswith("Dear Jordan,")
    assert "You do not need to do anything" in body and "ask again" in body
    assert len(body) <= 459  # at most 3 text messages
    for secret in NEVER_SAID:
        assert secret.lower() not in body.lower(), secret


@pytest.mark.django_db
@pytest.mark.parametrize("reason", REASONS)
def test_each_text_is_short_and_says_what_its_reason_needs(
    organisation, team_user, texts_on, reason
):
    referral = referral_for(organisation, email="", phone=MOBILE, contact_how="sms")
    referrals.close_referral(referral, by=team_user, reason=reason)
    sweep()
    (text,) = RecordingSMSClient.sent
    body = text["personalisation"]["body"]
    assert len(body) <= 459, len(body)
    assert grade(body) <= 7, (reason, grade(body))
    expected = {
        "duplicate": "We already have your request",
        "in_error": "You do not need to do anything",
        "not_for_service": "occupational health",
    }[reason]
    assert expected in body


@pytest.mark.django_db
def test_a_text_waits_for_the_hours_for_text_messages(
    organisation, team_user, texts_on, time_machine
):
    referral = referral_for(organisation, email="", phone=MOBILE, contact_how="sms")
    today = timezone.localdate()
    late = timezone.datetime(
        today.year, today.month, today.day, 22, tzinfo=ZoneInfo("Europe/London")
    )
    time_machine.move_to(late, tick=False)
    referrals.close_referral(referral, by=team_user, reason=ReferralCloseReason.DUPLICATE)
    due = timezone.localtime(closing_message(referral).due_at)
    assert (due.date() - today).days == 1 and due.hour == 8
    sweep()
    assert RecordingSMSClient.sent == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "phone, contact_how, sms_on",
    [
        (LANDLINE, "phone", True),  # a landline takes no text
        (MOBILE, "phone", False),  # text messages switched off
        (MOBILE, "sms", False),
    ],
)
def test_nothing_can_be_sent_so_the_team_phones_them(
    organisation, team_user, settings, phone, contact_how, sms_on
):
    settings.SMS_PROVIDER = "record" if sms_on else ""
    referral = referral_for(organisation, email="", phone=phone, contact_how=contact_how)
    told_by = referrals.close_referral(referral, by=team_user, reason=ReferralCloseReason.IN_ERROR)
    assert told_by is None
    assert not Message.objects.filter(kind="referral_closed").exists()
    event = AuditEvent.objects.get(action="referral.closed")
    assert event.detail["told_by"] == "phone"


@pytest.mark.django_db
def test_the_message_is_cancelled_if_the_request_is_no_longer_closed(organisation, team_user):
    referral = referral_for(organisation)
    referrals.close_referral(referral, by=team_user, reason=ReferralCloseReason.DUPLICATE)
    SelfReferral.objects.filter(pk=referral.pk).update(closed_at=None)
    sweep()
    message = closing_message(referral)
    assert message.status == MessageStatus.CANCELLED
    assert message.cancelled_reason == "The request for support is no longer closed."
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_acknowledgement_not_yet_sent_is_cancelled_when_the_request_is_closed(
    organisation, team_user
):
    referral = submit_referral(
        organisation=organisation,
        name="Jordan Ashby",
        email="jordan.ashby@example.nhs.uk",
        team="Ward 7",
        what_happened=WHAT_HAPPENED,
        contact_how="email",
    )
    referrals.close_referral(referral, by=team_user, reason=ReferralCloseReason.IN_ERROR)
    sweep()
    acknowledgement = Message.objects.get(kind="referral_acknowledgement")
    assert acknowledgement.status == MessageStatus.CANCELLED
    (email,) = mail.outbox
    assert email.subject == "About your request for peer support"


@pytest.mark.django_db
def test_the_team_messages_page_names_the_kind():
    from peersupport.team_messages.views import kind_label

    assert kind_label("referral_closed") == "Reply to someone whose request for support was closed"


@pytest.mark.django_db
def test_a_closed_request_is_kept_for_retention_like_one_never_added(
    organisation, team_user, time_machine
):
    referral = referral_for(organisation)
    referrals.close_referral(referral, by=team_user, reason=ReferralCloseReason.DUPLICATE)
    later = timezone.localdate().replace(year=timezone.localdate().year + 11)
    assert referral.pk in [item.obj.pk for item in due_for_retention(later)]
    assert referral.pk not in [item.obj.pk for item in due_for_retention()]


# The team's pages --------------------------------------------------------------------------


def test_the_close_page_has_its_url():
    try:
        url = reverse("incidents:referral_close", args=[7])
    except NoReverseMatch:
        pytest.fail("incidents:referral_close does not exist")
    assert url == "/referrals/7/close/"


@pytest.mark.django_db
def test_the_request_page_offers_closing_beside_adding(client_for, organisation, team_user):
    referral = referral_for(organisation)
    page = client_for(team_user).get(detail_url(referral)).content.decode()
    assert "Add as a person affected and offer support" in page
    assert "Close this request" in page and close_url(referral) in page


@pytest.mark.django_db
def test_the_close_page_says_what_they_will_be_told(client_for, organisation, team_user):
    referral = referral_for(organisation)
    response = client_for(team_user).get(close_url(referral))
    assert response.status_code == 200
    page = response.content.decode()
    for reason in ReferralCloseReason:
        assert f'value="{reason.value}"' in page and reason.label in page
    assert 'type="radio"' in page
    assert "We will email them at jordan.ashby@example.nhs.uk" in page
    assert "never mentions a review" in page
    assert ">Close request</button>" in page
    assert AuditEvent.objects.filter(action="referral.viewed", object_id=str(referral.pk)).exists()


@pytest.mark.django_db
def test_the_close_page_warns_when_nobody_can_be_told(client_for, organisation, team_user):
    referral = referral_for(organisation, email="", phone=LANDLINE, contact_how="phone")
    page = client_for(team_user).get(close_url(referral)).content.decode()
    assert "We cannot tell them" in page and "01632 960001" in page


@pytest.mark.django_db
@pytest.mark.parametrize("posted", [{}, {"reason": ""}, {"reason": "spam"}])
def test_bad_answers_get_a_clear_error_and_change_nothing(
    client_for, organisation, team_user, posted
):
    referral = referral_for(organisation)
    response = client_for(team_user).post(close_url(referral), posted)
    assert response.status_code == 200
    assert "Select why you are closing this request" in response.content.decode()
    referral.refresh_from_db()
    assert referral.closed_at is None
    assert not Message.objects.filter(kind="referral_closed").exists()
    assert not AuditEvent.objects.filter(action="referral.closed").exists()


@pytest.mark.django_db
def test_closing_by_email_then_the_page_says_closed_and_offers_nothing(
    client_for, organisation, team_user
):
    referral = referral_for(organisation)
    client = client_for(team_user)
    response = client.post(close_url(referral), {"reason": "duplicate"}, follow=True)
    assert response.redirect_chain == [(detail_url(referral), 302)]
    page = response.content.decode()
    assert "Request closed. We are emailing them to tell them." in page
    assert "Closed on" in page and "a duplicate of another request" in page
    assert "by Tia Team" in page
    assert timezone.localtime().strftime("%H:%M") in page
    assert "Add as a person affected and offer support" not in page
    assert close_url(referral) not in page

    again = client.get(close_url(referral))
    assert again.status_code == 302 and again["Location"] == detail_url(referral)
    refused = client.post(detail_url(referral), {"review": ""}, follow=True)
    assert "This request has been closed, so it cannot be added." in refused.content.decode()
    assert not AffectedPerson.objects.filter(full_name=referral.name).exists()
    assert not AffectedPerson.objects.exists()


@pytest.mark.django_db
def test_closing_by_text_says_so(client_for, organisation, team_user, texts_on):
    referral = referral_for(organisation, email="", phone=MOBILE, contact_how="sms")
    response = client_for(team_user).post(
        close_url(referral), {"reason": "not_for_service"}, follow=True
    )
    assert "We are sending them a text message to tell them." in response.content.decode()


@pytest.mark.django_db
def test_when_nobody_can_be_told_the_team_is_asked_to_phone(client_for, organisation, team_user):
    referral = referral_for(organisation, email="", phone=LANDLINE, contact_how="phone")
    response = client_for(team_user).post(close_url(referral), {"reason": "in_error"}, follow=True)
    page = response.content.decode()
    assert "We could not tell them: phone them on 01632 960001." in page
    referral.refresh_from_db()
    assert referral.close_reason == "in_error"


@pytest.mark.django_db
def test_another_organisations_team_gets_404_and_changes_nothing(
    client_for, organisation, other_team_user
):
    referral = referral_for(organisation)
    client = client_for(other_team_user)
    assert client.get(close_url(referral)).status_code == 404
    assert client.post(close_url(referral), {"reason": "duplicate"}).status_code == 404
    referral.refresh_from_db()
    assert referral.closed_at is None
