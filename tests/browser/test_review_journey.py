from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import AffectedPerson, Review, ReviewStatus
from tests.browser.conftest import assert_accessible_on_phone_too, log_in


def fill_date(page, name, day):
    page.fill(f"#id_{name}_day", str(day.day))
    page.fill(f"#id_{name}_month", str(day.month))
    page.fill(f"#id_{name}_year", str(day.year))


def add_person(page, *, kind, name, relationship, email, phone, staff_team=None, bereaved=False):
    page.get_by_role("link", name="Add a person").first.click()
    assert_accessible_on_phone_too(page)
    page.get_by_label(kind, exact=True).check()
    page.fill("#id_full_name", name)
    page.fill("#id_relationship", relationship)
    if bereaved:
        page.get_by_label("Bereaved by this incident").check()
    page.fill("#id_email", email)
    page.fill("#id_phone", phone)
    page.get_by_label("Email", exact=True).check()
    if staff_team:
        page.fill("#id_staff_role", "Staff nurse")
        page.fill("#id_staff_team", staff_team)
    page.locator("#id_consent-consent_to_contact_1").check()
    page.locator("#id_consent-consent_to_share_1").check()
    page.get_by_label("On the phone").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert_accessible_on_phone_too(page)
    page.get_by_role("link", name="Back", exact=False).first.click()


@pytest.mark.django_db(transaction=True)
def test_team_logs_a_review_adds_people_and_pauses_and_resumes_it(page, team_user, service):
    today = timezone.localdate()
    log_in(page, team_user.email)
    assert_accessible_on_phone_too(page)

    page.get_by_role("link", name="Log a review").first.click()
    assert_accessible_on_phone_too(page)
    page.get_by_role("button", name="Save review").click()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible_on_phone_too(page)

    page.fill("#id_reference", "LR-2026-042")
    fill_date(page, "incident_date", today - timedelta(days=4))
    fill_date(page, "reported_date", today - timedelta(days=2))
    page.select_option("#id_service", label=service.name)
    page.get_by_label("Suspected suicide").check()
    page.get_by_label("Patient safety incident investigation (PSII)").check()
    page.get_by_label("Death", exact=True).check()
    page.select_option("#id_lead_investigator", value=str(team_user.pk))
    page.fill("#id_summary", "Suspected suicide of a person known to the community team.")
    page.get_by_role("button", name="Save review").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Review LR-2026-042")
    assert_accessible_on_phone_too(page)
    review = Review.objects.get(reference="LR-2026-042")

    add_person(
        page,
        kind="Family member or carer",
        name="Joan Whitfield",
        relationship="Mother",
        email="joan@example.com",
        phone="07700 900 123",
        bereaved=True,
    )
    add_person(
        page,
        kind="Member of staff",
        name="Priya Nair",
        relationship="Named nurse",
        email="priya.nair@example.com",
        phone="07700 900 456",
        staff_team="Ward 3",
    )
    assert AffectedPerson.objects.filter(review=review).count() == 2

    page.goto("/team/")
    assert_accessible_on_phone_too(page)
    waiting = page.locator("section, div").filter(has_text="People waiting for a supporter").last
    assert waiting.get_by_text("Joan Whitfield").count() >= 1
    assert page.get_by_text("Priya Nair").count() >= 1

    page.goto(f"/reviews/{review.pk}/")
    page.get_by_role("link", name="Pause review").click()
    assert_accessible_on_phone_too(page)
    page.get_by_role("button", name="Pause review").click()
    assert page.locator(".nhsuk-error-summary").is_visible()
    page.fill("#id_reason", "Waiting for the coroner's decision")
    page.get_by_role("button", name="Pause review").click()
    page.wait_for_load_state()
    assert_accessible_on_phone_too(page)
    review.refresh_from_db()
    assert review.status == ReviewStatus.PAUSED
    page.get_by_role("button", name="Resume review").click()
    page.wait_for_load_state()
    assert_accessible_on_phone_too(page)
    review.refresh_from_db()
    assert review.status == ReviewStatus.LOGGED
    assert list(review.status_changes.values_list("to_status", flat=True)) == [
        "logged",
        "paused",
        "logged",
    ]
