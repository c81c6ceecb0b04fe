"""How support ends: the team closes it, first choice "support came to a natural end"; the
survey still goes; the demo closes most support that way; and the supporter's old link to the
person says support has ended and who to contact, never who the person is."""

import re

import pytest
from django.urls import reverse

from feedback.models import Invitation
from incidents.validators import display_phone
from peersupport.models import AuditEvent
from supporters import services
from supporters.models import (
    CloseReason,
    CodeOfConduct,
    OfferStatus,
    SupporterStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def supported(consenting_person, supporter, team_user):
    """Joan's support with the supporter, accepted."""
    waiting = consenting_person.offers.get(status=OfferStatus.NEEDS_SUPPORTER)
    offer = services.assign_supporter(waiting, supporter, by=team_user, via="phone")
    return services.record_answer(offer, "accepted", by=team_user)


def _page(response):
    assert response.status_code == 200
    return response.content.decode()


# The team closes support: natural end, first -------------------------------------------------


def test_the_close_form_offers_natural_end_first(client_for, team_user, supported):
    page = _page(client_for(team_user).get(reverse("supporters:offer_close", args=[supported.pk])))
    values = re.findall(r'name="reason"[^>]*value="([^"]+)"', page) or re.findall(
        r'value="([^"]+)"[^>]*name="reason"', page
    )
    assert values[0] == CloseReason.NATURAL_END
    assert "Support came to a natural end" in page
    assert CloseReason.REASSIGNED not in values


def test_closing_at_a_natural_end_closes_audits_invites_and_shows_in_the_history(
    client_for, team_user, supported
):
    client = client_for(team_user)
    response = client.post(
        reverse("supporters:offer_close", args=[supported.pk]),
        {"reason": CloseReason.NATURAL_END},
    )
    assert response.status_code == 302
    supported.refresh_from_db()
    assert supported.status == OfferStatus.CLOSED
    assert supported.close_reason == CloseReason.NATURAL_END
    assert supported.closed_at is not None
    assert supported.status_changes.last().note == "Support came to a natural end"
    event = AuditEvent.objects.get(action="offer.closed")
    assert event.detail["reason"] == CloseReason.NATURAL_END
    assert (event.object_type, event.object_id) == ("supporters.supportoffer", str(supported.pk))
    # The survey about their support still goes (supporters.hooks.support_closed).
    assert Invitation.objects.filter(offer=supported).exists()
    page = _page(client.get(reverse("incidents:person_detail", args=[supported.person_id])))
    assert "support came to a natural end" in page


def test_the_demo_closes_most_ordinary_support_at_a_natural_end():
    """Most support that closes (not moved on to specialist help, not reassigned) has come to a
    natural end, in the demo's stories and in its scale data alike."""
    from peersupport.demo import offers_scale
    from peersupport.demo.supporters_data import STORIES

    unusual = {CloseReason.SPECIALIST, CloseReason.REASSIGNED}
    reasons = [
        step.reason
        for story in STORIES
        for step in story.steps
        if step.action == "close" and step.reason not in unusual
    ]
    assert reasons
    assert reasons.count(CloseReason.NATURAL_END) * 2 > len(reasons)
    for outcomes in (
        offers_scale.OUTCOMES_CLOSED_REVIEW,
        offers_scale.OUTCOMES_OPEN_REVIEW,
        offers_scale.OUTCOMES_WHEN_FULL,
    ):
        ordinary = {
            outcome: weight
            for outcome, weight in outcomes
            if offers_scale.PATHS[outcome][-1] == "closed"
            and outcome not in (*unusual, "reassigned", "unmatched")
        }
        assert ordinary.get(CloseReason.NATURAL_END, 0) * 2 > sum(ordinary.values()), outcomes


# The supporter's old link once support has ended -------------------------------------------


def _ended_page(client, offer):
    response = client.get(reverse("supporters:my_person", args=[offer.pk]))
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "supporters/support_ended.html"
    return response.content.decode()


def _assert_nothing_about_the_person(page, person):
    shown_phone = display_phone(person.phone)
    for detail in (person.full_name, person.preferred_name, person.email, shown_phone):
        assert not detail or detail not in page
    assert person.review.reference not in page


def test_after_closing_the_supporters_old_link_says_support_has_ended(
    client_for, team_user, supported, organisation
):
    person = supported.person
    services.close_support(supported, CloseReason.NATURAL_END, by=team_user)
    page = _ended_page(client_for(supported.supporter.user), supported)
    assert "This support has ended" in page
    _assert_nothing_about_the_person(page, person)
    # Who to contact: the team of the person's organisation, and its phone number.
    assert organisation.name in page
    assert "0300 123 4567" in page and 'href="tel:03001234567"' in page
    assert f'href="{reverse("supporters:my_people")}"' in page
    # No link on to anything about the person.
    for name in ("practice:contact_add", "practice:concern_raise"):
        assert reverse(name, args=[supported.pk]) not in page


def test_the_ended_page_is_audited_without_details(client_for, team_user, supported):
    services.close_support(supported, CloseReason.NATURAL_END, by=team_user)
    before = AuditEvent.objects.filter(action="person.viewed").count()
    _ended_page(client_for(supported.supporter.user), supported)
    event = AuditEvent.objects.get(action="support_ended.viewed")
    assert event.actor == supported.supporter.user
    assert (event.object_type, event.object_id) == ("supporters.supportoffer", str(supported.pk))
    assert event.detail == {"by_role": "supporter"}
    # Not a view of the person: the page shows nothing about them.
    assert AuditEvent.objects.filter(action="person.viewed").count() == before


def test_an_offer_declined_or_put_off_until_later_also_shows_the_ended_page(
    client_for, consenting_person, person, supporter, team_user
):
    from incidents.services import record_consent

    record_consent(person, "contact", "given", "phone", by=team_user)
    client = client_for(supporter.user)
    for who, answer in ((consenting_person, "declined"), (person, "later")):
        waiting = who.offers.get(status=OfferStatus.NEEDS_SUPPORTER)
        offer = services.assign_supporter(waiting, supporter, by=team_user, via="phone")
        services.record_answer(offer, answer, by=team_user)
        _assert_nothing_about_the_person(_ended_page(client, offer), who)


def test_after_reassignment_the_old_supporter_sees_the_ended_page_and_the_new_one_the_person(
    client_for, team_user, supported, second_supporter
):
    new = services.reassign(supported, second_supporter, by=team_user)
    supported.refresh_from_db()
    assert supported.close_reason == CloseReason.REASSIGNED
    _assert_nothing_about_the_person(
        _ended_page(client_for(supported.supporter.user), supported), supported.person
    )
    newcomer = client_for(second_supporter.user)
    # The old offer was never the new supporter's: 404, as before.
    assert newcomer.get(reverse("supporters:my_person", args=[supported.pk])).status_code == 404
    assert supported.person.full_name in _page(
        newcomer.get(reverse("supporters:my_person", args=[new.pk]))
    )


def test_someone_elses_ended_offer_still_answers_404(
    client_for, team_user, supported, second_supporter, make_user
):
    from peersupport.roles import Role

    services.close_support(supported, CloseReason.NATURAL_END, by=team_user)
    url = reverse("supporters:my_person", args=[supported.pk])
    assert client_for(second_supporter.user).get(url).status_code == 404
    # A supporter login with no supporter record, too.
    assert client_for(make_user(Role.SUPPORTER)).get(url).status_code == 404
    from supporters.access import ended_assignment_for_supporter

    assert ended_assignment_for_supporter(second_supporter.user, supported.pk) is None


def test_a_supporter_who_has_left_gets_404_for_ended_support(client_for, team_user, supported):
    services.close_support(supported, CloseReason.NATURAL_END, by=team_user)
    services.change_supporter_status(supported.supporter, SupporterStatus.LEFT, by=team_user)
    url = reverse("supporters:my_person", args=[supported.pk])
    assert client_for(supported.supporter.user).get(url).status_code == 404


def test_the_ended_page_does_not_ask_for_the_code_of_conduct_first(
    client_for, team_user, supported
):
    services.close_support(supported, CloseReason.NATURAL_END, by=team_user)
    CodeOfConduct.objects.create(version=99, text="A new version.")
    client = client_for(supported.supporter.user)
    assert "This support has ended" in _ended_page(client, supported)


def test_current_support_still_asks_for_the_code_of_conduct_first(client_for, supported):
    CodeOfConduct.objects.create(version=99, text="A new version.")
    response = client_for(supported.supporter.user).get(
        reverse("supporters:my_person", args=[supported.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("supporters:code_of_conduct")


def test_without_a_phone_number_the_page_still_says_who_to_contact(
    client_for, team_user, supported, organisation
):
    organisation.phone = ""
    organisation.save()
    services.close_support(supported, CloseReason.NATURAL_END, by=team_user)
    page = _ended_page(client_for(supported.supporter.user), supported)
    assert organisation.name in page
    assert "ask your supervisor" in page
