"""The supporter's practice pages: recording a contact, raising a concern, wellbeing check-ins,
resources and signposting."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peersupport import outbox
from peersupport.models import Alert, Message
from peersupport.roles import Role
from supporters import services
from supporters.models import (
    Concern,
    Contact,
    OfferStatus,
    Resource,
    SignpostService,
    SupervisorAssignment,
    WellbeingCheckIn,
)
from supporters.practice import services as practice
from supporters.templatetags.practice_tags import contacts_for
from tests.factories import OrganisationFactory, TeamMemberFactory

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def offer(consenting_person, supporter, team_user):
    """Joan has accepted Sam's support; no contact yet."""
    offer = services.assign_supporter(
        services.open_offer(consenting_person), supporter, by=team_user, via="phone"
    )
    services.record_answer(offer, "accepted", by=team_user)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED
    return offer


@pytest.fixture
def samaritans(db):
    return SignpostService.objects.update_or_create(
        name="Samaritans",
        defaults={"phone": "116 123", "website": "https://www.samaritans.org"},
    )[0]


def contact_data(**overrides):
    today = timezone.localdate()
    data = {
        "happened_on_day": str(today.day),
        "happened_on_month": str(today.month),
        "happened_on_year": str(today.year),
        "mode": "phone",
        "minutes": "25",
        "topics": ["emotional", "process"],
        "note": "Talked about the inquest date.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def contact_url(offer):
    return reverse("practice:contact_add", kwargs={"pk": offer.pk})


def concern_url(offer):
    return reverse("practice:concern_raise", kwargs={"pk": offer.pk})


# Contacts ----------------------------------------------------------------------------------


def test_contact_form_starts_with_today(client_for, supporter, offer):
    response = client_for(supporter.user).get(contact_url(offer))
    assert response.status_code == 200
    today = timezone.localdate()
    page = response.content.decode()
    assert f'name="happened_on_year" type="text" inputmode="numeric" value="{today.year}"' in page
    assert 'inputmode="numeric"' in page
    assert "Only you and your supervisor can read this." in page
    assert 'data-module="nhsuk-character-count"' in page
    assert "I am worried about their safety or someone else&#x27;s" in page


def test_recording_a_contact_makes_an_accepted_offer_active(
    client_for, supporter, offer, samaritans
):
    client = client_for(supporter.user)
    response = client.post(contact_url(offer), contact_data(signposted_to=[samaritans.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("supporters:my_person", kwargs={"pk": offer.pk})

    contact = Contact.objects.get(offer=offer)
    assert contact.supporter == supporter
    assert contact.happened_on == timezone.localdate()
    assert contact.minutes == 25
    assert contact.topics == ["emotional", "process"]
    assert list(contact.signposted_to.all()) == [samaritans]
    assert contact.note == "Talked about the inquest date."
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACTIVE
    assert offer.status_changes.filter(to_status=OfferStatus.ACTIVE).exists()

    page = client.get(response["Location"]).content.decode()
    assert "Contact saved." in page
    assert "Talked about the inquest date." in page
    assert "Emotional support" in page
    assert "Samaritans" in page


def test_topics_are_required(client_for, supporter, offer):
    response = client_for(supporter.user).post(contact_url(offer), contact_data(topics=None))
    assert response.status_code == 200
    assert "Select at least one topic" in response.content.decode()
    assert not Contact.objects.exists()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED


def test_a_date_in_the_future_is_refused(client_for, supporter, offer):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_for(supporter.user).post(
        contact_url(offer),
        contact_data(
            happened_on_day=str(tomorrow.day),
            happened_on_month=str(tomorrow.month),
            happened_on_year=str(tomorrow.year),
        ),
    )
    assert response.status_code == 200
    assert "The date of the contact must be today or in the past" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_note_longer_than_500_characters_is_refused(client_for, supporter, offer):
    response = client_for(supporter.user).post(contact_url(offer), contact_data(note="x" * 501))
    assert response.status_code == 200
    assert "Your note must be 500 characters or fewer" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_note_of_exactly_500_characters_is_kept_whole(client_for, supporter, offer):
    response = client_for(supporter.user).post(contact_url(offer), contact_data(note="y" * 500))
    assert response.status_code == 302
    assert Contact.objects.get().note == "y" * 500


@pytest.mark.parametrize("minutes", ["0", "601", "twenty", ""])
def test_minutes_must_be_between_1_and_600(client_for, supporter, offer, minutes):
    response = client_for(supporter.user).post(contact_url(offer), contact_data(minutes=minutes))
    assert response.status_code == 200
    assert not Contact.objects.exists()


def test_another_supporters_offer_is_not_found(client_for, second_supporter, offer):
    client = client_for(second_supporter.user)
    assert client.get(contact_url(offer)).status_code == 404
    assert client.post(contact_url(offer), contact_data()).status_code == 404
    assert client.get(concern_url(offer)).status_code == 404
    response = client.post(concern_url(offer), {"kind": "self_harm", "details": "Worried."})
    assert response.status_code == 404
    assert not Contact.objects.exists()
    assert not Concern.objects.exists()


def test_no_contact_before_they_have_agreed(client_for, supporter, consenting_person, team_user):
    waiting = services.assign_supporter(
        services.open_offer(consenting_person), supporter, by=team_user, via="phone"
    )
    client = client_for(supporter.user)
    response = client.post(contact_url(waiting), contact_data())
    assert response.status_code == 200
    assert "once they have agreed to your support" in response.content.decode()
    assert not Contact.objects.exists()


def test_the_worried_box_leads_to_the_concern_form(client_for, supporter, offer):
    client = client_for(supporter.user)
    response = client.post(contact_url(offer), contact_data(worried="on"))
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{concern_url(offer)}?contact={contact.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "If someone is at risk right now" in page
    assert 'href="tel:999"' in page
    assert "option 2" in page
    assert 'href="tel:116123"' in page
    assert contact.happened_on.strftime("%-d %B %Y") in page


# Concerns ----------------------------------------------------------------------------------


def _organisation_supervisor(supporter):
    """The supporter's supervisor for their organisation: a member of its team, so alerted too."""
    return SupervisorAssignment.objects.get(supporter=supporter).supervisor


def test_raising_a_concern_alerts_the_team_at_once_and_escalates_to_the_lead(
    client_for, make_user, supporter, offer, organisation, team_user
):
    colleague = make_user(Role.TEAM, "colleague@example.org")
    TeamMemberFactory(user=colleague, organisation=organisation)
    elsewhere = make_user(Role.TEAM, "elsewhere@example.org")
    TeamMemberFactory(user=elsewhere, organisation=OrganisationFactory(name="Elsewhere Trust"))
    # The organisation's lead: a team member of the organisation, named on no review.
    lead = make_user(Role.TEAM, "lead@example.org")
    TeamMemberFactory(user=lead, organisation=organisation)
    organisation.lead = lead
    organisation.save()
    contact = practice.record_contact(
        offer,
        supporter,
        happened_on=timezone.localdate(),
        mode="phone",
        minutes=10,
        topics=["emotional"],
    )

    # Monday 9 March 2026, 10:00: four working hours later is 14:00 the same day.
    raised = datetime(2026, 3, 9, 10, 0, tzinfo=LONDON)
    with time_machine.travel(raised, tick=False):
        response = client_for(supporter.user).post(
            f"{concern_url(offer)}?contact={contact.pk}",
            {"kind": "self_harm", "details": "She said she could not see a way forward."},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("supporters:my_person", kwargs={"pk": offer.pk})

    concern = Concern.objects.get()
    assert concern.offer == offer
    assert concern.contact == contact
    assert concern.raised_by == supporter
    assert concern.kind == "self_harm"
    assert concern.details == "She said she could not see a way forward."

    raised_messages = Message.objects.filter(kind="concern_raised", cause_id=str(concern.pk))
    assert sorted((m.user.email, m.channel) for m in raised_messages) == sorted(
        (user.email, channel)
        for user in (team_user, colleague, lead, _organisation_supervisor(supporter))
        for channel in ("email", "in_app")
    )
    assert all(m.due_at == raised for m in raised_messages)

    escalations = Message.objects.filter(kind="concern_escalated", cause_id=str(concern.pk))
    assert sorted(m.channel for m in escalations) == ["email", "in_app"]
    for message in escalations:
        assert message.user == lead
        assert message.status == "pending"
        assert message.due_at == datetime(2026, 3, 9, 14, 0, tzinfo=LONDON)

    with time_machine.travel(datetime(2026, 3, 9, 14, 1, tzinfo=LONDON), tick=False):
        outbox.sweep()
    assert set(escalations.values_list("status", flat=True)) == {"sent"}
    [email] = [m for m in mail.outbox if m.to == [lead.email] and "Escalated" in m.subject]
    link = reverse("oversight:concern_detail", args=[concern.pk])
    assert link in email.body
    alert = Alert.objects.get(user=lead, message__kind="concern_escalated")
    assert alert.link == link
    assert client_for(lead).get(alert.link).status_code == 200


def _escalated_to(concern):
    return set(
        Message.objects.filter(kind="concern_escalated", cause_id=str(concern.pk)).values_list(
            "user__email", flat=True
        )
    )


def _concern(offer, supporter):
    return practice.raise_concern(
        offer, supporter, kind="safeguarding", details="A child may be at risk."
    )


def test_a_manager_as_lead_is_passed_over_for_the_review_lead_investigator(
    client_for, make_user, supporter, offer, organisation, team_user
):
    manager = make_user(Role.MANAGER, "manager.lead@example.org")
    organisation.lead = manager
    organisation.save()
    concern = _concern(offer, supporter)
    # A manager cannot open the concern, so an escalation to them would be no use.
    assert (
        client_for(manager).get(reverse("oversight:concern_detail", args=[concern.pk])).status_code
        == 403
    )
    assert _escalated_to(concern) == {team_user.email}  # the review's lead investigator


def test_a_lead_not_named_on_a_restricted_review_is_passed_over(
    client_for, make_user, supporter, offer, organisation, team_user
):
    lead = make_user(Role.TEAM, "lead@example.org")
    TeamMemberFactory(user=lead, organisation=organisation)
    organisation.lead = lead
    organisation.save()
    review = offer.person.review
    review.restricted = True
    review.save()
    concern = _concern(offer, supporter)
    url = reverse("oversight:concern_detail", args=[concern.pk])
    assert client_for(lead).get(url).status_code == 404
    assert _escalated_to(concern) == {team_user.email}
    # Nor is the lead alerted at once about a concern they cannot open.
    raised = Message.objects.filter(kind="concern_raised", cause_id=str(concern.pk))
    assert set(raised.values_list("user__email", flat=True)) == {team_user.email}


def test_with_no_lead_the_review_lead_investigator_gets_the_escalation(
    client_for, supporter, offer, organisation, team_user
):
    assert organisation.lead is None
    concern = _concern(offer, supporter)
    assert _escalated_to(concern) == {team_user.email}
    url = reverse("oversight:concern_detail", args=[concern.pk])
    assert client_for(team_user).get(url).status_code == 200


def test_with_no_lead_and_no_review_every_active_team_member_gets_the_escalation(
    client_for, make_user, make_supporter, organisation, team_user
):
    from incidents.models import Consent, PersonKind
    from supporters.models import Pool
    from tests.factories import AffectedPersonFactory

    colleague = make_user(Role.TEAM, "colleague@example.org")
    TeamMemberFactory(user=colleague, organisation=organisation)
    gone = make_user(Role.TEAM, "gone@example.org")
    gone.is_active = False
    gone.save()
    TeamMemberFactory(user=gone, organisation=organisation)
    person = AffectedPersonFactory(
        review=None,
        organisation=organisation,
        kind=PersonKind.STAFF,
        staff_team="Ward 7",
        consent_to_contact=Consent.GIVEN,
    )
    peer = make_supporter("staff.peer@example.org", pool=Pool.STAFF, staff_team="Theatres")
    offer = services.assign_supporter(services.open_offer(person), peer, by=team_user, via="phone")
    services.record_answer(offer, "accepted", by=team_user)
    concern = _concern(offer, peer)
    assert _escalated_to(concern) == {
        team_user.email,
        colleague.email,
        _organisation_supervisor(peer).email,
    }
    url = reverse("oversight:concern_detail", args=[concern.pk])
    assert client_for(colleague).get(url).status_code == 200


def test_the_concern_page_says_the_team_has_been_alerted(client_for, supporter, offer):
    client = client_for(supporter.user)
    response = client.post(
        concern_url(offer), {"kind": "safeguarding", "details": "A child may be at risk."}
    )
    page = client.get(response["Location"]).content.decode()
    assert "The team has been alerted" in page


def test_a_concern_needs_a_kind_and_details(client_for, supporter, offer):
    response = client_for(supporter.user).post(concern_url(offer), {"kind": "", "details": " "})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select what you are worried about" in page
    assert "Enter what happened" in page
    assert not Concern.objects.exists()
    assert not Message.objects.filter(kind="concern_raised").exists()


def test_a_contact_of_another_offer_is_not_linked(
    client_for, supporter, offer, make_supporter, person, team_user
):
    other = make_supporter("supporter.three@example.org")
    theirs = services.assign_supporter(
        services.open_offer(person), other, by=team_user, via="phone"
    )
    services.record_answer(theirs, "accepted", by=team_user)
    foreign = practice.record_contact(
        theirs, other, happened_on=timezone.localdate(), mode="phone", minutes=5, topics=["process"]
    )
    client_for(supporter.user).post(
        f"{concern_url(offer)}?contact={foreign.pk}",
        {"kind": "harm_to_others", "details": "He talked about hurting someone."},
    )
    assert Concern.objects.get().contact is None


# Wellbeing check-ins -----------------------------------------------------------------------


def test_a_low_score_alerts_the_supervisor(client_for, make_user, supporter):
    supervisor = make_user(Role.TEAM, "supervisor@example.org")
    supporter.supervisor = supervisor
    supporter.save()
    client = client_for(supporter.user)
    response = client.post(
        reverse("practice:checkin"), {"empowered": "4", "coping": "2", "wants_debrief": "no"}
    )
    assert response.status_code == 302
    checkin = WellbeingCheckIn.objects.get()
    assert (checkin.empowered, checkin.coping, checkin.wants_debrief) == (4, 2, False)
    alerts = Message.objects.filter(kind="wellbeing_alert")
    assert sorted(m.channel for m in alerts) == ["email", "in_app"]
    assert {m.user for m in alerts} == {supervisor}
    page = client.get(response["Location"]).content.decode()
    assert "Your supervisor will be in touch soon" in page


def test_a_good_check_in_alerts_no_one(client_for, make_user, supporter):
    supporter.supervisor = make_user(Role.TEAM, "supervisor@example.org")
    supporter.save()
    client = client_for(supporter.user)
    response = client.post(
        reverse("practice:checkin"), {"empowered": "4", "coping": "4", "wants_debrief": "no"}
    )
    assert response.status_code == 302
    assert WellbeingCheckIn.objects.count() == 1
    assert not Message.objects.filter(kind="wellbeing_alert").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Thank you for checking in." in page
    assert "supervisor will be in touch" not in page


@pytest.mark.parametrize(("empowered", "coping"), [(3, 3), (3, 5), (5, 3)])
def test_a_score_of_3_alerts_no_one(client_for, make_user, supporter, empowered, coping):
    supporter.supervisor = make_user(Role.TEAM, "supervisor@example.org")
    supporter.save()
    response = client_for(supporter.user).post(
        reverse("practice:checkin"),
        {"empowered": str(empowered), "coping": str(coping), "wants_debrief": "no"},
    )
    assert response.status_code == 302
    assert WellbeingCheckIn.objects.get().needs_attention is False
    assert not Message.objects.filter(kind="wellbeing_alert").exists()


def test_asking_for_a_debrief_alerts_the_supervisor(client_for, make_user, supporter):
    supporter.supervisor = make_user(Role.TEAM, "supervisor@example.org")
    supporter.save()
    client_for(supporter.user).post(
        reverse("practice:checkin"), {"empowered": "5", "coping": "5", "wants_debrief": "yes"}
    )
    assert WellbeingCheckIn.objects.get().wants_debrief is True
    assert Message.objects.filter(kind="wellbeing_alert", user=supporter.supervisor).count() == 2


def test_check_in_questions_and_answers_are_required(client_for, supporter):
    response = client_for(supporter.user).post(reverse("practice:checkin"), {})
    page = response.content.decode()
    assert response.status_code == 200
    assert "I feel empowered to support the people I am matched with" in page
    assert "I am coping emotionally with being a peer supporter" in page
    assert "Select yes if you would like a debrief" in page
    assert not WellbeingCheckIn.objects.exists()


def test_the_check_in_page_shows_only_their_own_last_five(client_for, supporter, second_supporter):
    for day in range(7):
        WellbeingCheckIn.objects.create(
            supporter=supporter,
            empowered=3,
            coping=3,
            created_at=datetime(2026, 1, 1 + day, 12, tzinfo=LONDON),
        )
    WellbeingCheckIn.objects.create(
        supporter=second_supporter,
        empowered=1,
        coping=1,
        created_at=datetime(2026, 1, 20, 12, tzinfo=LONDON),
    )
    page = client_for(supporter.user).get(reverse("practice:checkin")).content.decode()
    shown = [f"{day} Jan 2026" for day in range(1, 21) if f">{day} Jan 2026<" in page]
    assert shown == ["3 Jan 2026", "4 Jan 2026", "5 Jan 2026", "6 Jan 2026", "7 Jan 2026"]


# The confidentiality wall on the person's page ---------------------------------------------


def test_contacts_for_shows_the_note_only_to_those_who_may_read_it(
    supporter, offer, team_user, make_user
):
    practice.record_contact(
        offer,
        supporter,
        happened_on=timezone.localdate(),
        mode="video",
        minutes=30,
        topics=["practical"],
        note="Private words.",
    )
    [mine] = contacts_for(offer, supporter.user)
    assert mine.readable_note == "Private words."
    assert mine.topic_labels == ["Practical support"]
    # The lead investigator never reads it, even as the supporter's supervisor.
    organisation = offer.person.organisation
    supporter.supervisor = team_user
    supporter.save()
    SupervisorAssignment.objects.filter(supporter=supporter).update(supervisor=team_user)
    [theirs] = contacts_for(offer, team_user)
    assert theirs.readable_note is None
    supervisor = make_user(Role.TEAM, "supervisor@example.org")
    TeamMemberFactory(user=supervisor, organisation=organisation)
    supporter.supervisor = supervisor
    supporter.save()
    SupervisorAssignment.objects.filter(supporter=supporter).update(supervisor=supervisor)
    [supervised] = contacts_for(offer, supervisor)
    assert supervised.readable_note == "Private words."


# Resources and signposting -----------------------------------------------------------------


def test_resources_are_grouped_and_external_links_get_noopener(client_for, supporter):
    Resource.objects.all().delete()
    Resource.objects.create(
        title="Looking after yourself",
        kind=Resource.Kind.SUPPORTER_PACK,
        summary="Boundaries and rest.",
        url="https://example.org/pack",
    )
    Resource.objects.create(
        title="What an inquest is", kind=Resource.Kind.FAMILY_GUIDE, summary="A guide."
    )
    page = client_for(supporter.user).get(reverse("practice:resources")).content.decode()
    assert page.index("Your support pack") < page.index("Looking after yourself")
    assert page.index("Looking after yourself") < page.index("Guides for families")
    assert '<a href="https://example.org/pack" rel="noopener">Looking after yourself</a>' in page
    assert 'target="_blank"' not in page
    assert "What an inquest is" in page


def test_signposting_lists_services_with_a_phone_link(client_for, team_user, samaritans):
    page = client_for(team_user).get(reverse("practice:signposting")).content.decode()
    assert "Samaritans" in page
    assert '<a href="tel:116123">116 123</a>' in page
    assert 'href="https://www.samaritans.org"' in page


def test_my_people_links_to_the_check_in_and_resources(client_for, supporter):
    page = client_for(supporter.user).get(reverse("supporters:my_people")).content.decode()
    assert reverse("practice:checkin") in page
    assert reverse("practice:resources") in page
    assert reverse("practice:signposting") in page


@pytest.mark.django_db
def test_a_low_check_in_with_no_supervisor_alerts_the_organisation_lead(
    supporter, organisation, team_user
):
    from peersupport.models import Message
    from supporters.practice import services as practice

    supporter.supervisor = None
    supporter.save()
    supporter.supervisor_assignments.all().delete()
    organisation.lead = team_user
    organisation.save()
    practice.record_checkin(supporter, empowered=1, coping=3, wants_debrief=False)
    assert set(Message.objects.filter(kind="wellbeing_alert").values_list("user", flat=True)) == {
        team_user.pk
    }
