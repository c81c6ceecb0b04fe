"""The pages a person reaches from a message speak to the reader the message spoke to: a member
of staff hears from the staff support service about a colleague, never the family's words about
"the learning and investigations team" and "while we look into what happened"."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from feedback.invitations import survey_url
from feedback.offer_links import offer_answer_url
from incidents.models import PersonKind
from incidents.services import record_consent
from supporters import services
from supporters.models import CloseReason, Pool
from tests.factories import AffectedPersonFactory

pytestmark = pytest.mark.django_db

FAMILY_WORDS = ("learning and investigations team", "while we look into what happened")


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_peer(make_supporter):
    return make_supporter("staff.peer@example.org", first_name="Jo", pool=Pool.STAFF)


def path_of(url):
    return url[len(settings.SITE_URL.rstrip("/")) :]


def person_of(kind, review, team_user):
    person = AffectedPersonFactory(
        review=review,
        kind=kind,
        full_name="Robin Ashworth",
        preferred_name="Robin",
        email="robin@example.org",
        consent_to_contact="not_asked",
        consent_to_share="not_asked",
    )
    record_consent(person, "contact", "given", "phone", by=team_user)
    record_consent(person, "share", "given", "phone", by=team_user)
    person.refresh_from_db()
    return person


def offer_page(client, person, supporter, team_user):
    waiting = services.open_offer(person)
    offer = services.assign_supporter(waiting, supporter, by=team_user, via="phone")
    client.get(path_of(offer_answer_url(offer)))
    return offer, client.get(reverse("feedback:offer_answer")).content.decode()


def test_a_member_of_staff_answering_their_offer_reads_the_staff_words(
    client, review, team_user, staff_peer
):
    person = person_of(PersonKind.STAFF, review, team_user)
    _, page = offer_page(client, person, staff_peer, team_user)
    assert "staff support service" in page
    assert "colleague" in page
    for words in FAMILY_WORDS:
        assert words not in page


def test_a_family_answering_their_offer_still_reads_the_family_words(
    client, review, team_user, supporter
):
    person = person_of(PersonKind.FAMILY, review, team_user)
    _, page = offer_page(client, person, supporter, team_user)
    assert "learning and investigations team" in page
    assert "staff support service" not in page


def test_a_member_of_staff_who_declines_is_not_told_about_a_review(
    client, review, team_user, staff_peer
):
    person = person_of(PersonKind.STAFF, review, team_user)
    offer_page(client, person, staff_peer, team_user)
    client.post(reverse("feedback:offer_answer"), {"answer": "declined", "reason": ""})
    thanks = client.get(reverse("feedback:offer_thanks")).content.decode()
    assert "You said no, thank you" in thanks
    assert "the review itself" not in thanks


def test_a_member_of_staff_asked_about_their_support_reads_the_staff_words(
    client, review, team_user, staff_peer
):
    person = person_of(PersonKind.STAFF, review, team_user)
    offer, _ = offer_page(client, person, staff_peer, team_user)
    services.record_answer(offer, "accepted", by=team_user)
    services.close_support(offer, CloseReason.NATURAL_END, by=team_user)
    invitation = person.survey_invitations.get()
    client.get(path_of(survey_url(invitation)))
    page = client.get(reverse("feedback:survey")).content.decode()
    assert "staff support service" in page
    for words in FAMILY_WORDS:
        assert words not in page
