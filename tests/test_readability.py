"""Reading grade (Flesch–Kincaid, worked out offline by peersupport.readability): every public
page and message for families at grade 6 or below, the statutory pages at grade 8 or below."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from incidents.models import ReferralCloseReason, ReferralKind
from incidents.referrals import close_referral, submit_referral
from peersupport.outbox import sweep
from peersupport.public_page_defaults import DEFAULTS
from peersupport.readability import grade, syllables, text_of_html
from supporters.views_public import GUIDES

FAMILY_GRADE = 6
STATUTORY_GRADE = 8


def test_syllables_are_counted_by_rule_of_thumb():
    counts = {
        "the": 1, "care": 1, "support": 2, "people": 2, "review": 2, "family": 3,
        "period": 3, "information": 4, "anniversary": 5, "organisation": 5,
    }  # fmt: skip
    assert {word: syllables(word) for word in counts} == counts


def test_the_grade_rises_with_long_words_and_long_sentences():
    plain = "We will call you. You can say no. It is free."
    dense = (
        "Organisational accountability considerations necessitate comprehensive"
        " investigative documentation, notwithstanding individual circumstances."
    )
    assert grade(plain) < 1 < FAMILY_GRADE < 20 < grade(dense)
    assert grade("") == 0


def test_only_what_a_reader_sees_in_the_main_content_counts():
    html = (
        "<header>Skip me</header><main><h1>Title here</h1><p>One line.<br>Two</p>"
        '<div aria-hidden="true"><label>Leave this box empty</label></div>'
        "<script>var x = 1;</script><ul><li>a list item</li></ul></main><footer>No</footer>"
    )
    assert text_of_html(html) == "Title here\nOne line.\nTwo\na list item"


def _family_pages():
    yield reverse("public:families")
    for slug in GUIDES:
        yield reverse("public:family_guide", args=[slug])
    yield reverse("public:family_request")
    yield reverse("public:family_request_thanks")
    yield reverse("public:resources")


@pytest.mark.django_db
@pytest.mark.parametrize("path", list(_family_pages()))
def test_each_public_page_for_families_reads_at_grade_6(client, organisation, path):
    text = text_of_html(client.get(path).content.decode())
    assert len(text.split()) > 30, text
    assert grade(text) <= FAMILY_GRADE, (path, grade(text))


@pytest.mark.django_db
def test_the_form_s_messages_read_at_grade_6(client, organisation):
    cache.clear()
    response = client.post(
        reverse("public:family_request"),
        {"kind": "", "name": "", "email": "not an email", "contact_how": "", "needs": "x" * 600},
    )
    text = text_of_html(response.content.decode())
    assert "There is a problem" in text
    assert grade(text) <= FAMILY_GRADE, grade(text)


@pytest.mark.django_db
def test_messages_to_a_family_read_at_grade_6(organisation, team_user):
    referral = submit_referral(
        kind=ReferralKind.FAMILY,
        organisation=organisation,
        name="Helen Marsh",
        email="helen.marsh@example.com",
        phone="",
        review_reference="",
        needs="",
        contact_how="email",
        contact_when="",
    )
    sweep()
    close_referral(referral, by=team_user, reason=ReferralCloseReason.IN_ERROR)
    sweep()
    assert len(mail.outbox) == 2
    for email in mail.outbox:
        assert grade(email.body) <= FAMILY_GRADE, (email.subject, grade(email.body))


@pytest.mark.parametrize("slug", sorted(DEFAULTS))
def test_the_statutory_pages_default_text_reads_at_grade_8(slug):
    title, body = DEFAULTS[slug]
    assert grade(body) <= STATUTORY_GRADE, (title, grade(body))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["public:privacy", "public:accessibility"])
def test_the_statutory_pages_as_shown_read_at_grade_8(client, name):
    text = text_of_html(client.get(reverse(name)).content.decode())
    assert grade(text) <= STATUTORY_GRADE, (name, grade(text))
