"""The confidentiality wall's pages (issue 13): a team names a supporter's supervisor for its
own organisation, and a team member who does not lead a review sees who is named on it but
cannot change it. Each page is checked with axe."""

import pytest

from peersupport.roles import Role
from supporters.models import SupervisorAssignment
from tests.browser.conftest import assert_accessible_on_phone_too, log_in, log_out
from tests.factories import TeamMemberFactory


@pytest.mark.django_db(transaction=True)
def test_team_names_a_supervisor_and_a_colleague_cannot_change_who_is_named(
    page, make_user, organisation, team_user, review, supporter
):
    colleague = make_user(
        Role.TEAM, "cal.colleague@example.org", first_name="Cal", last_name="Colleague"
    )
    TeamMemberFactory(user=colleague, organisation=organisation)

    log_in(page, team_user.email)
    page.goto(f"/supporters/{supporter.pk}/")
    assert_accessible_on_phone_too(page)
    page.get_by_role("link", name="Change supervisors").click()
    page.wait_for_url(f"**/supporters/{supporter.pk}/supervisors/")
    assert_accessible_on_phone_too(page)
    page.get_by_label(f"Supervisor for {organisation.name}").select_option(label="Cal Colleague")
    page.get_by_role("button", name="Save supervisor").click()
    page.wait_for_url(f"**/supporters/{supporter.pk}/")
    assert "Cal Colleague is their supervisor" in page.content()
    assert SupervisorAssignment.objects.get(supporter=supporter).supervisor == colleague
    log_out(page)

    # Cal does not lead the review: its edit page shows who is named, with no way to change it.
    log_in(page, colleague.email)
    page.goto(f"/reviews/{review.pk}/edit/")
    assert_accessible_on_phone_too(page)
    assert page.locator("#id_team_members").count() == 0
    assert page.locator("#id_lead_investigator").count() == 0
    assert "Only the lead investigator or an administrator can change" in page.content()
