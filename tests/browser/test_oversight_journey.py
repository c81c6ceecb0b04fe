"""A concern raised by a supporter reaches the top of the team's work queue and is acknowledged
(on a phone); the supporter's supervisor then follows the alert from a low wellbeing check-in
to their supervision pages, where they can read their supervisee's contact note."""

import re

import pytest
from django.utils import timezone

from peersupport.outbox import sweep
from peersupport.roles import Role
from supporters import services
from supporters.models import Concern
from supporters.practice import services as practice
from tests.browser.conftest import assert_accessible_on_phone_too, log_in, log_out
from tests.factories import TeamMemberFactory

NOTE = "Talked about the inquest date; sleeping badly."


@pytest.mark.django_db(transaction=True)
def test_concern_is_acknowledged_and_supervisor_follows_a_low_check_in(
    page, phone_page, make_user, organisation, team_user, person, supporter
):
    supervisor = make_user(
        Role.TEAM, "una.supervisor@example.org", first_name="Una", last_name="Supervisor"
    )
    TeamMemberFactory(user=supervisor, organisation=organisation)
    supporter.supervisor = supervisor  # not named on the person's review
    supporter.save()
    services.name_supervisor(supporter, organisation, supervisor, by=team_user)
    offer = services.open_offer(person)
    offer = services.assign_supporter(offer, supporter, by=team_user, via="phone")
    services.record_answer(offer, "accepted", by=team_user)
    practice.record_contact(
        offer,
        supporter,
        happened_on=timezone.localdate(),
        mode="phone",
        minutes=40,
        topics=["emotional"],
        note=NOTE,
    )
    concern = practice.raise_concern(
        offer, supporter, kind="self_harm", details="She said she has thought about ending it."
    )
    practice.record_checkin(supporter, empowered=2, coping=3, wants_debrief=True)
    sweep()

    # The team member, at a desk: the concern is the first thing on the work queue.
    log_in(page, team_user.email)
    page.wait_for_url("**/team/")
    assert_accessible_on_phone_too(page)
    card = page.locator("#concerns")
    assert card.is_visible()
    main_text = page.locator("main").inner_text()
    assert main_text.index("open concern") < main_text.index("Log a review")
    # The person's page says a contact happened, never what was said.
    card.get_by_role("link", name=person.full_name, exact=True).click()
    page.wait_for_url(f"**/people/{person.pk}/")
    assert_accessible_on_phone_too(page)
    contacts = page.locator("#contacts")
    assert "40 minutes" in contacts.inner_text()
    assert "Emotional support" in contacts.inner_text()
    assert NOTE not in page.content()
    page.go_back()
    card.get_by_role("link", name=re.compile(r"^Acknowledge")).click()
    page.wait_for_url(f"**/concerns/{concern.pk}/")
    assert_accessible_on_phone_too(page)
    assert "She said she has thought about ending it." in page.content()
    concern_url = page.url

    # A group debrief for the ward team, recorded from its own page.
    page.goto("/debriefs/")
    assert_accessible_on_phone_too(page)
    page.get_by_role("link", name="Record a group debrief").click()
    assert_accessible_on_phone_too(page)
    page.get_by_role("button", name="Save debrief").click()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible_on_phone_too(page)
    today = timezone.localdate()
    page.get_by_label("Which team was debriefed?").fill("Ward 7 nursing team")
    page.fill("#id_held_on_day", str(today.day))
    page.fill("#id_held_on_month", str(today.month))
    page.fill("#id_held_on_year", str(today.year))
    page.get_by_label("Who facilitated it?").fill("Dr Amira Shah (psychologist)")
    page.get_by_label("How many people attended?").fill("0")
    page.get_by_role("button", name="Save debrief").click()
    assert "must be 1 or more" in page.locator(".nhsuk-error-summary").inner_text()
    page.get_by_label("How many people attended?").fill("9")
    page.get_by_role("button", name="Save debrief").click()
    page.wait_for_url("**/debriefs/")
    assert_accessible_on_phone_too(page)
    assert "Ward 7 nursing team" in page.content()
    log_out(page)

    # The same team member on a phone, out of the office.
    log_in(phone_page, team_user.email)
    phone_page.goto(concern_url)
    assert_accessible_on_phone_too(phone_page)
    # Nothing wider than the phone's screen (WCAG 1.4.10 reflow).
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    phone_page.get_by_role("button", name="Acknowledge concern").click()
    phone_page.wait_for_load_state()
    summary = phone_page.locator(".nhsuk-error-summary")
    assert summary.is_visible()
    assert "Enter what you have done about this concern" in summary.inner_text()
    assert_accessible_on_phone_too(phone_page)
    phone_page.get_by_label("What have you done?").fill(
        "Phoned her and agreed she would call her GP today; told the crisis team."
    )
    phone_page.get_by_role("button", name="Acknowledge concern").click()
    phone_page.wait_for_load_state()
    assert "Concern acknowledged" in phone_page.content()
    assert "told the crisis team" in phone_page.content()
    assert_accessible_on_phone_too(phone_page)
    concern.refresh_from_db()
    assert concern.acknowledged_by == team_user

    phone_page.goto("/team/")
    assert_accessible_on_phone_too(phone_page)
    assert phone_page.locator("#concerns").count() == 0

    phone_page.goto("/concerns/")
    assert_accessible_on_phone_too(phone_page)
    assert Concern.objects.open().count() == 0

    # The supervisor: the check-in alert leads to their supervision pages.
    log_in(page, supervisor.email)
    assert_accessible_on_phone_too(page)
    page.goto("/alerts/")
    assert_accessible_on_phone_too(page)
    alert = page.get_by_role("link", name=re.compile("wellbeing check-in needs your attention"))
    assert alert.count() == 1
    alert.click()
    page.wait_for_url("**/supervision/check-ins/*/follow-up/")  # where the follow-up is recorded
    assert_accessible_on_phone_too(page)
    page.goto("/supervision/")
    assert_accessible_on_phone_too(page)
    assert "Needs attention" in page.content()
    page.get_by_role("link", name=str(supporter)).click()
    page.wait_for_url(f"**/supervision/{supporter.pk}/")
    assert_accessible_on_phone_too(page)
    assert NOTE in page.content()
    assert "Note hidden" not in page.content()
