"""A manager opens the measures dashboard: one section at a time, every measure there with its
chart and a link to its months and definition, the filters work (with and without JavaScript),
and each section passes axe-core at a desk and on a small phone."""

import pytest
from django.core.cache import cache

from peersupport.dashboard.definitions import MEASURES
from peersupport.dashboard.measure import SECTIONS
from peersupport.roles import Role
from tests.browser.conftest import assert_accessible, assert_accessible_on_phone_too, log_in
from tests.conftest import PASSWORD
from tests.dashboard_data import months_of_support

CHARTED = [
    "offered",
    "days_to_offer",
    "accepted",
    "accessing",
    "contacts",
    "staff_accessing",
    "satisfaction",
    "engage_with_review",
    "not_supported",
    "fft_positive",
    "empowered",
    "coping",
    "caseload",
    "declined",
]


@pytest.mark.django_db(transaction=True)
def test_a_manager_reads_every_measure_and_filters_them(
    page, browser, live_server, make_user, review
):
    cache.clear()
    months_of_support(review)
    manager = make_user(Role.MANAGER)
    log_in(page, manager.email)
    page.wait_for_url("**/dashboard/")
    main = page.locator("main")
    assert page.locator("h1").inner_text() == "Measures"
    # One section at a time, the others a link away; each measure with its chart and a link to
    # its own page with every month and its definition.
    for number, (slug, title) in enumerate(SECTIONS.items()):
        if number:
            nav = page.get_by_role("navigation", name="Sections of measures")
            nav.get_by_role("link", name=title).click()
            page.wait_for_url(f"**/dashboard/?section={slug}")
        assert page.locator("#section-heading").inner_text() == title
        for measure in (m for m in MEASURES if m.section == slug):
            shown = page.locator(f"#measure-{measure.slug}")
            assert shown.is_visible(), measure.slug
            assert measure.name in shown.inner_text()
            assert shown.get_by_role("link", name="Every month's figures").count() == 1
            if measure.slug in CHARTED:  # one supporter is too few to show, no support ended
                chart = shown.locator("figure svg[role=img]")
                assert chart.count() == 1, measure.slug
                assert chart.locator("title").text_content().startswith(measure.name)
                assert "A table gives every month's figures" in chart.locator("desc").text_content()
        assert page.locator(".app-dashboard__measure").count() == len(
            [m for m in MEASURES if m.section == slug]
        )
        assert "Margaret" not in main.inner_text()  # no names, only figures
        assert_accessible_on_phone_too(page)
    page.get_by_role("link", name="Previous").click()
    page.get_by_role("link", name="Process measures").click()
    page.wait_for_url("**/dashboard/?section=process")
    # The headline: everyone offered, every month. A flat 100% has no variation, so no limits,
    # no variation icon and no assurance verdict either way; the page says why.
    offered = page.locator("#measure-offered")
    assert "100.0%" in offered.inner_text()
    assert offered.locator(".app-dashboard__icon").count() == 0
    assert "The process will" not in offered.inner_text()
    assert "every month has the same figure, so there is no variation" in offered.inner_text()
    assert "no judgement of whether the target will be met" in offered.inner_text()
    # Contacts vary: limits, and the Making Data Count icon with its text equivalent.
    icon = page.locator("#measure-contacts svg.app-dashboard__icon[role=img]")
    assert icon.count() == 1
    assert icon.get_attribute("aria-label") == "Common cause variation"
    assert "Common cause variation" in page.locator("#measure-contacts").inner_text()
    assert "process limits" in page.locator("#measure-contacts").inner_text()
    # Rounded to 5, small numbers withheld, and the page says so.
    assert "Every count is rounded to the nearest 5" in main.inner_text()
    # Every month's figures are on the measure's page, with the same filters.
    page.locator("#measure-offered").get_by_role("link", name="Every month's figures").click()
    page.wait_for_url("**/dashboard/measures/offered/")
    assert page.locator("#table-offered tbody").inner_text().count("100.0%") == 12
    assert "How this is calculated" in page.locator("main").inner_text()
    page.go_back()
    page.locator("#measure-contacts").get_by_role("link", name="Every month's figures").click()
    contacts = page.locator("#table-contacts tbody tr").first.locator("td").first
    assert contacts.inner_text().split()[-1] == "25"  # 23 contacts in the first month
    page.goto("/dashboard/measures/supervision/")
    assert "withheld" in page.locator("#table-supervision").inner_text()  # one supporter
    page.goto("/dashboard/")

    # The filters go in the URL.
    page.get_by_label("Group").select_option("staff")
    page.get_by_role("button", name="Show measures").click()
    page.wait_for_url("**/dashboard/?*group=staff*")
    assert "Staff" in page.locator(".nhsuk-summary-list").first.inner_text()
    assert_accessible(page)

    # A mistake in the months is explained.
    page.get_by_label("Months to show").select_option("custom")
    page.get_by_role("button", name="Show measures").click()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible(page)

    # Without JavaScript the page and its filters work the same.
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        still = context.new_page()
        still.goto("/accounts/login/")
        still.fill("#id_login", manager.email)
        still.fill("#id_password", PASSWORD)
        still.get_by_role("button", name="Log in").click()
        still.goto("/dashboard/?period=24")
        assert still.locator("#measure-contacts figure svg[role=img]").count() == 1
        still.get_by_label("Group").select_option("families")
        still.get_by_role("button", name="Show measures").click()
        assert "group=families" in still.url
        assert "choose" in still.locator("#measure-staff_accessing").inner_text().lower()
    finally:
        context.close()
