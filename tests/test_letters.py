"""A letter's answer link is made once, when the letter is printed, and recorded by its hash;
opening the letter's page makes none and shows none; a reprint revokes the copy printed before.
"""

import hashlib
from unittest import mock

import pytest

from feedback import tokens
from feedback.models import AccessToken
from feedback.offer_links import OFFER_ANSWER
from peersupport.models import AuditEvent
from peersupport.roles import Role
from tests.factories import TeamMemberFactory
from tests.test_messages_pages import offered_by_letter

pytestmark = pytest.mark.django_db


def page_of(letter):
    return f"/letters/{letter.pk}/"


def print_of(letter):
    return f"/letters/{letter.pk}/print/"


def usable_links(person):
    return AccessToken.objects.usable(OFFER_ANSWER).filter(person=person)


def printed(client, letter, copies):
    """Print the letter; the response and the plain tokens made while printing it."""
    issued = []
    real_issue = tokens.issue

    def issue(*args, **kwargs):
        issued.append(real_issue(*args, **kwargs))
        return issued[-1]

    with mock.patch("feedback.tokens.issue", side_effect=issue):
        response = client.post(print_of(letter), {"copies": str(copies)})
    return response, issued


@pytest.fixture
def letter(review, team_user, supporter):
    return offered_by_letter(review, team_user, supporter, full_name="Joan Whitfield")


def test_opening_a_letters_page_makes_no_answer_link_and_shows_none(
    letter, client_for, team_user, make_user
):
    """On today's main every opening of the page made a new link, shown as a QR code, so any
    team member who could see the person could answer the offer as them."""
    person = letter.message.person
    colleague = make_user(Role.TEAM)
    TeamMemberFactory(user=colleague, organisation=person.organisation)
    for user in (team_user, colleague, team_user):
        response = client_for(user).get(page_of(letter))
        assert response.status_code == 200
        assert "app-letter__qr" not in response.content.decode()
    assert not usable_links(person).exists()
    assert AuditEvent.objects.filter(action="letter.viewed", object_id=str(letter.pk)).count() == 3


def test_printing_makes_one_link_records_its_hash_and_the_page_then_says_who_printed_it(
    letter, client_for, team_user
):
    client = client_for(team_user)
    response, (plain,) = printed(client, letter, copies=0)
    assert response.status_code == 200
    assert '<svg role="img" aria-label="QR code' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    letter.refresh_from_db()
    assert letter.copies == 1 and letter.printed_by == team_user
    assert letter.link_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert list(usable_links(letter.message.person).values_list("token_hash", flat=True)) == [
        letter.link_hash
    ]
    event = AuditEvent.objects.get(action="letter.printed", object_id=str(letter.pk))
    assert event.actor == team_user and event.detail["copy"] == 1 and event.detail["link"]

    again = client.get(page_of(letter)).content.decode()
    assert "app-letter__qr" not in again and plain not in again
    assert f"by {team_user.get_full_name() or team_user.email}" in again
    assert "Reprint letter" in again and "Reprint to get a new copy" in again
    assert usable_links(letter.message.person).count() == 1


def test_a_reprint_revokes_the_link_in_the_copy_printed_before(letter, client_for, team_user):
    client = client_for(team_user)
    _, (first,) = printed(client, letter, copies=0)
    response, (second,) = printed(client, letter, copies=1)
    assert "the code in the copy printed before no longer works" in response.content.decode()

    assert client.get(f"/offer/t/{first}/").status_code == 404
    assert client.get(f"/offer/t/{second}/").status_code == 302
    letter.refresh_from_db()
    assert letter.copies == 2 and letter.link_hash == hashlib.sha256(second.encode()).hexdigest()
    event = AuditEvent.objects.get(action="letter.reprinted", object_id=str(letter.pk))
    assert event.detail["copy"] == 2 and event.detail["previous_link_revoked"] is True


def test_sending_the_same_print_again_prints_nothing_and_keeps_the_printed_copy_working(
    letter, client_for, team_user
):
    """Reloading the printed page resends its form: that must not revoke the copy in hand."""
    client = client_for(team_user)
    _, (plain,) = printed(client, letter, copies=0)
    response, issued = printed(client, letter, copies=0)
    assert response.status_code == 302 and response["Location"] == page_of(letter)
    assert issued == []
    letter.refresh_from_db()
    assert letter.copies == 1
    assert tokens.find(OFFER_ANSWER, plain) is not None
    assert not AuditEvent.objects.filter(action="letter.reprinted").exists()


@pytest.mark.parametrize("copies", ["", "x", "-1", "9" * 20])
def test_a_print_without_a_sensible_copy_count_prints_nothing(
    letter, client_for, team_user, copies
):
    response = client_for(team_user).post(print_of(letter), {"copies": copies})
    assert response.status_code == 302 and response["Location"] == page_of(letter)
    letter.refresh_from_db()
    assert letter.copies == 0 and not usable_links(letter.message.person).exists()


def test_the_letters_page_cannot_be_printed_by_get(letter, client_for, team_user):
    assert client_for(team_user).get(print_of(letter)).status_code == 405
    assert not usable_links(letter.message.person).exists()
