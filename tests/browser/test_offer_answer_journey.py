"""A person answers their offer of support from the link, on a phone, with no account."""

import pytest
from django.conf import settings
from django.core.cache import cache

from feedback.offer_links import offer_answer_url
from supporters import services
from supporters.models import OfferStatus


@pytest.mark.django_db(transaction=True)
def test_a_person_opens_the_link_on_a_phone_and_accepts(
    phone_page, consenting_person, supporter, team_user, organisation
):
    from tests.browser.conftest import assert_accessible

    cache.clear()
    waiting = consenting_person.offers.get(status=OfferStatus.NEEDS_SUPPORTER)
    offer = services.assign_supporter(waiting, supporter, by=team_user, via="phone")
    link = offer_answer_url(offer).removeprefix(settings.SITE_URL.rstrip("/"))
    plain = link.rstrip("/").rsplit("/", 1)[-1]

    phone_page.goto(link)
    phone_page.wait_for_url("**/offer/answer/")
    assert plain not in phone_page.url
    assert_accessible(phone_page)
    content = phone_page.content()
    assert organisation.name in content and "Sam" in content
    assert consenting_person.full_name not in content

    # Sending without choosing explains what to do.
    phone_page.get_by_role("button", name="Send my answer").click()
    phone_page.wait_for_load_state()
    summary = phone_page.locator(".nhsuk-error-summary")
    assert "Select yes, no, or contact me later" in summary.inner_text()
    assert phone_page.title().startswith("Error: ")
    assert_accessible(phone_page)

    phone_page.get_by_label("Yes, I would like support").check()
    phone_page.get_by_role("button", name="Send my answer").click()
    phone_page.wait_for_url("**/offer/answer/thank-you/")
    assert_accessible(phone_page)
    assert "Your peer supporter will contact you soon" in phone_page.content()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED

    # Opening it again shows the answer given, which the person may change until support starts.
    phone_page.goto(link)
    phone_page.wait_for_url("**/offer/answer/")
    assert "Change your answer about peer support" in phone_page.content()
    assert phone_page.get_by_label("Yes, I would like support").is_checked()
    assert_accessible(phone_page)
