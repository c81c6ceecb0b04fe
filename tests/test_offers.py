from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents.selectors import work_queue_for
from incidents.services import record_consent, set_do_not_contact
from peersupport import outbox
from peersupport.models import Alert, Message, MessageStatus
from supporters import services
from supporters.models import (
    CloseReason,
    CodeOfConduct,
    OfferStatus,
    ReassignmentTask,
    SupporterStatus,
    SupportOffer,
)
from tests.factories import AffectedPersonFactory

pytestmark = pytest.mark.django_db


def offer_for(person):
    return person.offers.get(status=OfferStatus.NEEDS_SUPPORTER)


def test_consent_to_contact_opens_an_offer_and_refusal_closes_it(consenting_person, team_user):
    offer = offer_for(consenting_person)
    assert list(offer.status_changes.values_list("to_status", flat=True)) == ["needs_supporter"]
    record_consent(consenting_person, "contact", "refused", "phone", by=team_user)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.CLOSED and offer.close_reason == CloseReason.PERSONS_CHOICE


def test_person_without_consent_gets_no_offer(review, team_user):
    person = AffectedPersonFactory(review=review, consent_to_contact="not_asked")
    record_consent(person, "contact", "refused", "phone", by=team_user)
    assert not person.offers.exists()


def test_assigning_by_email_offers_the_person_and_tells_the_supporter(
    consenting_person, supporter, team_user
):
    offer = services.assign_supporter(offer_for(consenting_person), supporter, by=team_user)
    assert offer.status == OfferStatus.OFFERED and offer.supporter == supporter
    kinds = sorted(
        Message.objects.filter(status="pending", due_at__lte=timezone.now()).values_list(
            "kind", "channel"
        )
    )
    assert kinds == [
        ("offer_to_person", "email"),
        ("supporter_assigned", "email"),
        ("supporter_assigned", "in_app"),
    ]
    outbox.sweep()
    to_person = next(m for m in mail.outbox if m.to == [consenting_person.email])
    assert "Dear Joan" in to_person.body and "Sam" in to_person.body
    assert "116 123" in to_person.body
    assert (
        consenting_person.full_name
        not in next(m for m in mail.outbox if m.to == [supporter.user.email]).body
    )
    assert Alert.objects.filter(user=supporter.user).count() == 1


def test_offered_by_phone_sends_nothing_to_the_person(consenting_person, supporter, team_user):
    services.assign_supporter(offer_for(consenting_person), supporter, by=team_user, via="phone")
    assert not Message.objects.filter(kind="offer_to_person").exists()


def test_an_ineligible_supporter_cannot_be_assigned(consenting_person, supporter, team_user):
    supporter.status = SupporterStatus.PAUSED
    supporter.save()
    with pytest.raises(ValidationError, match="cannot be assigned"):
        services.assign_supporter(offer_for(consenting_person), supporter, by=team_user)


def test_declining_cancels_what_is_pending_and_can_be_offered_again(
    consenting_person, supporter, team_user
):
    offer = services.assign_supporter(offer_for(consenting_person), supporter, by=team_user)
    services.record_answer(offer, "declined", by=team_user, reason="Not ready")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED and offer.decline_reason == "Not ready"
    assert not Message.objects.filter(status=MessageStatus.PENDING).exists()
    again = services.offer_again(consenting_person, by=team_user)
    assert again.status == OfferStatus.NEEDS_SUPPORTER and again.pk != offer.pk


def test_ask_again_later_returns_to_the_work_queue_on_the_date(
    consenting_person, supporter, team_user, time_machine
):
    offer = services.assign_supporter(offer_for(consenting_person), supporter, by=team_user)
    services.record_answer(offer, "later", by=team_user)
    offer.refresh_from_db()
    assert offer.contact_again_on == timezone.localdate() + timedelta(days=28)
    assert work_queue_for(team_user)["contact_again"] == []
    time_machine.move_to(timezone.now() + timedelta(days=29))
    assert [o.pk for o in work_queue_for(team_user)["contact_again"]] == [offer.pk]


def test_reassigning_keeps_history_and_tells_the_person_kindly(
    consenting_person, supporter, second_supporter, team_user
):
    offer = services.assign_supporter(offer_for(consenting_person), supporter, by=team_user)
    services.record_answer(offer, "accepted", by=team_user)
    new = services.reassign(offer, second_supporter, by=team_user)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.CLOSED and offer.close_reason == CloseReason.REASSIGNED
    assert (
        new.previous == offer
        and new.status == OfferStatus.ACCEPTED
        and new.supporter == second_supporter
    )
    assert (
        Message.objects.filter(kind="new_supporter_to_person", person=consenting_person).count()
        == 1
    )


def test_a_supporter_who_pauses_puts_their_people_on_the_queue(
    consenting_person, supporter, team_user
):
    offer = services.assign_supporter(offer_for(consenting_person), supporter, by=team_user)
    services.change_supporter_status(
        supporter,
        SupporterStatus.PAUSED,
        by=team_user,
        paused_until=timezone.localdate() + timedelta(days=30),
    )
    task = ReassignmentTask.objects.get(offer=offer)
    assert [t.pk for t in work_queue_for(team_user)["reassign"]] == [task.pk]
    assert not Message.objects.filter(status=MessageStatus.PENDING, cause_id=str(offer.pk)).exists()


def test_pausing_needs_a_return_date(supporter, team_user):
    with pytest.raises(ValidationError):
        services.change_supporter_status(supporter, SupporterStatus.PAUSED, by=team_user)


def test_do_not_contact_cancels_pending_messages(consenting_person, supporter, team_user):
    services.assign_supporter(offer_for(consenting_person), supporter, by=team_user)
    set_do_not_contact(consenting_person, True, by=team_user)
    assert not Message.objects.filter(
        person=consenting_person, status=MessageStatus.PENDING
    ).exists()


def test_supporter_sees_only_their_own_person_and_loses_access_when_it_ends(
    consenting_person, supporter, second_supporter, team_user, client_for
):
    offer = services.assign_supporter(offer_for(consenting_person), supporter, by=team_user)
    services.record_answer(offer, "accepted", by=team_user)
    url = reverse("supporters:my_person", args=[offer.pk])
    own = client_for(supporter.user)
    page = own.get(url)
    assert page.status_code == 200
    assert "+447700900123" in page.content.decode() or "07700 900123" in page.content.decode()
    assert (
        consenting_person.preferred_name
        in own.get(reverse("supporters:my_people")).content.decode()
    )
    assert client_for(second_supporter.user).get(url).status_code == 404
    services.close_support(offer, CloseReason.SPECIALIST, by=team_user)
    ended = own.get(url)
    assert ended.status_code == 200
    assert "This support has ended" in ended.content.decode()
    assert consenting_person.full_name not in ended.content.decode()
    assert "07700 900123" not in ended.content.decode()


def test_a_supporter_must_accept_the_current_code_before_seeing_anyone(
    consenting_person, supporter, team_user, client_for
):
    offer = services.assign_supporter(offer_for(consenting_person), supporter, by=team_user)
    services.record_answer(offer, "accepted", by=team_user)
    CodeOfConduct.objects.create(version=99, text="A new version.")
    client = client_for(supporter.user)
    assert (
        consenting_person.preferred_name
        not in client.get(reverse("supporters:my_people")).content.decode()
    )
    assert client.get(reverse("supporters:my_person", args=[offer.pk])).status_code == 302
    client.post(reverse("supporters:code_of_conduct"), {"accept": "on"})
    assert client.get(reverse("supporters:my_person", args=[offer.pk])).status_code == 200


def test_without_consent_to_share_no_contact_details_are_shown(
    consenting_person, supporter, team_user, client_for
):
    record_consent(consenting_person, "share", "refused", "phone", by=team_user)
    offer = services.assign_supporter(
        offer_for(consenting_person), supporter, by=team_user, via="phone"
    )
    services.record_answer(offer, "accepted", by=team_user)
    page = (
        client_for(supporter.user)
        .get(reverse("supporters:my_person", args=[offer.pk]))
        .content.decode()
    )
    assert consenting_person.email not in page
    assert "7700" not in page
    assert "ask the team" in page.lower()


def test_team_assigns_from_the_shortlist_pages(consenting_person, supporter, team_user, client_for):
    client = client_for(team_user)
    page = client.get(reverse("supporters:match", args=[consenting_person.pk]))
    assert page.status_code == 200
    assert [c.supporter for c in page.context["candidates"]] == [supporter]
    url = reverse("supporters:assign", args=[consenting_person.pk, supporter.pk])
    preview = client.get(url)
    assert "Dear Joan" in preview.content.decode()
    response = client.post(url, {"via": "email"})
    assert response.status_code == 302
    assert (
        SupportOffer.objects.get(person=consenting_person, status=OfferStatus.OFFERED).supporter
        == supporter
    )


def test_team_records_an_answer_and_closes_support(
    consenting_person, supporter, team_user, client_for
):
    offer = services.assign_supporter(offer_for(consenting_person), supporter, by=team_user)
    client = client_for(team_user)
    response = client.post(reverse("supporters:offer_answer", args=[offer.pk]), {})
    assert "Select what they said" in response.content.decode()
    client.post(reverse("supporters:offer_answer", args=[offer.pk]), {"answer": "accepted"})
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED
    client.post(reverse("supporters:offer_close", args=[offer.pk]), {"reason": "specialist"})
    offer.refresh_from_db()
    assert offer.status == OfferStatus.CLOSED and offer.close_reason == "specialist"


def test_waiting_list_drops_a_person_once_a_supporter_is_assigned(
    consenting_person, supporter, team_user
):
    assert work_queue_for(team_user)["waiting"] == [consenting_person]
    services.assign_supporter(offer_for(consenting_person), supporter, by=team_user)
    assert work_queue_for(team_user)["waiting"] == []


def test_training_and_supervision_dates_cannot_be_in_the_future(organisation):
    from supporters.forms import SupervisionForm, TrainingForm
    from tests.factories import CourseFactory

    tomorrow = timezone.localdate() + timedelta(days=1)
    parts = {"day": tomorrow.day, "month": tomorrow.month, "year": tomorrow.year}
    form = TrainingForm(
        {"course": CourseFactory().pk, **{f"completed_on_{k}": v for k, v in parts.items()}}
    )
    assert form.errors["completed_on"] == ["Date completed must be today or in the past"]
    form = SupervisionForm(
        {**{f"held_on_{k}": v for k, v in parts.items()}}, organisation=organisation
    )
    assert form.errors["held_on"] == ["Date of the session must be today or in the past"]


def test_offer_email_shows_the_phone_number_as_people_write_it(
    consenting_person, supporter, team_user
):
    organisation = consenting_person.review.organisation
    organisation.phone = "+441632960001"
    organisation.save()
    services.assign_supporter(offer_for(consenting_person), supporter, by=team_user)
    outbox.sweep()
    body = next(m for m in mail.outbox if m.to == [consenting_person.email]).body
    assert "01632 960001" in body and "+441632960001" not in body


def test_contact_details_stay_hidden_until_the_person_has_agreed(
    consenting_person, supporter, team_user, client_for
):
    offer = services.assign_supporter(offer_for(consenting_person), supporter, by=team_user)
    offer.status = OfferStatus.NO_RESPONSE
    offer.save()
    page = client_for(supporter.user).get(reverse("supporters:my_person", args=[offer.pk]))
    assert page.context["may_see_details"] is False
    assert consenting_person.email not in page.content.decode()


def test_roster_shows_when_mandatory_training_next_runs_out_after_a_renewal(
    supporter, team_user, client_for
):
    from supporters.models import Course
    from tests.factories import TrainingRecordFactory

    course = Course.objects.filter(mandatory=True).first()
    today = timezone.localdate()
    TrainingRecordFactory(
        supporter=supporter,
        course=course,
        completed_on=today - timedelta(days=800),
        expires_on=today - timedelta(days=70),
    )
    page = client_for(team_user).get(reverse("supporters:roster"))
    row = next(r for r in page.context["rows"] if r["supporter"] == supporter)
    assert row["supporter"].next_expiry >= today
