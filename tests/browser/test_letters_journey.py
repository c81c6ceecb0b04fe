"""The team tries a failed message again, then prints a letter (its answer code appears only on
the printed page) and marks it posted: at a desk, then again on a 375x667 phone, with every
page checked by axe-core.

The phone journey runs in its own phone-sized browser context rather than by resizing the
desk one: the NHS.UK header moves links into its "More" menu on the next animation frame after
a resize, and axe-core run before that frame sees the links overflowing the header.
"""

import re

import pytest

from peersupport.models import MessageStatus
from tests.browser.conftest import assert_accessible, log_in
from tests.test_messages_pages import failed, offered_by_letter

SMALL_PHONE = {"width": 375, "height": 667}


def check(page, phone):
    assert_accessible(page)
    if phone:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SMALL_PHONE["width"], f"{page.url} is {width}px wide on a phone"


def retry_print_and_post(page, message, letter, *, phone=False):
    page.goto("/messages/")
    check(page, phone)
    assert page.get_by_text(message.last_error).is_visible()
    page.get_by_role("button", name=re.compile(f"^Try again.*{message.person.full_name}")).click()
    page.wait_for_url("**/messages/")
    assert page.get_by_text("we will try to send it again").is_visible()
    check(page, phone)
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING

    page.goto("/letters/")
    check(page, phone)
    person = letter.message.person
    page.get_by_role("link", name=re.compile(f"^{person.full_name}")).click()
    page.wait_for_url(f"**/letters/{letter.pk}/")
    check(page, phone)
    # The letter's page shows no answer code: it is made only when the letter is printed.
    assert page.get_by_role("img", name=re.compile("^QR code")).count() == 0
    assert page.get_by_text("needs an interpreter").is_visible()
    page.get_by_role("button", name="Print letter").click()

    page.wait_for_url(f"**/letters/{letter.pk}/print/")
    check(page, phone)
    assert page.locator(".app-letter__reference").inner_text() == f"Reference: {letter.reference}"
    assert page.get_by_role("img", name=re.compile("^QR code")).is_visible()
    assert page.get_by_text("needs an interpreter").is_visible()
    assert page.get_by_role("button", name="Print this letter").is_visible()

    # Printed, only the letter is left, in large print.
    page.emulate_media(media="print")
    assert page.locator("header.nhsuk-header").is_hidden()
    assert page.locator("footer.nhsuk-footer").is_hidden()
    assert page.get_by_role("button", name="Mark as posted").is_hidden()
    assert page.locator(".app-letter__reference").is_visible()
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.app-letter__body p')).fontSize)"
    )
    assert size >= 16 * 96 / 72  # at least 16pt
    page.emulate_media(media="screen")

    # Back on its page: who printed it, no code, and a reprint offered instead.
    page.get_by_role("link", name="Back to the letter's page").click()
    page.wait_for_url(f"**/letters/{letter.pk}/")
    check(page, phone)
    assert page.get_by_text(re.compile("^Printed on .* by ")).is_visible()
    assert page.get_by_role("img", name=re.compile("^QR code")).count() == 0
    assert page.get_by_role("button", name="Reprint letter").is_visible()

    page.get_by_role("button", name="Mark as posted").click()
    page.wait_for_url("**/letters/")
    assert page.get_by_text(f"Letter {letter.reference} marked as posted.").is_visible()
    check(page, phone)
    letter.refresh_from_db()
    assert letter.posted_at is not None and letter.copies == 1


@pytest.mark.django_db(transaction=True)
def test_team_retries_a_message_prints_a_letter_and_marks_it_posted(
    browser, live_server, page, team_user, review, supporter, second_supporter
):
    needs = {
        "accessible_formats": ["large_print"],
        "language": "Polish",
        "interpreter_needed": True,
    }
    desk_letter = offered_by_letter(
        review, team_user, supporter, full_name="Joan Whitfield", **needs
    )
    phone_letter = offered_by_letter(
        review, team_user, second_supporter, full_name="Pia Phone", **needs
    )
    desk_message = failed(desk_letter.message.person, error="No email address recorded.")
    phone_message = failed(phone_letter.message.person, error="Mailbox is full.")

    log_in(page, team_user.email)
    retry_print_and_post(page, desk_message, desk_letter)
    assert desk_letter.posted_by == team_user

    phone = browser.new_context(base_url=live_server.url, viewport=SMALL_PHONE, is_mobile=True)
    phone.set_default_timeout(10_000)
    phone_page = phone.new_page()
    phone_page.csp_violations = []
    phone_page.on(
        "console",
        lambda msg: (
            "Content Security Policy" in msg.text and phone_page.csp_violations.append(msg.text)
        ),
    )
    try:
        log_in(phone_page, team_user.email)
        retry_print_and_post(phone_page, phone_message, phone_letter, phone=True)
    finally:
        phone.close()
