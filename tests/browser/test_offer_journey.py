import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from peersupport.outbox import sweep
from supporters.models import CodeAcceptance, CodeOfConduct, OfferStatus, SupporterStatus
from tests.browser.conftest import assert_accessible_on_phone_too, log_in, log_out


@pytest.mark.django_db(transaction=True)
def test_team_assigns_a_supporter_who_then_sees_the_person(
    browser,
    live_server,
    page,
    team_user,
    supporter,
    second_supporter,
    consenting_person,
    make_supporter,
):
    # One who cannot be offered, so the list of those excluded, and why, has someone in it.
    make_supporter(
        "paused.peer@example.org",
        first_name="Robin",
        status=SupporterStatus.PAUSED,
        paused_until=timezone.localdate() + timedelta(days=30),
    )
    CodeAcceptance.objects.filter(supporter=supporter).delete()
    CodeOfConduct.objects.get_or_create(
        version=1, defaults={"text": "Listen, signpost, look after yourself."}
    )

    log_in(page, team_user.email)
    page.goto(f"/people/{consenting_person.pk}/")
    assert_accessible_on_phone_too(page)
    page.get_by_role("link", name=re.compile("^Find a supporter")).click()
    assert_accessible_on_phone_too(page)
    page.get_by_role("link", name="Show supporters who cannot be offered, and why").click()
    page.wait_for_url("**show_excluded=1**")
    assert_accessible_on_phone_too(page)
    assert "Robin" in page.locator("#excluded").locator("xpath=..").inner_text()
    page.get_by_role("link", name=re.compile(f"^Choose {supporter.user.first_name}")).click()
    assert_accessible_on_phone_too(page)
    assert "Dear Joan" in page.content()
    page.get_by_role("button", name="Confirm and send").click()
    page.wait_for_url(f"**/people/{consenting_person.pk}/")
    assert_accessible_on_phone_too(page)

    sweep()
    offer_email = next(m for m in mail.outbox if m.to == [consenting_person.email])
    assert "Sam" in offer_email.body

    page.get_by_role("link", name=re.compile("^Record their answer")).click()
    assert_accessible_on_phone_too(page)
    page.get_by_label("They would like the support").check()
    page.get_by_role("button", name="Save answer").click()
    page.wait_for_url(f"**/people/{consenting_person.pk}/")
    offer = consenting_person.offers.get(supporter=supporter)
    assert offer.status == OfferStatus.ACCEPTED
    log_out(page)

    phone = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    phone_page = phone.new_page()
    phone_page.csp_violations = []
    log_in(phone_page, supporter.user.email)
    assert_accessible_on_phone_too(phone_page)
    assert phone_page.get_by_text("Joan").count() == 0
    phone_page.get_by_role("link", name=re.compile("code of conduct", re.I)).first.click()
    assert_accessible_on_phone_too(phone_page)
    phone_page.get_by_label(re.compile("I have read the code of conduct")).check()
    phone_page.get_by_role("button", name="Accept").click()
    phone_page.wait_for_url("**/my-people/")
    assert_accessible_on_phone_too(phone_page)
    phone_page.get_by_role("link", name=re.compile("Joan")).first.click()
    assert_accessible_on_phone_too(phone_page)
    assert "116 123" in phone_page.content()
    person_url = phone_page.url
    phone.close()

    log_in(page, second_supporter.user.email)
    response = page.goto(person_url)
    assert response.status == 404
    assert_accessible_on_phone_too(page)
