"""The board pack in a real browser (issue 20): the summary and a measure's page pass axe-core
at a desk and on a phone, the summary prints on one A4 landscape sheet with the suppression
note, the printed pack holds every measure and every definition, printing the dashboard keeps
"How to read these charts", and printing a measure's page keeps "How this is calculated"."""

import io
import re

import pytest
from django.core.cache import cache
from pypdf import PdfReader

from peersupport.dashboard.definitions import MEASURES
from peersupport.roles import Role
from tests.browser.conftest import assert_accessible_on_phone_too, log_in
from tests.dashboard_data import months_of_support

A4_LANDSCAPE = (842, 595)  # points


def _pdf(page) -> PdfReader:
    page.emulate_media(media="print")
    return PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))


def _squeezed(text: str) -> str:
    """Text without its whitespace: a PDF breaks lines where the page did."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def manager_page(page, make_user, review):
    cache.clear()
    months_of_support(review)
    log_in(page, make_user(Role.MANAGER).email)
    return page


@pytest.mark.django_db(transaction=True)
def test_the_summary_and_a_measure_page_are_accessible_and_the_summary_fits_a_sheet(
    manager_page,
):
    page = manager_page
    page.goto("/dashboard/summary/")
    for measure in MEASURES:
        assert page.get_by_role("link", name=measure.name, exact=True).count() == 1
    assert_accessible_on_phone_too(page)

    pdf = _pdf(page)
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert (round(box.width), round(box.height)) == A4_LANDSCAPE
    text = _squeezed(pdf.pages[0].extract_text())
    assert _squeezed("Figures are totals only: no one is named.") in text
    for measure in MEASURES:
        assert _squeezed(measure.name) in text, measure.slug

    page.emulate_media(media="screen")
    page.get_by_role("link", name="Contacts", exact=True).click()
    page.wait_for_url("**/dashboard/measures/contacts/")
    chart = page.locator("figure svg[role=img]")
    assert chart.locator("text.app-dashboard__axis-title").count() == 2
    assert page.locator("#table-contacts tbody tr").count() == 12
    assert "How this is calculated" in page.locator("main").inner_text()
    assert_accessible_on_phone_too(page)


@pytest.mark.django_db(transaction=True)
def test_the_printed_pack_holds_every_measure_and_every_definition(manager_page):
    page = manager_page
    page.goto("/dashboard/pack/?leadership=on")
    pdf = _pdf(page)
    pages = [page_.extract_text() for page_ in pdf.pages]
    assert len(pages) > len(MEASURES)  # the summary, a page each, definitions, how to read
    text = _squeezed(" ".join(pages))
    for measure in MEASURES:
        assert _squeezed(measure.name) in text, measure.slug
        for part in (measure.numerator, measure.denominator, measure.exclusions, measure.source):
            assert _squeezed(part) in text, (measure.slug, part)
    assert _squeezed("How to read the charts") in text
    assert _squeezed("For a business case") in text
    # The running header on every printed page: the organisation, filters, when counted.
    for number, page_text in enumerate(pages, start=1):
        assert _squeezed("Peer support measures · All organisations") in _squeezed(page_text), (
            number
        )
        assert "counted" in page_text, number


@pytest.mark.django_db(transaction=True)
def test_printing_the_dashboard_keeps_how_to_read_and_a_measure_page_its_definition(
    manager_page,
):
    page = manager_page
    page.goto("/dashboard/")
    page.emulate_media(media="print")
    assert page.locator(".nhsuk-details__text", has_text="Each chart is a statistical").is_visible()
    text = _squeezed(" ".join(p.extract_text() for p in _pdf(page).pages))
    assert _squeezed("Each chart is a statistical process control (XmR) chart.") in text
    contacts = next(m for m in MEASURES if m.slug == "contacts")
    assert _squeezed(contacts.name) in text
    page.goto("/dashboard/measures/contacts/")
    text = _squeezed(" ".join(p.extract_text() for p in _pdf(page).pages))
    assert _squeezed("How this is calculated") in text
    assert _squeezed(contacts.numerator) in text
