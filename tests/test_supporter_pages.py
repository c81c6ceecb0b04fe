"""The team's supporter pages and the supporter's own, through the views: who the supporter
detail page names, a supporter who has left, assigning across pools, reassigning, and the
people of a supporter who leaves going on the reassignment queue."""

import pytest
from django.urls import reverse

from incidents.selectors import work_queue_for
from peersupport.models import Message
from peersupport.roles import Role
from supporters import services
from supporters.models import (
    CloseReason,
    OfferStatus,
    Pool,
    ReassignmentTask,
    SupporterStatus,
    SupportOffer,
)
from tests.factories import (
    AffectedPersonFactory,
    ReviewFactory,
    SupportOfferFactory,
    TeamMemberFactory,
)

pytestmark = pytest.mark.django_db


def accepted_offer(person, supporter, team_user):
    offer = services.assign_supporter(
        services.open_offer(person), supporter, by=team_user, via="phone"
    )
    return services.record_answer(offer, "accepted", by=team_user)


# The supporter detail page names only the people the viewer may see ----------------------


@pytest.fixture
def shared_supporter(
    make_supporter, organisation, other_organisation, review, team_user, other_team_user
):
    """A supporter serving both organisations, with one person in an open review of each and
    one in a restricted review of the first that only its lead investigator is named on."""
    supporter = make_supporter(
        "shared@example.org", organisations=[organisation, other_organisation], capacity=5
    )
    restricted = ReviewFactory(
        organisation=organisation,
        service=review.service,
        lead_investigator=team_user,
        reference="LR-RESTRICTED-1",
        restricted=True,
    )
    elsewhere = ReviewFactory(
        organisation=other_organisation,
        lead_investigator=other_team_user,
        reference="WV-ELSEWHERE-1",
    )
    people = {
        "open": AffectedPersonFactory(review=review, full_name="Olive Openreview"),
        "restricted": AffectedPersonFactory(review=restricted, full_name="Rhea Restricted"),
        "elsewhere": AffectedPersonFactory(review=elsewhere, full_name="Edwin Elsewhere"),
    }
    for person in people.values():
        SupportOfferFactory(person=person, supporter=supporter, status=OfferStatus.ACTIVE)
    return supporter, people, restricted, elsewhere


def detail_page(client_for, user, supporter):
    response = client_for(user).get(reverse("supporters:supporter_detail", args=[supporter.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_plain_team_member_sees_only_their_own_unrestricted_people(
    client_for, make_user, organisation, review, shared_supporter
):
    supporter, people, restricted, elsewhere = shared_supporter
    colleague = make_user(Role.TEAM, "colleague@example.org")
    TeamMemberFactory(user=colleague, organisation=organisation)
    page = detail_page(client_for, colleague, supporter)
    assert "Olive Openreview" in page
    assert review.reference in page
    for hidden in ("Rhea Restricted", restricted.reference, "Edwin Elsewhere", elsewhere.reference):
        assert hidden not in page, hidden
    assert "And 2 people in other organisations or restricted reviews." in page
    assert "(3 of 5)" in page  # the caseload still counts everyone


def test_a_team_member_of_the_other_organisation_sees_only_theirs(
    client_for, other_team_user, review, shared_supporter
):
    supporter, people, restricted, elsewhere = shared_supporter
    page = detail_page(client_for, other_team_user, supporter)
    assert "Edwin Elsewhere" in page
    assert elsewhere.reference in page
    for hidden in ("Olive Openreview", review.reference, "Rhea Restricted", restricted.reference):
        assert hidden not in page, hidden
    assert "And 2 people in other organisations or restricted reviews." in page


def test_the_named_lead_of_the_restricted_review_sees_it(client_for, team_user, shared_supporter):
    supporter, people, restricted, elsewhere = shared_supporter
    page = detail_page(client_for, team_user, supporter)
    assert "Olive Openreview" in page and "Rhea Restricted" in page
    assert "Edwin Elsewhere" not in page and elsewhere.reference not in page
    assert "And 1 person in other organisations or restricted reviews." in page


def test_when_none_can_be_named_only_the_count_is_shown(
    client_for, other_organisation, other_team_user, make_supporter, person
):
    supporter = make_supporter("only.theirs@example.org")
    supporter.organisations.add(other_organisation)
    SupportOfferFactory(person=person, supporter=supporter, status=OfferStatus.ACCEPTED)
    page = detail_page(client_for, other_team_user, supporter)
    assert person.full_name not in page
    assert "1 person in other organisations or restricted reviews." in page
    assert "They are not supporting anyone at the moment." not in page


# A supporter who has left ----------------------------------------------------------------


def test_a_supporter_who_has_left_no_longer_sees_their_people(
    client_for, consenting_person, supporter, team_user
):
    offer = accepted_offer(consenting_person, supporter, team_user)
    client = client_for(supporter.user)
    url = reverse("supporters:my_person", args=[offer.pk])
    assert client.get(url).status_code == 200
    services.change_supporter_status(supporter, SupporterStatus.LEFT, by=team_user)
    offer.refresh_from_db()
    assert offer.status in (OfferStatus.ACCEPTED, OfferStatus.ACTIVE)  # until reassigned

    assert client.get(url).status_code == 404
    assert client.get(reverse("practice:contact_add", args=[offer.pk])).status_code == 404
    assert client.get(reverse("practice:concern_raise", args=[offer.pk])).status_code == 404
    response = client.get(reverse("supporters:my_people"))
    assert response.status_code == 200
    page = response.content.decode()
    assert list(response.context["assignments"]) == []
    assert consenting_person.preferred_name not in page
    assert consenting_person.full_name not in page
    assert url not in page
    assert "You have left the peer support service" in page


def test_a_paused_supporter_still_sees_their_people_until_reassigned(
    client_for, consenting_person, supporter, team_user
):
    from datetime import timedelta

    from django.utils import timezone

    offer = accepted_offer(consenting_person, supporter, team_user)
    services.change_supporter_status(
        supporter,
        SupporterStatus.PAUSED,
        by=team_user,
        paused_until=timezone.localdate() + timedelta(days=14),
    )
    client = client_for(supporter.user)
    assert client.get(reverse("supporters:my_person", args=[offer.pk])).status_code == 200


# The supporter leaves: their people go on the reassignment queue ------------------------


def test_a_supporter_who_leaves_puts_their_people_on_the_reassignment_queue(
    client_for, consenting_person, person, supporter, team_user
):
    waiting = services.assign_supporter(
        services.open_offer(person), supporter, by=team_user, via="phone"
    )
    agreed = accepted_offer(consenting_person, supporter, team_user)
    client = client_for(team_user)
    response = client.post(
        reverse("supporters:supporter_status", args=[supporter.pk]),
        {"status": "left", "reason": "Moved away"},
    )
    assert response.status_code == 302
    supporter.refresh_from_db()
    assert supporter.status == SupporterStatus.LEFT
    change = supporter.status_changes.get(to_status=SupporterStatus.LEFT)
    assert change.changed_by == team_user and change.reason == "Moved away"

    tasks = ReassignmentTask.objects.filter(done_at__isnull=True)
    assert {t.offer_id for t in tasks} == {waiting.pk, agreed.pk}
    assert {t.reason for t in tasks} == {"Supporter left"}
    assert {t.pk for t in work_queue_for(team_user)["reassign"]} == {t.pk for t in tasks}
    page = client.get(reverse("incidents:work_queue")).content.decode()
    assert 'Supporters to reassign <span class="nhsuk-u-secondary-text-colour">(2)' in page
    assert consenting_person.full_name in page and person.full_name in page
    # Nothing more goes out about support that is ending.
    assert not Message.objects.filter(
        status="pending", cause_id__in=[str(waiting.pk), str(agreed.pk)]
    ).exists()


# Assigning and reassigning through the views ---------------------------------------------


@pytest.fixture
def staff_peer(make_supporter):
    return make_supporter(
        "staff.peer@example.org", first_name="Stevie", pool=Pool.STAFF, staff_team="Theatres"
    )


def assign_url(person, supporter, override=False):
    url = reverse("supporters:assign", args=[person.pk, supporter.pk])
    return f"{url}?override_pool=1" if override else url


def test_the_match_page_offers_a_staff_peer_to_a_family_member_only_when_widened(
    client_for, consenting_person, staff_peer, team_user
):
    client = client_for(team_user)
    url = reverse("supporters:match", args=[consenting_person.pk])
    assert staff_peer not in [c.supporter for c in client.get(url).context["candidates"]]
    widened = client.get(f"{url}?override_pool=1")
    assert staff_peer in [c.supporter for c in widened.context["candidates"]]


def test_a_staff_peer_for_a_family_member_needs_an_override_reason(
    client_for, consenting_person, staff_peer, team_user
):
    client = client_for(team_user)
    url = assign_url(consenting_person, staff_peer, override=True)
    page = client.get(url).content.decode()
    assert "Why is a supporter from the other pool right for this person?" in page

    response = client.post(url, {"via": "phone", "override_reason": "  "})
    assert response.status_code == 200
    assert "Enter why a supporter from the other pool is right for them" in (
        response.content.decode()
    )
    offer = consenting_person.offers.get()
    assert offer.status == OfferStatus.NEEDS_SUPPORTER and offer.supporter is None

    # Leaving out ?override_pool=1 does not get round it: the pools differ, so it is asked for.
    response = client.post(assign_url(consenting_person, staff_peer), {"via": "phone"})
    assert response.status_code == 200
    assert "Enter why a supporter from the other pool is right for them" in (
        response.content.decode()
    )
    offer.refresh_from_db()
    assert offer.status == OfferStatus.NEEDS_SUPPORTER


def test_a_staff_peer_for_a_family_member_with_a_reason_is_assigned(
    client_for, consenting_person, staff_peer, team_user
):
    reason = "She is a nurse herself and asked for someone who knows the ward."
    response = client_for(team_user).post(
        assign_url(consenting_person, staff_peer, override=True),
        {"via": "phone", "override_reason": reason},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:person_detail", args=[consenting_person.pk])
    offer = consenting_person.offers.get()
    assert offer.status == OfferStatus.OFFERED
    assert offer.supporter == staff_peer
    assert offer.pool_override_reason == reason


def test_reassigning_through_the_view_keeps_the_history(
    client_for, consenting_person, supporter, second_supporter, team_user
):
    first = accepted_offer(consenting_person, supporter, team_user)
    client = client_for(team_user)
    url = assign_url(consenting_person, second_supporter)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["reassigning"] is True
    assert "via" not in page.context["form"].fields
    assert f"Reassign {consenting_person} to {second_supporter}" in page.content.decode()

    response = client.post(url, {})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == OfferStatus.CLOSED
    assert first.close_reason == CloseReason.REASSIGNED
    new = SupportOffer.objects.get(person=consenting_person, previous=first)
    assert new.supporter == second_supporter
    assert new.status == OfferStatus.ACCEPTED  # she had already agreed to support
    assert list(new.status_changes.values_list("note", flat=True)) == ["Reassigned"]
    assert Message.objects.filter(kind="new_supporter_to_person", person=consenting_person).exists()
    assert Message.objects.filter(kind="supporter_assigned", user=second_supporter.user).exists()

    # The old supporter loses the person; the new one has them.
    old_url = reverse("supporters:my_person", args=[first.pk])
    ended = client_for(supporter.user).get(old_url)
    assert ended.status_code == 200
    assert "This support has ended" in ended.content.decode()
    assert consenting_person.full_name not in ended.content.decode()
    new_url = reverse("supporters:my_person", args=[new.pk])
    assert client_for(second_supporter.user).get(new_url).status_code == 200


def test_reassigning_to_a_staff_peer_through_the_view_needs_a_reason(
    client_for, consenting_person, supporter, staff_peer, team_user
):
    first = accepted_offer(consenting_person, supporter, team_user)
    client = client_for(team_user)
    url = assign_url(consenting_person, staff_peer, override=True)
    response = client.post(url, {})
    assert response.status_code == 200
    assert "Enter why a supporter from the other pool is right for them" in (
        response.content.decode()
    )
    first.refresh_from_db()
    assert first.status == OfferStatus.ACCEPTED

    response = client.post(url, {"override_reason": "Asked for a colleague from the ward."})
    assert response.status_code == 302
    new = SupportOffer.objects.get(person=consenting_person, previous=first)
    assert new.supporter == staff_peer
    assert new.pool_override_reason == "Asked for a colleague from the ward."
