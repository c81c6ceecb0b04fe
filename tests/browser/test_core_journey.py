"""The core journey, walked as each of its readers, asserting the words they see.

The family path: the team offers Joan a supporter (the preview ends in a link, not "use this
link:"), Joan's email speaks to a family, her supporter is greeted by name with a link to her
page; a concern is seen by the team on her page and its outcome by the supporter; support
closes at its natural end while a second concern is open, so her survey waits until the
concern is acknowledged; the supporter's old link then says the support has ended.

The staff path: two requests for support from one nurse; the team closes the second as a
duplicate (she is told, kindly, without the word), adds the first and offers a TRiM
practitioner, and every word she reads is for staff.

The supervisor records the follow-up to a low wellbeing check-in.

Every page is checked with axe-core, at a desk and at phone width.
"""

import re

import pytest
from django.conf import settings
from django.core import mail

from incidents.referrals import submit_referral
from peersupport.outbox import sweep
from peersupport.roles import Role
from supporters.models import Concern, OfferStatus, Pool, SupervisorAssignment
from supporters.practice import services as practice
from tests.browser.conftest import PHONE, assert_accessible_on_phone_too, log_in, log_out
from tests.factories import CourseFactory, TeamMemberFactory, TrainingRecordFactory

FAMILY_WORDS = ("learning and investigations team", "while we look into what happened")
STAFF_WORDS = ("staff support service",)


def _emails_to(address):
    return [email for email in mail.outbox if email.to == [address]]


def _path_in(body, prefix):
    """The path of the first link in an email body that starts at SITE_URL + prefix."""
    site = settings.SITE_URL.rstrip("/")
    match = re.search(re.escape(site) + r"(" + re.escape(prefix) + r"[^\s<\"]*)", body)
    assert match, f"no link to {prefix} in:\n{body}"
    return match.group(1)


def _phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp_violations = []
    return context, page


@pytest.mark.django_db(transaction=True)
def test_the_family_path_with_a_concern_a_held_survey_and_an_ended_link(
    browser, live_server, page, team_user, supporter, consenting_person
):
    joan = consenting_person
    log_in(page, team_user.email)
    page.goto(f"/people/{joan.pk}/")
    page.get_by_role("link", name=re.compile("^Find a supporter")).click()
    page.get_by_role("link", name=re.compile(f"^Choose {supporter.user.first_name}")).click()
    assert_accessible_on_phone_too(page)
    page.get_by_text("The email they will receive").click()
    preview = page.locator("details").inner_text()
    assert "use this link:\n[their own link, made when the email is sent]" in preview.replace(
        "\n\n", "\n"
    )
    assert "learning and investigations team" in preview
    page.get_by_role("button", name="Confirm and send").click()
    page.wait_for_url(f"**/people/{joan.pk}/")

    sweep()
    (offer_email,) = _emails_to(joan.email)
    assert offer_email.body.startswith("Dear Joan,")
    for words in (*FAMILY_WORDS, "been through a review like this"):
        assert words in offer_email.body.lower()
    assert "staff support service" not in offer_email.body
    assert _path_in(offer_email.body, "/offer/")

    page.get_by_role("link", name=re.compile("^Record their answer")).click()
    page.get_by_label("They would like the support").check()
    page.get_by_role("button", name="Save answer").click()
    page.wait_for_url(f"**/people/{joan.pk}/")
    offer = joan.offers.get(supporter=supporter)
    assert offer.status == OfferStatus.ACCEPTED

    sweep()
    (matched,) = [
        e
        for e in _emails_to(supporter.user.email)
        if e.subject == "You have been matched with someone new"
    ]
    assert matched.body.startswith("Hello Sam,")
    her_page = _path_in(matched.body, "/my-people/")
    assert her_page == f"/my-people/{offer.pk}/"

    # The supporter follows the link on their phone and raises a concern.
    phone, supporter_page = _phone(browser, live_server)
    log_in(supporter_page, supporter.user.email)
    assert supporter_page.goto(her_page).status == 200
    assert_accessible_on_phone_too(supporter_page)
    assert "Joan" in supporter_page.content()
    first = practice.raise_concern(
        offer, supporter, kind="self_harm", details="Said she could not see a way forward."
    )

    # The team sees it on her page and acknowledges it with the action taken.
    page.goto(f"/people/{joan.pk}/")
    concerns = page.locator("#concerns")
    assert "Open: needs acknowledging" in concerns.inner_text()
    assert_accessible_on_phone_too(page)
    concerns.get_by_role("link", name=re.compile("Risk of harm to themselves")).click()
    page.get_by_label("What have you done?").fill(
        "Phoned Joan with her agreement; her GP will see her tomorrow."
    )
    page.get_by_role("button", name="Acknowledge concern").click()
    page.goto(f"/people/{joan.pk}/")
    concerns_text = page.locator("#concerns").inner_text()
    assert "Acknowledged" in concerns_text
    assert "her GP will see her tomorrow" in concerns_text
    assert_accessible_on_phone_too(page)

    # The supporter who raised it sees the outcome, not who acknowledged it.
    supporter_page.goto(her_page)
    outcome = supporter_page.get_by_text("her GP will see her tomorrow")
    assert outcome.is_visible()
    assert team_user.get_full_name() not in supporter_page.content()
    assert_accessible_on_phone_too(supporter_page)
    assert Concern.objects.get(pk=first.pk).acknowledged_at is not None

    # A second concern is open when support comes to its natural end: the survey waits.
    practice.raise_concern(offer, supporter, kind="self_harm", details="Upset again tonight.")
    page.goto(f"/people/{joan.pk}/")
    page.get_by_role("link", name=re.compile("^Close support")).click()
    assert_accessible_on_phone_too(page)
    page.get_by_label("Support came to a natural end").check()
    page.get_by_role("button", name="Close support").click()
    page.wait_for_url(f"**/people/{joan.pk}/")
    waiting = page.locator("#surveys").inner_text()
    assert "held while a concern is open" in waiting
    assert_accessible_on_phone_too(page)
    page.get_by_role("link", name=re.compile("^Cancel this survey")).click()
    assert_accessible_on_phone_too(page)  # the confirmation page; not confirmed
    page.go_back()
    sweep()
    assert [e for e in _emails_to(joan.email) if "/survey/" in e.body] == []

    page.locator("#concerns").get_by_role("link", name=re.compile("Open|Risk")).first.click()
    page.get_by_label("What have you done?").fill("Spoke to Joan; she is safe with her sister.")
    page.get_by_role("button", name="Acknowledge concern").click()
    sweep()
    (survey_email,) = [e for e in _emails_to(joan.email) if "/survey/" in e.body]
    assert "Dear Joan" in survey_email.body or "Hello Joan" in survey_email.body
    assert "staff support service" not in survey_email.body
    page.goto(f"/people/{joan.pk}/")
    assert page.locator("#surveys").count() == 0

    # The supporter's old link now says the support has ended, and who to contact.
    response = supporter_page.goto(her_page)
    assert response.status == 200
    text = supporter_page.locator("main").inner_text()
    assert "This support has ended" in text
    assert "Joan" not in text
    assert_accessible_on_phone_too(supporter_page)
    phone.close()


@pytest.mark.django_db(transaction=True)
def test_the_staff_path_with_a_request_closed_as_a_duplicate(
    browser, live_server, page, team_user, organisation, make_supporter
):
    peer = make_supporter("trim.peer@example.org", first_name="Dev", pool=Pool.STAFF)
    TrainingRecordFactory(
        supporter=peer,
        course=CourseFactory(
            name="Trauma Risk Management (TRiM) practitioner", mandatory=False, valid_for_months=36
        ),
    )
    asked = {
        "organisation": organisation,
        "name": "Priya Natarajan",
        "email": "priya@example.org",
        "team": "Ward 12",
        "what_happened": "A patient I cared for died by suicide.",
        "contact_how": "email",
    }
    first = submit_referral(**asked)
    second = submit_referral(**asked)

    log_in(page, team_user.email)
    page.goto(f"/referrals/{second.pk}/")
    assert_accessible_on_phone_too(page)
    page.get_by_role("link", name=re.compile("^Close this request")).click()
    assert_accessible_on_phone_too(page)
    page.get_by_role("button", name="Close request").click()
    assert_accessible_on_phone_too(page)  # the error: a reason is needed
    assert page.get_by_role("link", name="Select why you are closing this request").is_visible()
    page.get_by_label("A duplicate of another request").check()
    page.get_by_role("button", name="Close request").click()
    page.wait_for_url(f"**/referrals/{second.pk}/")
    assert "closed" in page.locator("main").inner_text().lower()
    assert_accessible_on_phone_too(page)

    sweep()
    closed = [e for e in _emails_to("priya@example.org") if "already" in e.body]
    assert len(closed) == 1
    assert "duplicate" not in closed[0].body.lower()
    assert "staff support service" in closed[0].body

    page.goto(f"/referrals/{first.pk}/")
    page.get_by_role("button", name="Add as a person affected and offer support").click()
    page.wait_for_url("**/people/*/")
    page.get_by_role("link", name=re.compile("^Find a supporter")).click()
    page.get_by_role("link", name=re.compile("^Choose Dev")).click()
    page.get_by_text("The email they will receive").click()
    preview = page.locator("details").inner_text()
    assert "staff support service" in preview and "TRiM practitioner" in preview
    for words in FAMILY_WORDS:
        assert words not in preview.lower()
    page.get_by_role("button", name="Confirm and send").click()
    page.wait_for_url("**/people/*/")

    sweep()
    (offer_email,) = [e for e in _emails_to("priya@example.org") if "/offer/" in e.body]
    assert offer_email.body.startswith("Dear Priya,")
    for words in (*STAFF_WORDS, "TRiM practitioner"):
        assert words in offer_email.body
    for words in (*FAMILY_WORDS, "been through a review like this", "volunteer"):
        assert words not in offer_email.body.lower()
    log_out(page)

    # Priya answers on her phone, with no login, and reads the words for staff.
    phone, priya = _phone(browser, live_server)
    priya.goto(_path_in(offer_email.body, "/offer/"))
    assert_accessible_on_phone_too(priya)
    answer_page = priya.locator("main").inner_text()
    assert "staff support service" in answer_page
    for words in FAMILY_WORDS:
        assert words not in answer_page.lower()
    phone.close()


@pytest.mark.django_db(transaction=True)
def test_the_supervisor_records_the_follow_up_to_a_low_check_in(
    page, make_user, organisation, supporter
):
    sally = make_user(Role.TEAM, "sally.supervisor@example.org", first_name="Sally")
    TeamMemberFactory(user=sally, organisation=organisation)
    supporter.supervisor = sally
    supporter.save()
    SupervisorAssignment.objects.update_or_create(
        supporter=supporter, organisation=organisation, defaults={"supervisor": sally}
    )
    checkin = practice.record_checkin(supporter, empowered=4, coping=1, wants_debrief=True)
    sweep()
    (alert_email,) = _emails_to(sally.email)
    follow_up = _path_in(alert_email.body, "/supervision/")
    assert follow_up.endswith(f"/check-ins/{checkin.pk}/follow-up/")

    log_in(page, sally.email)
    page.goto("/supervision/")
    assert "Needs attention" in page.locator("main").inner_text()
    assert_accessible_on_phone_too(page)
    page.get_by_role("link", name=re.compile("^Record follow-up")).first.click()
    assert_accessible_on_phone_too(page)
    page.get_by_role("button", name=re.compile("Save|Record")).click()
    assert_accessible_on_phone_too(page)  # the error: say what you did
    page.get_by_label("What did you do?").fill("Phoned Sam the next morning; extra supervision.")
    page.get_by_role("button", name=re.compile("Save|Record")).click()
    assert "Follow-up recorded" in page.locator("main").inner_text()
    assert "extra supervision" in page.locator("main").inner_text()
    assert_accessible_on_phone_too(page)
    checkin.refresh_from_db()
    assert checkin.followed_up_by == sally
