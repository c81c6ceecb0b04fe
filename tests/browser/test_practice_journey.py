"""A supporter on a phone records a contact, raises a concern from it, then checks in on their
own wellbeing: every page axe-clean at 375x740, nothing blocked by the CSP."""

import re

import pytest
from django.utils import timezone

from peersupport.models import Message
from peersupport.roles import Role
from supporters import services
from supporters.models import Concern, Contact, OfferStatus, SignpostService, WellbeingCheckIn
from tests.browser.conftest import assert_accessible_on_phone_too, log_in


def _watch_csp(page):
    page.on(
        "console",
        lambda msg: "Content Security Policy" in msg.text and page.csp_violations.append(msg.text),
    )


@pytest.mark.django_db(transaction=True)
def test_supporter_records_a_contact_raises_a_concern_and_checks_in(
    phone_page, make_user, team_user, supporter, consenting_person
):
    page = phone_page
    _watch_csp(page)
    supervisor = make_user(Role.TEAM, "supervisor@example.org", first_name="Sue")
    supporter.supervisor = supervisor
    supporter.save()
    SignpostService.objects.get_or_create(name="Samaritans", defaults={"phone": "116 123"})
    offer = services.assign_supporter(
        services.open_offer(consenting_person), supporter, by=team_user, via="phone"
    )
    services.record_answer(offer, "accepted", by=team_user)

    log_in(page, supporter.user.email)
    page.get_by_role("link", name=re.compile("Joan")).first.click()
    page.wait_for_url(f"**/my-people/{offer.pk}/")
    assert_accessible_on_phone_too(page)
    assert "You have not recorded any contacts yet." in page.content()

    # Record a contact: today's date is already filled in.
    page.get_by_role("link", name="Record a contact").click()
    page.wait_for_url(f"**/my-people/{offer.pk}/contacts/new/")
    assert_accessible_on_phone_too(page)
    assert page.locator("#id_happened_on_year").input_value() == str(timezone.localdate().year)
    page.get_by_role("button", name="Save contact").click()
    assert_accessible_on_phone_too(page)
    assert page.get_by_role("link", name="Select at least one topic").is_visible()
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("How long did it last, in minutes?").fill("35")
    page.get_by_label("Emotional support").check()
    page.get_by_label("Samaritans").check()
    page.get_by_label(re.compile("^Note")).fill("Anniversary next week; she is dreading it.")
    count = page.locator(".nhsuk-character-count__status")
    assert count.inner_text() == "You have 458 characters remaining"
    page.get_by_label("I am worried about their safety or someone else's").check()
    page.get_by_role("button", name="Save contact").click()

    # Straight on to the concern form, linked to the contact.
    contact = Contact.objects.get(offer=offer)
    page.wait_for_url(f"**/my-people/{offer.pk}/concerns/new/?contact={contact.pk}")
    assert_accessible_on_phone_too(page)
    assert "If someone is at risk right now" in page.content()
    assert page.locator('a[href="tel:116123"]').count() >= 1

    # A mistake first: the error summary must be axe-clean too.
    page.get_by_role("button", name="Alert the team").click()
    assert_accessible_on_phone_too(page)
    assert page.get_by_role("link", name="Select what you are worried about").is_visible()
    page.get_by_label("Risk of harm to themselves").check()
    page.get_by_label("What happened?").fill("She said she could not see a way forward.")
    page.get_by_role("button", name="Alert the team").click()
    page.wait_for_url(f"**/my-people/{offer.pk}/")
    assert_accessible_on_phone_too(page)
    assert "The team has been alerted" in page.content()
    assert "Anniversary next week; she is dreading it." in page.content()

    # Then a wellbeing check-in, from "My people".
    page.get_by_role("link", name="Back to my people").click()
    assert_accessible_on_phone_too(page)
    page.get_by_role("link", name="Do a wellbeing check-in").click()
    page.wait_for_url("**/wellbeing/")
    assert_accessible_on_phone_too(page)
    empowered = page.get_by_role(
        "group", name=re.compile("I feel empowered to support the people I am matched with")
    )
    empowered.get_by_label("3 – Neither agree nor disagree").check()
    coping = page.get_by_role(
        "group", name=re.compile("I am coping emotionally with being a peer supporter")
    )
    coping.get_by_label("2 – Disagree").check()
    debrief = page.get_by_role("group", name="Would you like a debrief with your supervisor?")
    debrief.get_by_label("Yes").check()
    page.get_by_role("button", name="Save check-in").click()
    page.wait_for_url("**/wellbeing/")
    assert_accessible_on_phone_too(page)
    assert "Your supervisor will be in touch soon" in page.content()

    # The resource library and the signposting directory.
    page.goto("/resources/")
    assert_accessible_on_phone_too(page)
    page.goto("/signposting/")
    assert_accessible_on_phone_too(page)
    assert page.locator('a[href="tel:116123"]').count() >= 1

    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACTIVE
    assert contact.note == "Anniversary next week; she is dreading it."
    assert contact.minutes == 35
    assert [s.name for s in contact.signposted_to.all()] == ["Samaritans"]
    concern = Concern.objects.get(offer=offer)
    assert concern.contact == contact
    assert concern.kind == "self_harm"
    assert Message.objects.filter(
        kind="concern_raised", user=team_user, cause_id=str(concern.pk)
    ).exists()
    assert Message.objects.filter(kind="wellbeing_alert", user=supervisor).count() == 2
    checkin = WellbeingCheckIn.objects.get(supporter=supporter)
    assert (checkin.empowered, checkin.coping, checkin.wants_debrief) == (3, 2, True)
