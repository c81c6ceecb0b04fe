"""Surveys end to end in the browser: a family member on a small phone, a member of staff and a
peer supporter each complete theirs from the link in their email, and the answers appear in
the team's counts; a person opts out. axe-core checks every page."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache

from feedback import invitations
from feedback.models import Invitation, Response
from peersupport.outbox import sweep
from peersupport.roles import Role
from supporters import services
from supporters.models import CloseReason, OfferStatus, Pool
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import AffectedPersonFactory

SMALL_PHONE = {"width": 375, "height": 667}
LINK = re.compile(r"https?://[^\s\"<>]+/survey/t/[^\s/\"<>]+/")
EXPIRED = "This link has expired or has already been used"


@pytest.fixture
def small_phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=SMALL_PHONE, is_mobile=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda msg: "Content Security Policy" in msg.text and page.csp_violations.append(msg.text),
    )
    yield page
    context.close()


def check(page):
    """axe-core clean, and nothing wider than a small phone's screen."""
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def emailed_link(to):
    """The survey link in the latest email to `to`, as a path on the live server."""
    sweep()
    bodies = [m.body for m in mail.outbox if to in m.to and LINK.search(m.body)]
    assert bodies, f"no survey email to {to}"
    return LINK.search(bodies[-1]).group().removeprefix(settings.SITE_URL.rstrip("/"))


def close_support(person, supporter, team_user):
    offer = person.offers.get(status=OfferStatus.NEEDS_SUPPORTER)
    offer = services.assign_supporter(offer, supporter, by=team_user, via="phone")
    offer = services.record_answer(offer, "accepted", by=team_user)
    services.close_support(offer, CloseReason.PERSONS_CHOICE, by=team_user)
    return Invitation.objects.get(offer=offer)


def choose(page, question, answer):
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_family_member_completes_the_survey_on_a_small_phone(
    small_phone, consenting_person, supporter, team_user, organisation
):
    page = small_phone
    cache.clear()
    mail.outbox.clear()
    invitation = close_support(consenting_person, supporter, team_user)
    link = emailed_link(consenting_person.email)
    plain = link.rstrip("/").rsplit("/", 1)[-1]

    page.goto(link)
    page.wait_for_url("**/survey/")
    assert plain not in page.url
    check(page)
    content = page.content()
    assert organisation.name in content and "learning and investigations team" in content
    assert consenting_person.full_name not in content
    assert consenting_person.review.reference not in content

    # Sending with nothing chosen explains what to do, at the top and by each question.
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()
    summary = page.locator(".nhsuk-error-summary")
    assert "Select how much you agree or disagree with: I am satisfied" in summary.inner_text()
    assert page.title().startswith("Error: ")
    check(page)
    # The summary's links take a screen reader user to the question.
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.name") == "satisfaction"

    choose(page, "I am satisfied with the peer support I was given.", "Strongly agree")
    choose(
        page,
        "Having a peer supporter made me feel more able to take part in the review.",
        "Agree",
    )
    choose(page, "I felt supported during the review process.", "Neither agree nor disagree")
    choose(page, "Overall, how was your experience of our peer support service?", "Very good")
    page.get_by_label("Is there anything else you would like to tell us?").fill(
        "It helped to talk to someone who understood."
    )
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/survey/thank-you/")
    check(page)
    assert "Thank you for your answers" in page.content()

    response = Response.objects.get(invitation=invitation)
    values = {a.question.code: a.value for a in response.answers.all() if a.value is not None}
    assert values == {
        "satisfaction": 5,
        "engage_with_review": 4,
        "supported_by_process": 3,
        "fft": 1,
    }

    # The link has done its job: the kind page with the phone number, not an error.
    result = page.goto(link)
    assert result.status == 404
    assert EXPIRED in page.content() and "0300 123 4567" in page.content()
    check(page)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_person_opts_out_of_all_messages_from_the_survey_page(
    small_phone, consenting_person, supporter, team_user
):
    page = small_phone
    cache.clear()
    mail.outbox.clear()
    close_support(consenting_person, supporter, team_user)
    page.goto(emailed_link(consenting_person.email))
    page.wait_for_url("**/survey/")
    page.get_by_role("link", name="I do not want any more messages from you").click()
    page.wait_for_url("**/survey/stop-messages/")
    check(page)
    page.get_by_role("button", name="Stop all messages").click()
    page.wait_for_url("**/survey/messages-stopped/")
    check(page)
    assert "We will not send you any more messages" in page.content()
    consenting_person.refresh_from_db()
    assert consenting_person.opted_out_at is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_member_of_staff_completes_theirs_and_the_team_sees_the_counts(
    page, review, make_supporter, team_user
):
    from incidents.services import record_consent

    cache.clear()
    mail.outbox.clear()
    staff = AffectedPersonFactory(
        review=review, kind="staff", full_name="Priya Nair", consent_to_contact="not_asked"
    )
    record_consent(staff, "contact", "given", "phone", by=team_user)
    peer = make_supporter("staff.peer@example.org", pool=Pool.STAFF, first_name="Chris")
    close_support(staff, peer, team_user)

    page.goto(emailed_link(staff.email))
    page.wait_for_url("**/survey/")
    check(page)
    choose(page, "I am satisfied with the peer support I was given.", "Agree")
    choose(
        page,
        "Having a peer supporter made me feel more able to take part in the review.",
        "Agree",
    )
    choose(page, "I felt supported during the review process.", "Disagree")
    choose(page, "I feel my organisation supports staff well after a serious incident.", "Disagree")
    choose(page, "Overall, how was your experience of our peer support service?", "Good")
    page.get_by_label("Is there anything else you would like to tell us?").fill(
        "My supporter understood what an investigation feels like."
    )
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/survey/thank-you/")
    check(page)
    response = Response.objects.get()
    assert response.group == "staff"
    assert response.answers.get(question__code="staff_perception").value == 2

    # The team's results: the response counts, and the comment is there without a name.
    page.context.clear_cookies()
    log_in(page, team_user.email)
    page.goto("/surveys/results/")
    check(page)
    row = page.get_by_role("row", name=re.compile("How was your peer support\\? \\(staff\\)"))
    assert "100%" in row.inner_text()
    main = page.locator("main").inner_text()
    assert "My supporter understood what an investigation feels like." in main
    assert "Priya Nair" not in main


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_supporter_completes_theirs_and_a_manager_sees_only_numbers(
    page, phone_page, supporter, make_user
):
    cache.clear()
    mail.outbox.clear()
    invitations.invite_supporters_for_quarter()
    phone_page.goto(emailed_link(supporter.user.email))
    phone_page.wait_for_url("**/survey/")
    check(phone_page)
    assert "How are you finding being a peer supporter?" in phone_page.content()
    choose(
        phone_page, "I feel empowered to support the people I am matched with.", "Strongly agree"
    )
    choose(phone_page, "I am coping emotionally with being a peer supporter.", "Agree")
    phone_page.get_by_label(
        "Is there anything you would like to tell us about being a peer supporter?"
    ).fill("Supervision has helped a lot.")
    phone_page.get_by_role("button", name="Send my answers").click()
    phone_page.wait_for_url("**/survey/thank-you/")
    check(phone_page)
    response = Response.objects.get()
    assert response.group == "supporter"
    assert {a.question.code: a.value for a in response.answers.all() if a.value} == {
        "empowered": 5,
        "coping": 4,
    }

    manager = make_user(Role.MANAGER, "maya.manager@example.org")
    log_in(page, manager.email)
    page.goto("/surveys/results/")
    check(page)
    main = page.locator("main").inner_text()
    # One supporter asked, one answered: counts of 1 to 7 are withheld from managers.
    assert "Being a peer supporter\twithheld\twithheld\twithheld" in main
    assert "100%" not in main and "rounded to the nearest 5" in main
    assert "Supervision has helped a lot." not in main
