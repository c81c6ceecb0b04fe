"""A family member says what matters to them in a supporter, on a phone, from their offer link;
the team's shortlist ranks by it and flags a mismatch; the person changes their answer from the
link, until support starts (issue 19)."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from feedback.offer_links import offer_answer_url
from supporters import services
from supporters.models import OfferStatus
from supporters.practice.services import record_contact
from tests.browser.conftest import assert_accessible, assert_accessible_on_phone_too, log_in


def _send(phone_page, button="Send my answer"):
    phone_page.get_by_role("button", name=button).click()
    phone_page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_preferences_from_the_offer_link_to_the_shortlist_and_back(
    phone_page, page, consenting_person, supporter, second_supporter, make_supporter, team_user
):
    cache.clear()
    supporter.gender = "man"  # Sam, who is offered first
    supporter.save()
    second_supporter.gender = "woman"  # Alex
    second_supporter.languages = "English, Polish"
    second_supporter.save()
    make_supporter("robin.peer@example.org", first_name="Robin", gender="man")
    waiting = consenting_person.offers.get(status=OfferStatus.NEEDS_SUPPORTER)
    offer = services.assign_supporter(waiting, supporter, by=team_user, via="phone")
    link = offer_answer_url(offer).removeprefix(settings.SITE_URL.rstrip("/"))

    # The person: who is offered, what to expect, and what matters to them.
    phone_page.goto(link)
    phone_page.wait_for_url("**/offer/answer/")
    assert_accessible(phone_page)
    content = phone_page.content()
    assert "Sam is a trained volunteer" in content
    assert "Confidentiality:" in content and "Boundaries:" in content
    phone_page.get_by_label("Yes, I would like support").check()
    phone_page.get_by_label("A woman").check()
    phone_page.get_by_label("Would you like a supporter who speaks").select_option("polish")
    phone_page.get_by_label("Evenings (5pm to 8pm)").check()
    _send(phone_page)
    # Gender is special category data: asked for only with consent.
    assert "Tick the box to agree" in phone_page.locator(".nhsuk-error-summary").inner_text()
    assert phone_page.title().startswith("Error: ")
    assert_accessible(phone_page)
    phone_page.get_by_label(re.compile("^I agree that the team may use")).check()
    _send(phone_page)
    phone_page.wait_for_url("**/offer/answer/thank-you/")
    assert_accessible(phone_page)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED

    # The team: the person's page shows what they asked for; the shortlist ranks by it.
    log_in(page, team_user.email)
    page.goto(f"/people/{consenting_person.pk}/")
    assert "Supporter's gender" in page.content() and "They agreed on" in page.content()
    assert_accessible_on_phone_too(page)
    page.goto(reverse("incidents:person_edit", args=[consenting_person.pk]))
    assert page.get_by_label(re.compile("^Would like a supporter who is")).input_value() == "woman"
    assert page.get_by_label(re.compile("^They agreed we may use")).is_checked()
    assert_accessible_on_phone_too(page)
    page.goto(reverse("supporters:match", args=[consenting_person.pk]))
    assert_accessible_on_phone_too(page)
    cards = page.locator("ol .nhsuk-card")
    first = cards.nth(0).inner_text()
    assert "Alex" in first and "Gender: a woman, as Joan asked" in first
    assert "Speaks Polish, as Joan asked" in first
    robin = cards.filter(has_text="Robin").inner_text()
    assert "Asked for a woman supporter: not matched" in robin
    page.get_by_role("link", name=re.compile("^Choose Robin")).click()
    assert "does not meet what Joan asked for" in page.content()
    assert_accessible_on_phone_too(page)
    page.get_by_role("button", name=re.compile("^Confirm")).click()
    page.wait_for_load_state()
    assert "Enter why you are offering a supporter" in page.content()
    assert_accessible_on_phone_too(page)
    offer.refresh_from_db()
    assert offer.supporter == supporter  # nothing assigned without the reason

    # The person opens the link again: their answer, to change.
    phone_page.goto(link)
    phone_page.wait_for_url("**/offer/answer/")
    assert "Change your answer about peer support" in phone_page.content()
    assert phone_page.get_by_label("Yes, I would like support").is_checked()
    assert phone_page.get_by_label("A woman").is_checked()
    assert_accessible(phone_page)
    phone_page.get_by_label("Please contact me later").check()
    _send(phone_page, "Save my answer")
    phone_page.wait_for_url("**/offer/answer/thank-you/")
    assert "Your answer has been changed" in phone_page.content()
    assert_accessible(phone_page)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.LATER

    # Back to yes, and support starts: then the link changes nothing.
    phone_page.goto(link)
    phone_page.get_by_label("Yes, I would like support").check()
    _send(phone_page, "Save my answer")
    phone_page.wait_for_url("**/offer/answer/thank-you/")
    offer.refresh_from_db()
    record_contact(
        offer,
        supporter,
        happened_on=timezone.localdate(),
        mode="phone",
        minutes=30,
        topics=[],
    )
    phone_page.goto(link)
    phone_page.wait_for_url("**/offer/answer/")
    assert "Your peer support has started" in phone_page.content()
    assert "has expired or has already been used" not in phone_page.content()
    assert phone_page.get_by_role("button", name=re.compile("answer")).count() == 0
    assert "0300 123 4567" in phone_page.content()
    assert_accessible(phone_page)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACTIVE
