import re

import pytest
from django.core import mail
from django.core.cache import cache

from incidents.models import AffectedPerson, SelfReferral
from peersupport.outbox import sweep
from supporters.models import OfferStatus, Pool
from tests.browser.conftest import assert_accessible_on_phone_too, log_in


@pytest.mark.django_db(transaction=True)
def test_a_member_of_staff_asks_for_support_and_the_team_offers_it(
    phone_page, page, team_user, organisation, make_supporter
):
    cache.clear()
    make_supporter(
        "priya.peer@example.org",
        first_name="Priyanka",
        pool=Pool.STAFF,
        public_first_name="Priya",
        public_role="Staff nurse, critical care (TRiM practitioner)",
    )

    # An anonymous member of staff, on their phone.
    phone_page.goto("/peer-support/")
    assert_accessible_on_phone_too(phone_page)
    assert "Priya, Staff nurse, critical care" in phone_page.content()
    assert "Priyanka" not in phone_page.content()
    assert "116 123" in phone_page.content()
    phone_page.get_by_role("link", name="Ask for support").click()
    phone_page.wait_for_url("**/peer-support/ask/")
    assert_accessible_on_phone_too(phone_page)

    phone_page.fill("#id_name", "Jordan Ashby")
    phone_page.fill("#id_team", "Ward 7")
    phone_page.fill("#id_what_happened", "A patient I cared for died unexpectedly on my shift.")
    phone_page.get_by_label("Email", exact=True).check()
    phone_page.get_by_role("button", name="Send").click()
    phone_page.wait_for_load_state()
    summary = phone_page.locator(".nhsuk-error-summary")
    assert summary.is_visible()
    assert "Enter a work email address or a phone number" in summary.inner_text()
    assert phone_page.title().startswith("Error: ")
    assert_accessible_on_phone_too(phone_page)
    assert not SelfReferral.objects.exists()

    phone_page.fill("#id_email", "jordan.ashby@example.nhs.uk")
    phone_page.fill("#id_contact_when", "Weekdays after 5pm")
    phone_page.get_by_role("button", name="Send").click()
    phone_page.wait_for_url("**/peer-support/ask/thank-you/")
    assert_accessible_on_phone_too(phone_page)
    assert "We have your request" in phone_page.content()

    sweep()
    assert [m.to for m in mail.outbox] == [["jordan.ashby@example.nhs.uk"]]

    for path in ("/privacy/", "/accessibility/"):
        phone_page.goto(path)
        assert_accessible_on_phone_too(phone_page)

    # The team member sees the request on the work queue and offers support.
    log_in(page, team_user.email)
    page.wait_for_url("**/team/")
    assert_accessible_on_phone_too(page)
    page.get_by_role("link", name=re.compile("Jordan Ashby")).first.click()
    assert_accessible_on_phone_too(page)
    assert "A patient I cared for died unexpectedly" in page.content()
    page.get_by_role("button", name="Add as a person affected and offer support").click()
    page.wait_for_url("**/people/*/")
    assert_accessible_on_phone_too(page)
    assert "Asked for support themselves" in page.content()

    person = AffectedPerson.objects.get()
    assert person.offers.get().status == OfferStatus.NEEDS_SUPPORTER
    assert page.get_by_role("link", name=re.compile("^Find a supporter")).is_visible()

    page.goto("/team/")
    assert_accessible_on_phone_too(page)
    waiting = page.locator("#waiting").locator("xpath=..")
    assert "Jordan Ashby" in waiting.inner_text()
    assert "Requests for support" not in page.content()
