"""A manager opens the measures dashboard: every measure is there with its chart and table,
the filters work (with and without JavaScript), and the page passes axe-core at a desk and on
a small phone."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from feedback.models import Answer, Invitation, Question, Response
from feedback.services import questionnaire as questionnaire_for
from incidents.models import AffectedPerson, ConsentRecord
from peersupport.dashboard.definitions import BY_SLUG, MEASURES
from peersupport.dashboard.filters import Filters, add_months, uk_midnight
from peersupport.roles import Role
from supporters.models import (
    Contact,
    OfferStatusChange,
    SupervisionSession,
    SupporterStatusChange,
    SupportOffer,
    WellbeingCheckIn,
)
from tests.browser.conftest import assert_accessible, assert_accessible_on_phone_too, log_in
from tests.conftest import PASSWORD
from tests.factories import AffectedPersonFactory, PeerSupporterFactory, UserFactory


def _twelve_months_of_support(review):
    """Ten people a month for the last twelve complete months (counts of 1 to 7 are withheld),
    each logged and offered within days, accepting, with contacts and a survey; supporters
    active, supervised and checking in. The contacts go 23, 28, 33 a month in turn, so that
    chart has process limits and a variation icon; the rest are the same every month."""
    organisation = review.organisation
    supporter = PeerSupporterFactory(organisations=[organisation], capacity=80)
    SupporterStatusChange.objects.create(
        supporter=supporter, to_status="active", changed_at=timezone.now() - timedelta(days=800)
    )
    supervisor = UserFactory()
    # Ten more supporters, still in training (so no caseload or supervision), each checking
    # in once a month: the feelings measures count supporters, not check-ins.
    checkers = [
        PeerSupporterFactory(organisations=[organisation], status="in_training") for _ in range(10)
    ]
    # Restored if a browser test before this one flushed the migrations' rows.
    questionnaire = questionnaire_for("families-and-service-users")
    version = questionnaire.current_version
    questions = {q.code: q for q in Question.objects.filter(version=version)}
    first = Filters.last(12).first_month
    for index in range(12):
        month = add_months(first, index)
        when = uk_midnight(month) + timedelta(days=3, hours=10)
        SupervisionSession.objects.create(
            supporter=supporter, supervisor=supervisor, held_on=month + timedelta(days=20)
        )
        for n in range(10):
            person = AffectedPersonFactory(review=review, full_name=f"Person {index}-{n}")
            AffectedPerson.objects.filter(pk=person.pk).update(created_at=when)
            ConsentRecord.objects.create(
                person=person, kind="contact", decision="given", method="phone", recorded_at=when
            )
            offer = SupportOffer.objects.create(
                person=person,
                supporter=supporter,
                status="active",
                created_at=when,
                offered_at=when + timedelta(days=n % 3),
                answered_at=when + timedelta(days=4),
            )
            OfferStatusChange.objects.create(
                offer=offer, to_status="accepted", changed_at=when + timedelta(days=4)
            )
            extra = (index % 3) * 5 if n == 0 else 0
            for day in range(n % 4 + 1 + extra):
                Contact.objects.create(
                    offer=offer,
                    supporter=supporter,
                    happened_on=month + timedelta(days=5 + day),
                    mode="phone",
                    minutes=30,
                )
            invitation = Invitation.objects.create(
                questionnaire=questionnaire,
                person=person,
                organisation=organisation,
                expires_at=when + timedelta(days=40),
                completed_at=when + timedelta(days=10),
            )
            response = Response.objects.create(
                invitation=invitation,
                version=version,
                submitted_at=when + timedelta(days=10),
                group="family",
                organisation=organisation,
                service=review.service,
            )
            for code, value in (
                ("satisfaction", 5 if n < 5 else 4),  # a complement of 1 to 7 is withheld
                ("engage_with_review", 4),
                ("supported_by_process", 4 + n % 2),
                ("fft", 1 + n % 2),
            ):
                Answer.objects.create(response=response, question=questions[code], value=value)
            WellbeingCheckIn.objects.create(
                supporter=checkers[n], empowered=4 + n % 2, coping=4 + n % 2, created_at=when
            )


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
    _twelve_months_of_support(review)
    manager = make_user(Role.MANAGER)
    log_in(page, manager.email)
    page.wait_for_url("**/dashboard/")
    main = page.locator("main")
    assert page.locator("h1").inner_text() == "Measures"
    for measure in MEASURES:
        section = page.locator(f"#measure-{measure.slug}")
        assert section.is_visible(), measure.slug
        assert measure.name in section.inner_text()
        assert section.locator(f"#table-{measure.slug} tbody tr").count() == 12, measure.slug
        assert "How this is calculated" in section.inner_text()
    # A chart wherever there is something to chart (one supporter is too few to show, and
    # no support has ended yet).
    for slug in CHARTED:
        chart = page.locator(f"#measure-{slug} figure svg[role=img]")
        assert chart.count() == 1, slug
        assert chart.locator("title").text_content().startswith(BY_SLUG[slug].name)
        assert "The table beside the chart" in chart.locator("desc").text_content()
    # The headline: everyone offered, every month. A flat 100% has no variation, so no limits,
    # no variation icon and no assurance verdict either way; the page says why.
    offered = page.locator("#measure-offered")
    assert "100.0%" in offered.inner_text()
    assert offered.locator("#table-offered tbody").inner_text().count("100.0%") == 12
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
    assert "Margaret" not in main.inner_text()  # no names, only figures
    # Rounded to 5, small numbers withheld, and the page says so.
    assert "Every count is rounded to the nearest 5" in main.inner_text()
    contacts = page.locator("#table-contacts tbody tr").first.locator("td").first
    assert contacts.inner_text().split()[-1] == "25"  # 23 contacts in the first month
    assert "withheld" in page.locator("#table-supervision").inner_text()  # one supporter
    assert_accessible_on_phone_too(page)

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
