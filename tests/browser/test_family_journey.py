import re

import pytest
from django.core import mail
from django.core.cache import cache

from incidents.models import ConsentMethod, PersonKind, SelfReferral
from peersupport.outbox import sweep
from supporters.models import OfferStatus, Pool
from supporters.public_profiles import agree, check
from tests.browser.conftest import assert_accessible_on_phone_too, log_in
from tests.factories import AffectedPersonFactory


@pytest.mark.django_db(transaction=True)
def test_a_bereaved_parent_asks_for_a_supporter_and_the_team_links_and_offers_it(
    phone_page, page, team_user, review, make_supporter
):
    cache.clear()
    peer = make_supporter(
        "lived.peer@example.org", first_name="Rosalind", pool=Pool.LIVED_EXPERIENCE
    )
    check(
        agree(peer, first_name="Ros", words="I lost my son. I know how long the wait can feel."),
        by=team_user,
        shown=True,
    )
    mother = AffectedPersonFactory(
        review=review, kind=PersonKind.FAMILY, full_name="Helen Marsh", email="", phone=""
    )

    # A bereaved mother, on her phone, starts at the home page: it sends her to log in, and
    # that page points to support for families.
    phone_page.goto("/")
    phone_page.wait_for_url("**/accounts/login/**")
    phone_page.get_by_role(
        "link", name="Support for families and patients after a serious incident"
    ).click()
    phone_page.wait_for_url("**/peer-support/families/")
    assert_accessible_on_phone_too(phone_page)
    content = phone_page.content()
    assert "not part of the review" in content
    assert "Ros" in content and "Rosalind" not in content
    assert "116 123" in content

    phone_page.get_by_role("link", name="Reading the draft report").click()
    phone_page.wait_for_url("**/guides/draft-report/")
    assert_accessible_on_phone_too(phone_page)
    assert "How a peer supporter can help" in phone_page.content()
    phone_page.get_by_role("link", name=re.compile("The last meeting")).click()
    phone_page.wait_for_url("**/guides/final-meeting/")
    assert_accessible_on_phone_too(phone_page)
    phone_page.get_by_role("link", name="Back to support for families").click()
    phone_page.get_by_role("link", name="self-help and other places to get help").click()
    phone_page.wait_for_url("**/peer-support/resources/")
    assert_accessible_on_phone_too(phone_page)
    phone_page.go_back()

    phone_page.get_by_role("link", name="Ask for a supporter").first.click()
    phone_page.wait_for_url("**/peer-support/families/ask/")
    assert_accessible_on_phone_too(phone_page)
    phone_page.get_by_role("button", name="Send").click()
    phone_page.wait_for_load_state()
    summary = phone_page.locator(".nhsuk-error-summary")
    assert summary.is_visible()
    assert "Select who you are" in summary.inner_text()
    assert phone_page.title().startswith("Error: ")
    assert_accessible_on_phone_too(phone_page)
    assert not SelfReferral.objects.exists()

    phone_page.get_by_label("A family member, partner or carer").check()
    phone_page.fill("#id_name", "Helen Marsh")
    phone_page.fill("#id_email", "helen.marsh@example.com")
    phone_page.fill("#id_review_reference", review.reference)
    phone_page.get_by_label("Email", exact=True).check()
    phone_page.fill("#id_contact_when", "Weekday mornings")
    phone_page.fill("#id_needs", "My sister would like to come with me.")
    phone_page.get_by_role("button", name="Send").click()
    phone_page.wait_for_url("**/peer-support/families/ask/thank-you/")
    assert_accessible_on_phone_too(phone_page)
    thanks = phone_page.content()
    assert "2 working days" in thanks and "at night, at weekends" in thanks
    assert review.reference not in thanks

    sweep()
    assert [m.to for m in mail.outbox] == [["helen.marsh@example.com"]]

    # The team finds the request on its work queue, links it to the review and to her record,
    # and offers her a supporter.
    log_in(page, team_user.email)
    page.wait_for_url("**/team/")
    assert_accessible_on_phone_too(page)
    page.get_by_role("link", name=re.compile("Helen Marsh")).first.click()
    assert_accessible_on_phone_too(page)
    assert "My sister would like to come with me." in page.content()
    page.get_by_label("Which review is this about?").select_option(str(review.pk))
    page.get_by_label("Are they already on the review? (optional)").select_option(str(mother.pk))
    page.get_by_role("button", name="Link to the review and offer support").click()
    page.wait_for_url(f"**/people/{mother.pk}/")
    assert_accessible_on_phone_too(page)
    assert "Request linked to Helen Marsh" in page.content()
    mother.refresh_from_db()
    assert mother.email == "helen.marsh@example.com"
    assert mother.consents.filter(method=ConsentMethod.SELF_REFERRAL).count() == 2

    page.get_by_role("link", name=re.compile("^Find a supporter")).click()
    assert_accessible_on_phone_too(page)
    page.get_by_role("link", name=re.compile("^Choose Rosalind")).click()
    assert_accessible_on_phone_too(page)
    page.get_by_role("button", name="Confirm and send").click()
    page.wait_for_url(f"**/people/{mother.pk}/")
    assert_accessible_on_phone_too(page)
    assert mother.offers.get().status == OfferStatus.OFFERED


@pytest.mark.django_db(transaction=True)
def test_a_supporter_chooses_words_for_families_and_the_team_checks_them(
    phone_page, page, team_user, make_supporter
):
    peer = make_supporter(
        "lived.peer@example.org", first_name="Rosalind", pool=Pool.LIVED_EXPERIENCE
    )
    words = "I lost my son. I know how long the wait can feel."

    log_in(phone_page, peer.user.email)
    phone_page.get_by_role("link", name="Your words on the page for families").click()
    phone_page.wait_for_url("**/my-page-for-families/")
    assert_accessible_on_phone_too(phone_page)
    phone_page.fill("#id_first_name", "Ros")
    phone_page.fill("#id_words", words)
    phone_page.get_by_role("button", name="Save and ask the team to check").click()
    phone_page.wait_for_load_state()
    assert "Tick the box to agree" in phone_page.locator(".nhsuk-error-summary").inner_text()
    assert_accessible_on_phone_too(phone_page)
    phone_page.get_by_label(re.compile("I agree to be shown")).check()
    phone_page.get_by_role("button", name="Save and ask the team to check").click()
    phone_page.wait_for_load_state()
    assert "The team will check your words" in phone_page.content()
    assert_accessible_on_phone_too(phone_page)

    log_in(page, team_user.email)
    page.goto("/supporters/")
    page.get_by_role("link", name=re.compile("Check supporters' words")).click()
    assert_accessible_on_phone_too(page)
    assert words in page.content()
    page.get_by_role("button", name=re.compile("^Show on the page")).click()
    page.wait_for_load_state()
    assert_accessible_on_phone_too(page)
    assert "There are no words to check" in page.content()

    page.goto("/peer-support/families/")
    assert words in page.content()
    phone_page.reload()
    assert "Your words are on the page now" in phone_page.content()
    phone_page.get_by_role("button", name="Take my words off the page").click()
    phone_page.wait_for_load_state()
    assert_accessible_on_phone_too(phone_page)
    page.reload()
    assert words not in page.content()
