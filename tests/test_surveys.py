"""Surveys: questionnaires and their versions, invitations through the outbox (support
closing, a review closing, each quarter), reminders and expiry on the clock, the public survey
page, opting out, the team's counts and comments, and the export."""

import csv
import io
import logging
import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from feedback import invitations, selectors, tokens
from feedback import services as survey_services
from feedback.invitations import SURVEY, survey_url
from feedback.models import (
    AccessToken,
    Answer,
    Audience,
    Group,
    Invitation,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
)
from feedback.survey_forms import SurveyForm
from feedback.views_survey import SURVEY_SESSION_KEY
from incidents import services as incidents_services
from incidents.models import ReviewStatus
from peersupport import outbox
from peersupport.dashboard import survey_results
from peersupport.models import Alert, AuditEvent, Message, MessageStatus, TimingRule
from peersupport.roles import Role
from supporters import services
from supporters.models import CloseReason, OfferStatus
from tests.factories import AffectedPersonFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db

SURVEY_PAGE = reverse("feedback:survey")
THANKS = reverse("feedback:survey_thanks")
OPT_OUT = reverse("feedback:survey_opt_out")
EXPIRED = "This link has expired or has already been used"
LINK = re.compile(r"https?://[^\s\"<>]+/survey/t/[^\s/\"<>]+/")

FAMILY_ANSWERS = {
    "satisfaction": "5",
    "engage_with_review": "4",
    "supported_by_process": "2",
    "fft": "1",
    "comments": "Talking to someone who had been there helped.",
}


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def send_due():
    return outbox.sweep(limit=10_000)


def path_of(url):
    return url[len(settings.SITE_URL.rstrip("/")) :]


def later(time_machine, **delta):
    """Move the clock on and send whatever has fallen due."""
    time_machine.move_to(timezone.now() + timedelta(**delta), tick=False)
    return send_due()


@pytest.fixture
def supported(consenting_person, supporter, team_user):
    """Joan's support, accepted."""
    waiting = consenting_person.offers.get(status=OfferStatus.NEEDS_SUPPORTER)
    offer = services.assign_supporter(waiting, supporter, by=team_user, via="phone")
    return services.record_answer(offer, "accepted", by=team_user)


@pytest.fixture
def invitation(supported, team_user):
    """Joan's support has closed, so she is invited to the survey."""
    services.close_support(supported, CloseReason.PERSONS_CHOICE, by=team_user)
    return Invitation.objects.get(offer=supported)


@pytest.fixture
def link(invitation):
    return path_of(survey_url(invitation))


@pytest.fixture
def opened(client, link):
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == SURVEY_PAGE
    return client


def survey_emails():
    return [m for m in mail.outbox if LINK.search(m.body)]


# Questionnaires ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "slug, audience, codes",
    [
        (
            "families-and-service-users",
            Audience.FAMILY_SERVICE_USER,
            ["satisfaction", "engage_with_review", "supported_by_process", "fft", "comments"],
        ),
        (
            "staff",
            Audience.STAFF,
            [
                "satisfaction",
                "engage_with_review",
                "supported_by_process",
                "staff_perception",
                "fft",
                "comments",
            ],
        ),
        ("peer-supporters", Audience.SUPPORTER, ["empowered", "coping", "comments"]),
    ],
)
def test_the_default_questionnaires_name_each_measure_by_code(slug, audience, codes):
    questionnaire = Questionnaire.objects.get(slug=slug)
    assert questionnaire.audience == audience
    version = questionnaire.current_version
    assert version.number == 1
    questions = list(version.questions.order_by("order"))
    assert [q.code for q in questions] == codes
    kinds = {q.code: q.kind for q in questions}
    assert kinds.get("fft", "fft") == "fft" and kinds["comments"] == "text"
    assert all(kinds[c] == "scale" for c in codes if c not in ("fft", "comments"))
    assert not next(q for q in questions if q.code == "comments").required


def test_fft_asks_the_nhs_question():
    question = Question.objects.filter(code="fft").first()
    assert question.text == "Overall, how was your experience of our peer support service?"


def _form(kind, data, *, required=True):
    questionnaire = Questionnaire.objects.get(slug="staff")
    version = survey_services.new_version(
        questionnaire,
        [{"code": "q", "text": "A question?", "hint": "", "kind": kind, "order": 1,
          "required": required}],
    )  # fmt: skip
    return SurveyForm(data, questions=version.questions.all())


@pytest.mark.parametrize(
    "kind, good, bad",
    [
        ("scale", ["1", "3", "5"], ["0", "6", "x", "-1", "4.5"]),
        ("yes_no", ["0", "1"], ["2", "yes", "-1"]),
        ("fft", ["1", "2", "3", "4", "5", "6"], ["0", "7", "good"]),
    ],
)
def test_each_choice_answer_takes_only_its_own_values(kind, good, bad):
    for value in good:
        form = _form(kind, {"q": value})
        assert form.is_valid(), (value, form.errors)
        assert form.answers() == {"q": int(value)}
    for value in bad:
        form = _form(kind, {"q": value})
        assert not form.is_valid(), value
        assert "A question?" in form.errors["q"][0]
    missing = _form(kind, {})
    assert not missing.is_valid() and missing.errors["q"][0].startswith("Select")
    optional = _form(kind, {}, required=False)
    assert optional.is_valid() and optional.answers() == {"q": None}


def test_free_text_is_trimmed_optional_and_limited():
    form = _form("text", {"q": "  kind words  "}, required=False)
    assert form.is_valid() and form.answers() == {"q": "kind words"}
    assert _form("text", {}, required=False).is_valid()
    too_long = _form("text", {"q": "x" * 2001}, required=False)
    assert not too_long.is_valid()
    assert "2,000 characters or fewer (you have entered 2,001)" in too_long.errors["q"][0]
    assert _form("text", {"q": "x" * 2000}, required=False).is_valid()


def test_a_new_version_keeps_old_responses_and_their_wording(invitation):
    questionnaire = invitation.questionnaire
    first = questionnaire.current_version
    old = survey_services.record_response(invitation, first, {"satisfaction": 2, "fft": 4})
    changed = survey_services.questions_of(first)
    for item in changed:
        if item["code"] == "satisfaction":
            item["text"] = "Overall, the peer support I had was right for me."
    second = survey_services.new_version(questionnaire, changed)
    assert questionnaire.current_version == second and second.number == 2
    # The old response still points at version 1 and its question's original wording.
    old.refresh_from_db()
    assert old.version == first
    answer = old.answers.get(question__code="satisfaction")
    assert answer.question.version == first
    assert answer.question.text == "I am satisfied with the peer support I was given."
    assert first.questions.count() == second.questions.count()
    # The code, and so the measure, is the same across versions.
    assert {q.code for q in first.questions.all()} == {q.code for q in second.questions.all()}
    assert Answer.objects.filter(question__code="satisfaction", value=2).count() == 1


def test_editing_questions_in_the_admin_makes_a_new_version(invitation, client_for, make_user):
    version = invitation.questionnaire.current_version
    survey_services.record_response(invitation, version, {"satisfaction": 5})
    questions = list(version.questions.order_by("order"))
    data = {
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": str(len(questions)),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for index, question in enumerate(questions):
        prefix = f"questions-{index}-"
        data.update(
            {
                prefix + "id": str(question.pk),
                prefix + "version": str(version.pk),
                prefix + "order": str(question.order),
                prefix + "code": question.code,
                prefix + "kind": question.kind,
                prefix + "text": question.text,
                prefix + "hint": question.hint,
                prefix + "required": "on" if question.required else "",
            }
        )
    data["questions-0-text"] = "I am glad I had a peer supporter."
    admin = client_for(make_user(Role.ADMINISTRATOR))
    url = reverse("admin:feedback_questionnaireversion_change", args=[version.pk])
    response = admin.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    current = invitation.questionnaire.current_version
    assert current.number == 2
    assert current.questions.get(order=1).text == "I am glad I had a peer supporter."
    version.refresh_from_db()
    assert (
        version.questions.get(order=1).text == "I am satisfied with the peer support I was given."
    )
    assert Response.objects.get().version == version


# Invitations ---------------------------------------------------------------------------------


def test_closing_support_invites_the_person_by_their_channel(invitation, supported):
    assert invitation.person == supported.person
    assert invitation.questionnaire.slug == "families-and-service-users"
    assert invitation.organisation == supported.person.organisation
    assert invitation.review is None
    assert invitation.expires_at == invitation.created_at + timedelta(days=28)
    kinds = dict(
        Message.objects.filter(
            cause_type="feedback.invitation", cause_id=str(invitation.pk)
        ).values_list("kind", "channel")
    )
    assert kinds == {"survey_invitation": "email", "survey_reminder": "email"}
    send_due()
    emails = survey_emails()
    assert len(emails) == 1 and emails[0].to == [supported.person.email]
    assert "Would you tell us how your peer support went?" in emails[0].subject
    invitation.refresh_from_db()
    assert invitation.sent_at is not None and invitation.reminded_at is None


def test_reassigning_support_sends_no_survey(supported, second_supporter, team_user):
    services.reassign(supported, second_supporter, by=team_user)
    assert not Invitation.objects.exists()


def test_support_that_never_happened_sends_no_survey(consenting_person, supporter, team_user):
    waiting = consenting_person.offers.get(status=OfferStatus.NEEDS_SUPPORTER)
    offer = services.assign_supporter(waiting, supporter, by=team_user, via="phone")
    services.close_support(offer, CloseReason.SUPPORTER_UNAVAILABLE, by=team_user)
    assert not Invitation.objects.exists()


def test_a_person_we_cannot_write_to_or_who_opted_out_is_not_asked(supported, team_user):
    person = supported.person
    person.email = ""
    person.save()
    services.close_support(supported, CloseReason.PERSONS_CHOICE, by=team_user)
    assert not Invitation.objects.exists()


def test_a_member_of_staff_gets_the_staff_survey(review, make_supporter, team_user):
    from incidents.services import record_consent
    from supporters.models import Pool

    supporter = make_supporter("staff.peer@example.org", pool=Pool.STAFF)

    staff = AffectedPersonFactory(review=review, kind="staff", consent_to_contact="not_asked")
    record_consent(staff, "contact", "given", "phone", by=team_user)
    offer = staff.offers.get(status=OfferStatus.NEEDS_SUPPORTER)
    offer = services.assign_supporter(offer, supporter, by=team_user, via="phone")
    services.record_answer(offer, "accepted", by=team_user)
    services.close_support(offer, CloseReason.PERSONS_CHOICE, by=team_user)
    assert Invitation.objects.get().questionnaire.slug == "staff"


def _close_review(review, team_user):
    incidents_services.change_review_status(
        review, ReviewStatus.CLOSED, by=team_user, closed_on=timezone.localdate()
    )


def test_closing_a_review_invites_each_person_whose_support_happened(
    supported, review, team_user, person
):
    # `person` (Margaret) has no support: she is not asked; Joan's support is active.
    incidents_services.change_review_status(review, ReviewStatus.INVESTIGATING, by=team_user)
    assert not Invitation.objects.exists()
    _close_review(review, team_user)
    invitation = Invitation.objects.get()
    assert invitation.person == supported.person and invitation.review == review
    assert invitation.offer is None
    # Reopened and closed again: nobody is asked twice about the same review.
    incidents_services.change_review_status(review, ReviewStatus.INVESTIGATING, by=team_user)
    _close_review(review, team_user)
    assert Invitation.objects.count() == 1


def test_closing_a_review_skips_people_who_opted_out_or_have_a_survey_open(
    invitation, review, team_user
):
    _close_review(review, team_user)
    assert Invitation.objects.count() == 1  # Joan's support survey is still open


def test_closing_a_review_skips_a_person_who_opted_out(supported, review, team_user):
    person = supported.person
    person.opted_out_at = timezone.now()
    person.save()
    _close_review(review, team_user)
    assert not Invitation.objects.exists()


def test_supporters_are_invited_once_a_quarter(supporter, second_supporter, time_machine):
    time_machine.move_to(timezone.make_aware(timezone.datetime(2026, 4, 1, 9, 0)), tick=False)
    assert invitations.invite_supporters_for_quarter() == 2
    assert invitations.invite_supporters_for_quarter(date(2026, 6, 30)) == 0  # same quarter
    invitation = Invitation.objects.get(user=supporter.user)
    assert invitation.questionnaire.slug == "peer-supporters"
    channels = set(
        Message.objects.filter(user=supporter.user, kind="supporter_survey").values_list(
            "channel", flat=True
        )
    )
    assert channels == {"email", "in_app"}
    assert Message.objects.filter(
        idempotency_key=f"supporter_survey:email:s{supporter.pk}:2026-Q2"
    ).exists()
    assert invitations.invite_supporters_for_quarter(date(2026, 7, 1)) == 2
    assert Invitation.objects.filter(user=supporter.user).count() == 2


def test_the_command_and_the_beat_schedule_run_the_quarterly_survey(supporter):
    out = io.StringIO()
    call_command("send_supporter_surveys", "--date", "2026-10-01", stdout=out)
    assert "2026-Q4: 1" in out.getvalue()
    call_command("send_supporter_surveys", "--date", "2026-11-15", stdout=out)
    assert Invitation.objects.count() == 1
    entry = settings.CELERY_BEAT_SCHEDULE["send-supporter-surveys"]
    assert entry["task"] == "feedback.tasks.send_supporter_surveys"
    schedule = entry["schedule"]
    assert schedule.month_of_year == {1, 4, 7, 10} and schedule.day_of_month == {1}


def test_the_beat_task_invites_supporters(supporter):
    from feedback.tasks import send_supporter_surveys

    send_supporter_surveys()
    assert Invitation.objects.filter(user=supporter.user).count() == 1


def test_supporters_who_left_or_opted_out_are_not_invited(supporter, second_supporter):
    from supporters.models import SupporterStatus

    first = invitations.invite_supporter(supporter, quarter="2026-Q1")
    survey_services.opt_out(first)
    second_supporter.status = SupporterStatus.LEFT
    second_supporter.save()
    assert invitations.invite_supporters_for_quarter(date(2026, 4, 1)) == 0


# Reminders, expiry, and the re-check before sending ---------------------------------------------


def test_a_reminder_goes_after_7_days_with_a_fresh_link(invitation, time_machine):
    send_due()
    first = survey_emails()[0]
    later(time_machine, days=6, hours=23)
    assert len(survey_emails()) == 1
    later(time_machine, hours=1, minutes=1)
    emails = survey_emails()
    assert len(emails) == 2
    assert "reminder" in emails[1].subject.lower()
    assert LINK.search(emails[1].body).group() != LINK.search(first.body).group()
    invitation.refresh_from_db()
    assert invitation.reminded_at is not None
    # Each email's link is its own token, and both work until the invitation closes.
    for email in emails:
        plain = path_of(LINK.search(email.body).group()).rstrip("/").rsplit("/", 1)[-1]
        token = tokens.find(SURVEY, plain)
        assert token is not None
        assert abs(token.expires_at - invitation.expires_at) < timedelta(seconds=1)


def test_the_reminder_follows_the_rule_an_administrator_sets(invitation, time_machine):
    TimingRule.objects.filter(key="survey-reminder").update(delay=3)
    outbox.reschedule_rule("survey-reminder")
    later(time_machine, days=3, minutes=1)
    assert [m.subject for m in survey_emails()][-1].lower().startswith("a reminder")


def test_the_link_expires_after_28_days_and_a_late_reminder_is_cancelled(
    invitation, link, client, time_machine
):
    TimingRule.objects.filter(key="survey-reminder").update(delay=30)
    outbox.reschedule_rule("survey-reminder")
    later(time_machine, days=27, hours=23)
    assert client.get(link).status_code == 302
    later(time_machine, days=3, hours=2)
    response = client.get(link)
    assert response.status_code == 404 and EXPIRED in response.content.decode()
    assert "0300 123 4567" in response.content.decode()
    reminder = Message.objects.get(kind="survey_reminder")
    assert reminder.status == MessageStatus.CANCELLED
    assert reminder.cancelled_reason == "The survey has closed."


def test_an_open_page_stops_working_when_the_survey_expires(opened, time_machine):
    later(time_machine, days=28, minutes=1)
    response = opened.post(SURVEY_PAGE, FAMILY_ANSWERS)
    assert response.status_code == 404
    assert not Response.objects.exists()


def test_answering_cancels_the_reminder(opened, invitation):
    assert opened.post(SURVEY_PAGE, FAMILY_ANSWERS).status_code == 302
    reminder = Message.objects.get(kind="survey_reminder")
    assert reminder.status == MessageStatus.CANCELLED
    assert reminder.cancelled_reason == "The survey was answered."


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"completed_at": True}, "The survey has been answered."),
        ({"opted_out_at": True}, "They opted out of surveys."),
    ],
)
def test_just_before_sending_the_reminder_checks_again(invitation, time_machine, change, reason):
    """Even if nothing cancelled it (a bulk import, a race), the reminder looks first."""
    send_due()
    Invitation.objects.filter(pk=invitation.pk).update(
        **{field: timezone.now() for field in change}
    )
    later(time_machine, days=7, minutes=1)
    reminder = Message.objects.get(kind="survey_reminder")
    assert reminder.status == MessageStatus.CANCELLED and reminder.cancelled_reason == reason
    assert len(survey_emails()) == 1


def test_a_person_who_opted_out_gets_nothing_more_even_when_the_row_is_still_pending(
    invitation, time_machine
):
    person = invitation.person
    person.opted_out_at = timezone.now()
    person.save()
    later(time_machine, days=8)
    for message in Message.objects.filter(person=person):
        assert message.status == MessageStatus.CANCELLED, message.kind
    assert survey_emails() == []


# The public survey page ------------------------------------------------------------------------


def test_opening_the_link_moves_to_a_page_without_the_token_and_does_not_use_it(client, link):
    plain = link.rstrip("/").rsplit("/", 1)[-1]
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == SURVEY_PAGE
    assert response["Referrer-Policy"] == "no-referrer"
    session = SessionStore(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)
    token = AccessToken.objects.get(purpose=SURVEY)
    assert session[SURVEY_SESSION_KEY] == {"token": token.pk}
    assert plain not in str(dict(session.items()))
    assert session.get_expiry_age() <= 2 * 60 * 60
    token.refresh_from_db()
    assert token.used_at is None
    assert client.get(link).status_code == 302  # a mail scanner opened it first: still works


def test_the_plain_token_is_never_stored(invitation, supporter):
    send_due()
    invitations.invite_supporter(supporter, quarter="2026-Q1")
    send_due()
    plains = [LINK.search(m.body).group().rstrip("/").rsplit("/", 1)[-1] for m in survey_emails()]
    assert len(plains) == 2
    from django.apps import apps

    for model in apps.get_models():
        for row in model.objects.all().values():
            text = str(row)
            assert not any(plain in text for plain in plains), model.__name__
    alert = Alert.objects.get(user=supporter.user, message__kind="supporter_survey")
    assert alert.link == reverse("feedback:survey_mine")


def test_the_page_says_who_is_asking_and_why_and_nothing_about_the_review(
    opened, invitation, organisation
):
    response = opened.get(SURVEY_PAGE)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    content = response.content.decode()
    assert organisation.name in content
    assert "learning and investigations team" in content
    assert "reported without your name" in content
    assert "I am satisfied with the peer support I was given." in content
    assert "Strongly agree" in content and "Very good" in content
    assert 'class="nhsuk-fieldset"' in content and "nhsuk-radios" in content
    assert "I do not want any more messages from you" in content
    assert "0300 123 4567" in content and "116 123" in content
    person = invitation.person
    assert person.full_name not in content
    assert person.review.reference not in content and person.review.summary not in content


def test_answers_are_kept_by_code_without_names_and_the_token_is_used_up(
    opened, invitation, service
):
    response = opened.post(SURVEY_PAGE, FAMILY_ANSWERS)
    assert response.status_code == 302 and response["Location"] == THANKS
    thanks = opened.get(THANKS)
    assert thanks.status_code == 200 and "Thank you for your answers" in thanks.content.decode()
    answer = Response.objects.get()
    assert answer.invitation == invitation and answer.group == Group.FAMILY
    assert answer.organisation == invitation.organisation and answer.service == service
    assert answer.version == invitation.questionnaire.current_version
    values = {
        a.question.code: a.value if a.value is not None else a.text for a in answer.answers.all()
    }
    assert values == {
        "satisfaction": 5,
        "engage_with_review": 4,
        "supported_by_process": 2,
        "fft": 1,
        "comments": "Talking to someone who had been there helped.",
    }
    assert AccessToken.objects.get(purpose=SURVEY).used_at is not None
    invitation.refresh_from_db()
    assert invitation.completed_at is not None
    assert AuditEvent.objects.filter(action="survey.answered").exists()
    # The same link again, or the page again: the kind page, never an error.
    again = opened.post(SURVEY_PAGE, FAMILY_ANSWERS)
    assert again.status_code == 404 and EXPIRED in again.content.decode()
    assert Response.objects.count() == 1


def test_a_second_link_to_an_answered_survey_gets_the_kind_page(opened, invitation, client_for):
    other_link = path_of(survey_url(invitation))
    opened.post(SURVEY_PAGE, FAMILY_ANSWERS)
    fresh = client_for(None)
    response = fresh.get(other_link)
    assert response.status_code == 404 and EXPIRED in response.content.decode()
    assert "0300 123 4567" in response.content.decode()


def test_missing_answers_are_explained_with_an_error_summary(opened):
    response = opened.post(SURVEY_PAGE, {"satisfaction": "9", "comments": "x" * 2001})
    assert response.status_code == 200
    content = response.content.decode()
    assert "nhsuk-error-summary" in content
    assert "<title>Error: " in content
    assert "Select how much you agree or disagree with: I am satisfied" in content
    assert "Select an answer: Overall, how was your experience" in content
    assert "2,000 characters or fewer" in content
    assert not Response.objects.exists()
    assert AccessToken.objects.get(purpose=SURVEY).used_at is None


def test_the_survey_page_without_a_link_gets_the_kind_page(client):
    for response in (client.get(SURVEY_PAGE), client.post(SURVEY_PAGE, FAMILY_ANSWERS)):
        assert response.status_code == 404 and EXPIRED in response.content.decode()


@pytest.mark.parametrize("nonsense", ["not-a-token", "x" * 500, "%00"])
def test_unknown_links_get_the_kind_page_never_an_error(client, invitation, nonsense):
    response = client.get(reverse("feedback:survey_token", args=[nonsense]))
    assert response.status_code == 404 and EXPIRED in response.content.decode()
    assert response["Referrer-Policy"] == "no-referrer"


def test_an_offer_token_does_not_open_a_survey(client, invitation):
    plain = tokens.issue("offer-answer", invitation, person=invitation.person)
    assert client.get(reverse("feedback:survey_token", args=[plain])).status_code == 404


def test_a_token_for_another_persons_invitation_is_refused(opened, person):
    token = AccessToken.objects.get(purpose=SURVEY)
    token.person = person
    token.save()
    assert opened.get(SURVEY_PAGE).status_code == 404


def test_token_pages_are_rate_limited(client, link, settings):
    settings.TOKEN_PAGES_PER_HOUR = 3
    unknown = reverse("feedback:survey_token", args=["guess"])
    for _ in range(3):
        assert client.get(unknown).status_code == 404
    response = client.get(link)
    assert response.status_code == 429 and "Please try again later" in response.content.decode()
    assert client.post(SURVEY_PAGE, FAMILY_ANSWERS).status_code == 429
    assert client.get(link, REMOTE_ADDR="203.0.113.7").status_code == 302


def test_survey_tokens_never_reach_the_logs(client, caplog):
    plain = "c3VydmV5LXNlY3JldC10b2tlbi10aGF0LWlzLW5vdC1yZWFs"
    with caplog.at_level(logging.INFO):
        assert client.get(reverse("feedback:survey_token", args=[plain])).status_code == 404
    assert "/survey/t/[redacted]/" in caplog.text
    assert plain not in caplog.text


# Opting out --------------------------------------------------------------------------------------


def test_opting_out_stops_every_message_to_the_person_and_the_team_sees_it(
    opened, invitation, supported, team_user, client_for, time_machine
):
    person = invitation.person
    # Something else is waiting to go to her: it must not go either.
    other = outbox.enqueue("new_supporter_to_person", "email", person=person, cause=supported,
                           key="test:other-message", due_at=timezone.now() + timedelta(days=2))  # fmt: skip
    confirm = opened.get(OPT_OUT)
    assert confirm.status_code == 200 and "Stop messages from us" in confirm.content.decode()
    response = opened.post(OPT_OUT)
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:survey_opted_out")
    assert (
        "We will not send you any more messages"
        in opened.get(response["Location"]).content.decode()
    )
    person.refresh_from_db()
    invitation.refresh_from_db()
    assert person.opted_out_at is not None and invitation.opted_out_at is not None
    assert person.history.first().opted_out_at is not None  # recorded in the history
    assert AuditEvent.objects.filter(action="survey.opted_out").exists()
    other.refresh_from_db()
    assert other.status == MessageStatus.CANCELLED
    assert Message.objects.filter(person=person, status=MessageStatus.PENDING).count() == 0
    # A message written after the opt-out is refused when it comes to be sent.
    late = outbox.enqueue("new_supporter_to_person", "email", person=person, cause=supported,
                          key="test:late-message")  # fmt: skip
    later(time_machine, minutes=1)
    late.refresh_from_db()
    assert late.status == MessageStatus.CANCELLED
    assert "opted out" in late.cancelled_reason
    # The link has done its job, and the team sees the opt-out on the person's page.
    assert opened.get(SURVEY_PAGE).status_code == 404
    page = client_for(team_user).get(reverse("incidents:person_detail", args=[person.pk]))
    assert "to send them no more messages" in page.content.decode()


def test_the_opt_out_page_needs_an_open_survey(client):
    assert client.get(OPT_OUT).status_code == 404
    assert client.post(OPT_OUT).status_code == 404


# Supporters ----------------------------------------------------------------------------------


def test_a_supporter_answers_from_their_in_app_alert_without_a_token(supporter, client_for):
    invitation = invitations.invite_supporter(supporter, quarter="2026-Q1")
    send_due()
    alert = Alert.objects.get(user=supporter.user, message__kind="supporter_survey")
    client = client_for(supporter.user)
    response = client.get(alert.link)
    assert response.status_code == 302 and response["Location"] == SURVEY_PAGE
    page = client.get(SURVEY_PAGE)
    assert "How are you finding being a peer supporter?" in page.content.decode()
    assert "I do not want any more of these surveys" in page.content.decode()
    client.post(SURVEY_PAGE, {"empowered": "4", "coping": "2", "comments": ""})
    response = Response.objects.get()
    assert response.invitation == invitation and response.group == Group.SUPPORTER
    assert response.service is None
    assert {a.question.code: a.value for a in response.answers.all()} == {
        "empowered": 4,
        "coping": 2,
    }
    none = client.get(reverse("feedback:survey_mine"))
    assert none.status_code == 200 and "no survey to answer" in none.content.decode()


def test_another_supporter_cannot_answer_for_them(supporter, second_supporter, client_for):
    invitation = invitations.invite_supporter(supporter, quarter="2026-Q1")
    client = client_for(second_supporter.user)
    session = client.session
    session[SURVEY_SESSION_KEY] = {"invitation": invitation.pk}
    session.save()
    assert client.get(SURVEY_PAGE).status_code == 404


def test_a_supporter_who_opts_out_gets_no_more_surveys(supporter, time_machine):
    invitation = invitations.invite_supporter(supporter, quarter="2026-Q1")
    send_due()
    survey_services.opt_out(invitation)
    assert invitation.person is None
    later(time_machine, days=8)
    reminders = Message.objects.filter(kind="supporter_survey_reminder")
    assert {m.status for m in reminders} == {MessageStatus.CANCELLED}
    assert invitations.invite_supporter(supporter, quarter="2026-Q2") is not None  # direct
    assert invitations.invite_supporters_for_quarter(date(2026, 7, 1)) == 0  # the schedule


# The team's view, the managers' view, the export ------------------------------------------------


@pytest.fixture
def answered(opened, invitation):
    opened.post(SURVEY_PAGE, FAMILY_ANSWERS)
    return Response.objects.get()


def test_the_team_sees_counts_rates_and_comments(answered, supporter, team_user, client_for):
    # A supporter's invitation sent and not answered: 1 of 1 family, 0 of 1 supporter.
    invitations.invite_supporter(supporter, quarter="2026-Q1")
    send_due()
    counts = {c.questionnaire.slug: c for c in selectors.survey_counts(answered.organisation)}
    assert (
        counts["families-and-service-users"].sent,
        counts["families-and-service-users"].responses,
    ) == (1, 1)
    assert counts["families-and-service-users"].rate == 100
    assert (counts["peer-supporters"].sent, counts["peer-supporters"].rate) == (1, 0)
    assert counts["staff"].rate is None
    page = client_for(team_user).get(reverse("feedback:survey_results"))
    content = page.content.decode()
    assert page.status_code == 200
    assert "100%" in content and "0%" in content
    assert "Talking to someone who had been there helped." in content
    assert answered.invitation.person.full_name not in content
    assert reverse("feedback:survey_export") in content


def test_another_organisations_team_sees_none_of_it(answered, other_team_user, client_for):
    content = client_for(other_team_user).get(reverse("feedback:survey_results")).content.decode()
    assert "Talking to someone who had been there helped." not in content
    assert "100%" not in content


def test_a_manager_sees_the_numbers_but_never_free_text(answered, manager_user, client_for):
    client = client_for(manager_user)
    for url in (
        reverse("feedback:survey_results"),
        reverse("feedback:survey_results") + f"?organisation={answered.organisation_id}",
    ):
        page = client.get(url)
        content = page.content.decode()
        assert page.status_code == 200
        # 1 of 1 answered: a count from 1 to 7, withheld, and so is its rate.
        assert "withheld" in content and "100%" not in content
        assert "rounded to the nearest 5" in content
        assert "Talking to someone who had been there helped." not in content
        assert "What people told us" not in content
        assert "comments" not in page.context or page.context.get("comments") is None
    assert client.get(reverse("feedback:survey_export")).status_code == 403


def test_the_export_has_one_row_per_response_by_code_and_no_names(answered, team_user, client_for):
    response = client_for(team_user).get(reverse("feedback:survey_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == [
        "response", "questionnaire", "version", "submitted_on", "group", "service",
        "satisfaction", "engage_with_review", "supported_by_process", "fft", "comments",
    ]  # fmt: skip
    assert len(rows) == 2
    assert rows[1][1:3] == ["families-and-service-users", "1"]
    assert rows[1][4] == "family" and rows[1][6:] == [
        "5",
        "4",
        "2",
        "1",
        FAMILY_ANSWERS["comments"],
    ]
    person = answered.invitation.person
    for secret in (person.full_name, person.preferred_name, person.email, person.phone,
                   person.review.reference):  # fmt: skip
        assert secret not in body
    event = AuditEvent.objects.get(action="surveys.exported")
    assert event.actor == team_user and event.detail["responses"] == 1


def test_the_export_keeps_a_formula_as_text(invitation):
    version = invitation.questionnaire.current_version
    survey_services.record_response(invitation, version, {"satisfaction": 3, "comments": "=1+1"})
    rows = list(selectors.export_rows(invitation.organisation))
    assert rows[1][-1] == "'=1+1"


def test_a_team_member_without_an_organisation_is_refused(make_user, client_for):
    user = make_user(Role.TEAM)
    assert client_for(user).get(reverse("feedback:survey_results")).status_code == 403


def _invitations(questionnaire, organisation, sent, answered=0, opted_out=0):
    now = timezone.now()
    for n in range(sent):
        Invitation.objects.create(
            questionnaire=questionnaire,
            organisation=organisation,
            expires_at=now + timedelta(days=28),
            sent_at=now,
            completed_at=now if n < answered else None,
            opted_out_at=now if answered <= n < answered + opted_out else None,
        )


def test_a_manager_sees_rounded_counts_and_the_team_exact_ones(
    organisation, team_user, manager_user, client_for
):
    families = Questionnaire.objects.get(slug="families-and-service-users")
    staff = Questionnaire.objects.get(slug="staff")
    _invitations(families, organisation, sent=23, answered=12, opted_out=9)
    _invitations(staff, organisation, sent=9, answered=8)  # 1 did not answer: a complement
    published = {c.questionnaire.slug: c for c in survey_results.published_survey_counts()}
    fam = published["families-and-service-users"]
    assert (fam.sent, fam.responses, fam.opted_out, fam.rate) == (25, 10, 10, 40)
    staffs = published["staff"]
    # 8 of 9 would say one person did not answer: the responses and the rate are withheld.
    assert (staffs.sent, staffs.responses, staffs.rate, staffs.withheld_rate) == (
        10,
        None,
        None,
        True,
    )
    tables = {
        role: client_for(user).get(reverse("feedback:survey_results")).content.decode()
        for role, user in (("team", team_user), ("manager", manager_user))
    }
    assert "52%" in tables["team"] and "89%" in tables["team"]  # exact: 12 of 23, 8 of 9
    assert "52%" not in tables["manager"] and "40%" in tables["manager"]
    assert "withheld" in tables["manager"] and "withheld" not in tables["team"]


def test_counts_across_every_organisation_for_managers(answered, other_organisation):
    TeamMemberFactory(organisation=other_organisation)
    everywhere = {c.questionnaire.slug: c for c in selectors.survey_counts()}
    assert everywhere["families-and-service-users"].responses == 1
    elsewhere = {c.questionnaire.slug: c for c in selectors.survey_counts(other_organisation)}
    assert elsewhere["families-and-service-users"].sent == 0


# Demo data -----------------------------------------------------------------------------------


def test_demo_surveys_span_18_months_and_scale_adds_more(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    responses = Response.objects.all()
    months = {(r.submitted_at.year, r.submitted_at.month) for r in responses}
    assert len(months) >= 17
    oldest = responses.order_by("submitted_at").first().submitted_at
    assert timezone.now() - oldest > timedelta(days=500)
    assert {r.group for r in responses} >= {"family", "service_user", "staff", "supporter"}
    assert not responses.filter(submitted_at__gt=timezone.now()).exists()
    before = responses.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Response.objects.count() == before
    out = io.StringIO()
    call_command("seed_demo", "--scale", "100", stdout=out)
    assert Response.objects.count() > before
    assert re.search(r"\d+ survey responses", out.getvalue())
    assert not QuestionnaireVersion.objects.filter(number__gt=1).exists()


# Other channels, and a missing questionnaire ------------------------------------------------


def _noon(time_machine):
    from zoneinfo import ZoneInfo

    today = timezone.localdate()
    noon = timezone.datetime(
        today.year, today.month, today.day, 12, tzinfo=ZoneInfo("Europe/London")
    )
    time_machine.move_to(noon, tick=False)


def test_a_person_who_prefers_texts_gets_the_link_by_text(supported, team_user, time_machine):
    from peersupport.channels import RecordingSMSClient

    _noon(time_machine)
    RecordingSMSClient.sent.clear()
    person = supported.person
    person.preferred_channel = "sms"
    person.save()
    services.close_support(supported, CloseReason.PERSONS_CHOICE, by=team_user)
    send_due()
    texts = [s for s in RecordingSMSClient.sent if "/survey/t/" in s["personalisation"]["body"]]
    assert len(texts) == 1
    body = texts[0]["personalisation"]["body"]
    assert texts[0]["phone_number"] == person.phone
    assert "how your peer support went" in body and "In an emergency call 999" in body
    assert person.full_name not in body


def test_a_person_who_prefers_letters_gets_a_letter_to_print(supported, team_user):
    from django.template.loader import render_to_string

    from peersupport.models import Letter

    person = supported.person
    person.preferred_channel = "letter"
    person.address = "1 High Street, Lancaster"
    person.save()
    services.close_support(supported, CloseReason.PERSONS_CHOICE, by=team_user)
    send_due()
    letter = Letter.objects.get(message__kind="survey_invitation")
    context = outbox.KINDS["survey_invitation"].context(letter.message)
    text = render_to_string("messages/survey_invitation-letter.html", context)
    assert "scan the code" in text and "Your peer support has now come to an end" in text


def test_a_missing_questionnaire_is_restored_from_the_defaults(supported, team_user):
    # As after a test database flush: every survey row gone.
    Question.objects.all().delete()
    QuestionnaireVersion.objects.all().delete()
    Questionnaire.objects.all().delete()
    services.close_support(supported, CloseReason.PERSONS_CHOICE, by=team_user)
    questionnaire = Invitation.objects.get().questionnaire
    assert questionnaire.slug == "families-and-service-users"
    assert [q.code for q in questionnaire.current_version.questions.all()][0] == "satisfaction"
