"""Concerns about a person, where they are followed up: on the team's person page (only the
concerns the viewer may open, each linked to its page, read without N+1) and, for the supporter
who raised one, on their own page about the person (whether it was acknowledged, when, and what
the team did, never who on the team did it)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peersupport.models import AuditEvent
from peersupport.roles import Role
from supporters import services
from supporters.practice import services as practice
from tests.factories import TeamMemberFactory

pytestmark = pytest.mark.django_db
DETAILS = "Quokka-details-3317: said she could not go on"
ACTION = "Phoned her GP, who is seeing her today."


@pytest.fixture
def offer(consenting_person, supporter, team_user):
    """The supporter's accepted offer to Joan (whose review `team_user` leads)."""
    waiting = services.open_offer(consenting_person)
    offer = services.assign_supporter(waiting, supporter, by=team_user, via="phone")
    return services.record_answer(offer, "accepted", by=team_user)


@pytest.fixture
def colleague(make_user, organisation):
    """A team member of the same organisation, named on no review."""
    user = make_user(Role.TEAM, "colleague@example.org", first_name="Cal", last_name="Colleague")
    TeamMemberFactory(user=user, organisation=organisation)
    return user


def person_concerns(person, user):
    from supporters.templatetags.supporters_tags import person_concerns

    return person_concerns(person, user)


def my_concerns(offer, user):
    from supporters.templatetags.supporters_tags import my_concerns

    return my_concerns(offer, user)


def _raise(offer, kind="self_harm"):
    return practice.raise_concern(offer, offer.supporter, kind=kind, details=DETAILS)


def _person_page(client_for, user, person):
    response = client_for(user).get(reverse("incidents:person_detail", args=[person.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _concerns_section(page):
    start = page.index('id="concerns"')
    return page[start : page.index('id="contacts"', start)]


# The team's person page ---------------------------------------------------------------------


def test_an_open_concern_shows_on_the_persons_page_linked_to_its_page(client_for, team_user, offer):
    concern = _raise(offer)
    section = _concerns_section(_person_page(client_for, team_user, offer.person))
    assert reverse("oversight:concern_detail", args=[concern.pk]) in section
    assert "Risk of harm to themselves" in section
    assert "Open: needs acknowledging" in section
    assert str(offer.supporter) in section  # who raised it
    assert concern.raised_at.strftime("%Y") in section  # when
    # What the supporter wrote stays on the concern's own page, where opening it is audited.
    assert DETAILS not in section


def test_an_acknowledged_concern_shows_who_acknowledged_it_when_and_what_they_did(
    client_for, team_user, colleague, offer
):
    concern = _raise(offer)
    practice.acknowledge_concern(concern, by=colleague, action_taken=ACTION)
    section = _concerns_section(_person_page(client_for, team_user, offer.person))
    assert "Acknowledged" in section
    assert "Open: needs acknowledging" not in section
    assert str(colleague) in section
    assert ACTION in section
    assert reverse("oversight:concern_detail", args=[concern.pk]) in section


def test_open_concerns_come_before_acknowledged_ones(client_for, team_user, offer):
    older = _raise(offer, kind="safeguarding")
    practice.acknowledge_concern(older, by=team_user, action_taken=ACTION)
    newer = _raise(offer, kind="harm_to_others")
    assert [c.pk for c in person_concerns(offer.person, team_user)] == [newer.pk, older.pk]
    section = _concerns_section(_person_page(client_for, team_user, offer.person))
    assert section.index("Risk of harm to others") < section.index("Safeguarding")


def test_without_concerns_the_section_says_so(client_for, team_user, offer):
    section = _concerns_section(_person_page(client_for, team_user, offer.person))
    assert "No concerns have been raised" in section


def test_only_concerns_the_viewer_may_open_are_listed(
    team_user, colleague, offer, make_user, other_team_user
):
    concern = _raise(offer)
    assert [c.pk for c in person_concerns(offer.person, colleague)] == [concern.pk]
    # Another organisation's team, a manager and a supporter open none.
    for user in (
        other_team_user,
        make_user(Role.MANAGER),
        offer.supporter.user,
    ):
        assert person_concerns(offer.person, user) == []
    # A restricted review: only those named on it.
    review = offer.person.review
    review.restricted = True
    review.save()
    assert person_concerns(offer.person, colleague) == []
    assert [c.pk for c in person_concerns(offer.person, team_user)] == [concern.pk]


def test_the_section_reads_its_concerns_in_a_fixed_number_of_queries(
    client_for, team_user, colleague, offer, second_supporter
):
    _raise(offer)
    client = client_for(team_user)
    url = reverse("incidents:person_detail", args=[offer.person_id])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    # More concerns, by another supporter (after a reassignment), acknowledged by others.
    practice.acknowledge_concern(_raise(offer), by=colleague, action_taken=ACTION)
    new = services.reassign(offer, second_supporter, by=team_user)
    practice.acknowledge_concern(_raise(new), by=team_user, action_taken=ACTION)
    _raise(new, kind="safeguarding")
    assert len(person_concerns(offer.person, team_user)) == 4
    with CaptureQueriesContext(connection) as four:
        assert client.get(url).status_code == 200
    # The support history gains a row (the new offer), which the page reads in one query.
    assert len(four) == len(one)


def test_the_persons_page_is_still_audited(client_for, team_user, offer):
    _raise(offer)
    _person_page(client_for, team_user, offer.person)
    assert AuditEvent.objects.filter(
        action="person.viewed", actor=team_user, object_id=str(offer.person_id)
    ).exists()


# The supporter's own page about the person ---------------------------------------------------


def _my_person(client_for, supporter, offer):
    response = client_for(supporter.user).get(reverse("supporters:my_person", args=[offer.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_supporter_who_raised_a_concern_sees_it_is_waiting(client_for, offer):
    _raise(offer)
    page = _my_person(client_for, offer.supporter, offer)
    assert "Concerns you raised" in page
    assert "Risk of harm to themselves" in page
    assert "Not acknowledged yet" in page
    assert "What the team did" not in page


def test_the_supporter_sees_when_it_was_acknowledged_and_what_the_team_did_not_by_whom(
    client_for, colleague, offer
):
    concern = _raise(offer)
    practice.acknowledge_concern(concern, by=colleague, action_taken=ACTION)
    page = _my_person(client_for, offer.supporter, offer)
    assert "Acknowledged" in page
    assert "What the team did" in page
    assert ACTION in page
    concern.refresh_from_db()
    assert concern.acknowledged_at.strftime("%Y") in page
    # Nothing staff-only: not who acknowledged it, nor links to the team's pages.
    for staff_only in (str(colleague), colleague.email, colleague.last_name):
        assert staff_only not in page
    assert reverse("oversight:concern_detail", args=[concern.pk]) not in page
    assert reverse("incidents:person_detail", args=[offer.person_id]) not in page


def test_a_later_supporter_of_the_same_person_does_not_see_the_concern(
    client_for, team_user, colleague, offer, second_supporter
):
    concern = _raise(offer)
    practice.acknowledge_concern(concern, by=colleague, action_taken=ACTION)
    new = services.reassign(offer, second_supporter, by=team_user)
    page = _my_person(client_for, second_supporter, new)
    assert "Concerns you raised" not in page
    assert ACTION not in page
    assert my_concerns(new, second_supporter.user) == []
    # The supporter who raised it still sees it if they support the person again.
    again = services.reassign(new, offer.supporter, by=team_user)
    assert [c.pk for c in my_concerns(again, offer.supporter.user)] == [concern.pk]
