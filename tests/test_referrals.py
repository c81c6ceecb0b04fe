"""Staff asking for support themselves: the public pages, the form, the acknowledgement, the
team turning a request into a person with an offer of support, with or without a review."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from incidents.access import get_person_for_user
from incidents.models import (
    AffectedPerson,
    ConsentMethod,
    ConsentRecord,
    PersonKind,
    ReviewStatus,
    SelfReferral,
)
from incidents.referrals import convert_referral, submit_referral
from incidents.selectors import people_waiting_for_a_supporter, work_queue_for
from incidents.views_public import REFERRALS, page_blocks
from peersupport import ratelimit
from peersupport.models import AuditEvent, Message, PublicPage
from peersupport.outbox import sweep
from supporters.matching import shortlist
from supporters.models import OfferStatus, Pool, SupporterStatus
from tests.factories import PeerSupporterFactory, ReviewFactory

FORM = reverse("public:referral_form")
THANKS = reverse("public:referral_thanks")


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def answers(**overrides):
    data = {
        "name": "Jordan Ashby",
        "email": "Jordan.Ashby@Example.NHS.uk",
        "phone": "",
        "team": "Ward 7",
        "what_happened": "A patient I was caring for died unexpectedly on a night shift.",
        "event_date_day": "",
        "event_date_month": "",
        "event_date_year": "",
        "contact_how": "email",
        "contact_when": "Weekdays after 5pm",
        "website": "",
    }
    data.update(overrides)
    return data


def referral_for(organisation, **overrides):
    data = {
        "organisation": organisation,
        "name": "Jordan Ashby",
        "email": "jordan.ashby@example.nhs.uk",
        "phone": "",
        "team": "Ward 7",
        "what_happened": "A patient I was caring for died unexpectedly on a night shift.",
        "event_date": None,
        "contact_how": "email",
        "contact_when": "Weekdays after 5pm",
    }
    data.update(overrides)
    return submit_referral(**data)


# The form ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_submitting_the_form_saves_the_request_and_sends_an_acknowledgement(client, organisation):
    response = client.post(FORM, answers())
    assert response.status_code == 302
    assert response["Location"] == THANKS

    referral = SelfReferral.objects.get()
    assert referral.organisation == organisation
    assert referral.email == "jordan.ashby@example.nhs.uk"
    assert referral.converted_person is None
    message = Message.objects.get(kind="referral_acknowledgement")
    assert message.channel == "email"
    assert message.person is None and message.user is None
    assert "jordan" not in str(message.context).lower()

    sweep()
    (email,) = mail.outbox
    assert email.to == ["jordan.ashby@example.nhs.uk"]
    assert "We have your request" in email.subject
    assert "Dear Jordan" in email.body
    assert "116 123" in email.body
    assert organisation.name in email.body

    thanks = client.get(THANKS)
    assert thanks.status_code == 200
    assert "Jordan" not in thanks.content.decode()


@pytest.mark.django_db
def test_no_address_of_the_sender_is_kept(client, organisation):
    client.post(FORM, answers(), REMOTE_ADDR="203.0.113.9")
    referral = SelfReferral.objects.get()
    event = AuditEvent.objects.get(action="referral.received")
    assert event.object_id == str(referral.pk)
    assert event.ip_address is None
    assert event.actor is None
    request = RequestFactory().post(FORM, REMOTE_ADDR="203.0.113.9")
    assert "203.0.113.9" not in ratelimit.key(
        request, REFERRALS
    )  # the cache holds a keyed hash only


@pytest.mark.django_db
def test_with_only_a_phone_number_no_message_is_sent(client, organisation):
    response = client.post(FORM, answers(email="", phone="07700 900982", contact_how="phone"))
    assert response.status_code == 302
    referral = SelfReferral.objects.get()
    assert referral.phone == "+447700900982"
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_a_filled_honeypot_shows_thanks_but_saves_nothing(client, organisation):
    response = client.post(FORM, answers(website="http://spam.example/"))
    assert response.status_code == 302
    assert response["Location"] == THANKS
    assert not SelfReferral.objects.exists()
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_the_honeypot_is_hidden_from_people_and_assistive_technology(client, organisation):
    page = client.get(FORM).content.decode()
    assert '<div class="app-honeypot" aria-hidden="true">' in page
    assert 'tabindex="-1"' in page
    assert 'autocomplete="off"' in page


@pytest.mark.django_db
def test_over_the_hourly_limit_people_are_asked_to_phone(client, organisation, settings):
    settings.REFERRALS_PER_HOUR = 2
    for _ in range(2):
        assert client.post(FORM, answers()).status_code == 302
    response = client.post(FORM, answers())
    assert response.status_code == 429
    page = response.content.decode()
    assert "Please phone us instead" in page
    assert "0300 123 4567" in page
    assert SelfReferral.objects.count() == 2
    # Another address is not held back, and reading the form is never limited.
    assert client.post(FORM, answers(), REMOTE_ADDR="198.51.100.7").status_code == 302
    assert client.get(FORM).status_code == 200


@pytest.mark.django_db
def test_mistakes_do_not_count_towards_the_limit(client, organisation, settings):
    settings.REFERRALS_PER_HOUR = 1
    for _ in range(3):
        assert client.post(FORM, answers(name="")).status_code == 200
    assert client.post(FORM, answers()).status_code == 302


@pytest.mark.django_db
def test_an_email_address_or_a_phone_number_is_needed(client, organisation):
    response = client.post(FORM, answers(email="", phone=""))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a work email address or a phone number" in page
    assert "<title>Error: " in page
    assert not SelfReferral.objects.exists()


@pytest.mark.django_db
def test_the_way_they_chose_needs_its_detail(client, organisation):
    response = client.post(FORM, answers(contact_how="sms"))
    assert "Enter your phone number, or choose email" in response.content.decode()
    assert not SelfReferral.objects.exists()


@pytest.mark.django_db
def test_required_answers_have_specific_messages(client, organisation):
    response = client.post(FORM, answers(name="", team="", what_happened="", contact_how=""))
    page = response.content.decode()
    for message in (
        "Enter your name",
        "Enter your team or ward",
        "Enter a sentence about what happened",
        "Select how you would like us to contact you",
    ):
        assert message in page


@pytest.mark.django_db
def test_too_long_answers_are_refused_with_a_clear_message(client, organisation):
    response = client.post(FORM, answers(what_happened="x" * 301, name="N" * 101))
    page = response.content.decode()
    assert "What happened must be 300 characters or fewer (you have entered 301)" in page
    assert "Your name must be 100 characters or fewer" in page
    assert 'maxlength="300"' not in page  # never cut off silently
    assert not SelfReferral.objects.exists()


@pytest.mark.django_db
def test_a_bad_phone_number_or_a_future_date_is_explained(client, organisation):
    response = client.post(
        FORM,
        answers(
            phone="12345",
            event_date_day="1",
            event_date_month="1",
            event_date_year="2999",
        ),
    )
    page = response.content.decode()
    assert "Enter a UK phone number" in page
    assert "The date it happened must be today or in the past" in page


@pytest.mark.django_db
def test_one_organisation_is_implicit(client, organisation):
    page = client.get(FORM).content.decode()
    assert "Which organisation do you work for?" not in page
    client.post(FORM, answers())
    assert SelfReferral.objects.get().organisation == organisation


@pytest.mark.django_db
def test_where_the_service_serves_several_organisations_the_form_asks_which(
    client, organisation, other_organisation
):
    page = client.get(FORM).content.decode()
    assert "Which organisation do you work for?" in page
    assert other_organisation.name in page
    response = client.post(FORM, answers())
    assert "Select the organisation you work for" in response.content.decode()
    client.post(FORM, answers(organisation=other_organisation.pk))
    assert SelfReferral.objects.get().organisation == other_organisation


@pytest.mark.django_db
def test_submit_referral_checks_its_data_itself(organisation):
    with pytest.raises(ValidationError):
        referral_for(organisation, email="", phone="")
    with pytest.raises(TypeError):
        referral_for(organisation, ip_address="203.0.113.9")
    referral = referral_for(organisation, email="A@Example.org", phone="07700 900 982")
    assert (referral.email, referral.phone) == ("a@example.org", "+447700900982")


# The team's queue and conversion -----------------------------------------------------------


@pytest.mark.django_db
def test_a_request_lands_on_its_organisations_work_queue_at_once(
    client_for, organisation, team_user, other_team_user
):
    referral = referral_for(organisation)
    assert work_queue_for(team_user)["referrals"] == [referral]
    assert work_queue_for(other_team_user)["referrals"] == []
    page = client_for(team_user).get(reverse("incidents:work_queue")).content.decode()
    assert "Requests for support" in page
    assert reverse("public:referral_detail", args=[referral.pk]) in page


@pytest.mark.django_db
def test_the_team_reads_a_request_and_it_is_audited(client_for, organisation, team_user):
    referral = referral_for(organisation)
    response = client_for(team_user).get(reverse("public:referral_detail", args=[referral.pk]))
    assert response.status_code == 200
    assert "A patient I was caring for died" in response.content.decode()
    assert AuditEvent.objects.filter(
        action="referral.viewed", object_id=str(referral.pk), actor=team_user
    ).exists()


@pytest.mark.django_db
def test_conversion_makes_a_member_of_staff_with_consent_and_an_offer_waiting(
    organisation, team_user
):
    referral = referral_for(organisation, phone="07700 900 982", contact_how="sms")
    person = convert_referral(referral, by=team_user)

    assert person.kind == PersonKind.STAFF
    assert person.organisation == organisation
    assert person.review is None
    assert (person.full_name, person.staff_team) == ("Jordan Ashby", "Ward 7")
    assert (person.email, person.phone) == ("jordan.ashby@example.nhs.uk", "+447700900982")
    assert person.preferred_channel == "sms"
    assert person.safe_times == "Weekdays after 5pm"
    assert (person.consent_to_contact, person.consent_to_share) == ("given", "given")
    records = ConsentRecord.objects.filter(person=person)
    assert {r.kind for r in records} == {"contact", "share"}
    assert {r.method for r in records} == {ConsentMethod.SELF_REFERRAL}
    assert {r.recorded_by for r in records} == {team_user}

    (offer,) = person.offers.all()
    assert offer.status == OfferStatus.NEEDS_SUPPORTER
    assert person in people_waiting_for_a_supporter(team_user)

    referral.refresh_from_db()
    assert referral.converted_person == person
    assert referral.converted_by == team_user
    assert referral.converted_at is not None
    assert work_queue_for(team_user)["referrals"] == []
    assert AuditEvent.objects.filter(action="referral.converted").exists()
    assert AuditEvent.objects.filter(action="person.created", object_id=str(person.pk)).exists()


@pytest.mark.django_db
def test_a_request_is_converted_only_once(organisation, team_user):
    referral = referral_for(organisation)
    convert_referral(referral, by=team_user)
    with pytest.raises(ValidationError):
        convert_referral(referral, by=team_user)
    assert AffectedPerson.objects.count() == 1


@pytest.mark.django_db
def test_conversion_can_link_a_review_of_the_same_organisation_only(
    organisation, other_organisation, team_user, review
):
    other_review = ReviewFactory(organisation=other_organisation)
    with pytest.raises(ValidationError):
        convert_referral(referral_for(organisation), by=team_user, review=other_review)
    person = convert_referral(referral_for(organisation), by=team_user, review=review)
    assert person.review == review
    assert person.organisation == organisation
    assert SelfReferral.objects.get(converted_person=person).review == review


@pytest.mark.django_db
def test_without_a_review_the_person_is_seen_by_their_organisations_team_only(
    client_for, organisation, team_user, other_team_user
):
    person = convert_referral(referral_for(organisation), by=team_user)
    assert get_person_for_user(team_user, person.pk) == person
    url = reverse("incidents:person_detail", args=[person.pk])
    page = client_for(team_user).get(url)
    assert page.status_code == 200
    assert "Asked for support themselves" in page.content.decode()
    assert client_for(other_team_user).get(url).status_code == 404
    assert not AffectedPerson.objects.visible_to(other_team_user).filter(pk=person.pk).exists()
    queue = client_for(team_user).get(reverse("incidents:work_queue")).content.decode()
    assert "Jordan Ashby" in queue
    assert "None: asked for support" in queue


@pytest.mark.django_db
def test_people_on_a_restricted_review_stay_hidden(organisation, team_user, make_user):
    from peersupport.roles import Role
    from tests.factories import TeamMemberFactory

    colleague = make_user(Role.TEAM)
    TeamMemberFactory(user=colleague, organisation=organisation)
    restricted = ReviewFactory(
        organisation=organisation, restricted=True, lead_investigator=team_user
    )
    hidden = convert_referral(referral_for(organisation), by=team_user, review=restricted)
    open_one = convert_referral(referral_for(organisation), by=team_user)
    visible = set(AffectedPerson.objects.visible_to(colleague))
    assert open_one in visible
    assert hidden not in visible
    assert hidden in set(AffectedPerson.objects.visible_to(team_user))


@pytest.mark.django_db
def test_the_team_converts_from_the_request_page(client_for, organisation, team_user, review):
    referral = referral_for(organisation)
    client = client_for(team_user)
    url = reverse("public:referral_detail", args=[referral.pk])
    page = client.get(url).content.decode()
    assert "Add as a person affected and offer support" in page
    assert review.reference in page

    response = client.post(url, {"review": review.pk})
    person = AffectedPerson.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:person_detail", args=[person.pk])
    assert person.review == review

    again = client.post(url, {"review": ""})
    assert again.status_code == 302
    assert AffectedPerson.objects.count() == 1
    assert "Added as a person affected" in client.get(url).content.decode()


@pytest.mark.django_db
def test_closed_reviews_and_other_organisations_reviews_are_not_offered(
    client_for, organisation, other_organisation, team_user, review
):
    closed = ReviewFactory(organisation=organisation, status=ReviewStatus.CLOSED)
    elsewhere = ReviewFactory(organisation=other_organisation)
    referral = referral_for(organisation)
    client = client_for(team_user)
    url = reverse("public:referral_detail", args=[referral.pk])
    page = client.get(url).content.decode()
    assert review.reference in page
    assert closed.reference not in page
    assert elsewhere.reference not in page
    response = client.post(url, {"review": elsewhere.pk})
    assert response.status_code == 200
    assert not AffectedPerson.objects.exists()


@pytest.mark.django_db
def test_a_person_with_no_review_can_be_matched(organisation, team_user, make_supporter):
    staff_peer = make_supporter("staff.peer@example.org", pool=Pool.STAFF, staff_team="Ward 9")
    same_team = make_supporter("same.team@example.org", pool=Pool.STAFF, staff_team="Ward 7")
    same_team.home_organisation = organisation
    same_team.save()
    person = convert_referral(referral_for(organisation), by=team_user)
    candidates, excluded = shortlist(person)
    assert [c.supporter for c in candidates] == [staff_peer]
    (out,) = [e for e in excluded if e.supporter == same_team]
    assert any("same team" in why for why in out.why)


@pytest.mark.django_db
def test_a_concern_about_a_person_with_no_review_escalates_to_the_organisations_lead(
    organisation, team_user, make_user, make_supporter
):
    from peersupport.roles import Role
    from supporters import services
    from supporters.practice import services as practice
    from tests.factories import TeamMemberFactory

    lead = make_user(Role.TEAM, "lead@example.org")
    TeamMemberFactory(user=lead, organisation=organisation)
    organisation.lead = lead
    organisation.save()
    peer = make_supporter("staff.peer@example.org", pool=Pool.STAFF)
    person = convert_referral(referral_for(organisation), by=team_user)
    offer = services.assign_supporter(person.offers.get(), peer, by=team_user, via="phone")
    services.record_answer(offer, "accepted", by=team_user)
    concern = practice.raise_concern(
        offer, peer, kind="self_harm", details="Said they feel unsafe tonight."
    )
    assert Message.objects.filter(kind="concern_escalated", user=lead, cause_id=concern.pk).exists()


# Public pages --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_about_page_shows_only_shared_first_names_and_roles(client, organisation, make_user):
    from peersupport.roles import Role

    def peer(email, first, last, **kwargs):
        user = make_user(Role.SUPPORTER, email, first_name=first, last_name=last)
        return PeerSupporterFactory(user=user, organisations=[organisation], **kwargs)

    peer(
        "a@example.org", "Priyanka", "Farrington-Smythe",
        public_first_name="Priya", public_role="Staff nurse, critical care", pool=Pool.STAFF,
    )  # fmt: skip
    peer("b@example.org", "Desmond", "Okafor", public_first_name="Des")
    peer("c@example.org", "Hidden", "Person")
    peer(
        "d@example.org", "Paused", "Peer",
        public_first_name="Paula", status=SupporterStatus.PAUSED,
    )  # fmt: skip
    peer(
        "e@example.org", "Left", "Peer",
        public_first_name="Leonora", status=SupporterStatus.LEFT,
    )  # fmt: skip

    page = client.get(reverse("public:about")).content.decode()
    assert "Priya, Staff nurse, critical care" in page
    assert "Des" in page
    for never in (
        "Priyanka", "Farrington", "Desmond", "Okafor", "Hidden", "Paula", "Leonora", "@example.org",
    ):  # fmt: skip
        assert never not in page
    for number in ("999", "NHS 111", "option 2", "116 123"):
        assert number in page
    assert reverse("public:referral_form") in page


@pytest.mark.django_db
def test_public_pages_say_nothing_about_people(client, organisation, team_user):
    person = convert_referral(referral_for(organisation), by=team_user)
    for name in ("about", "referral_form", "referral_thanks", "privacy", "accessibility"):
        response = client.get(reverse(f"public:{name}"))
        assert response.status_code == 200, name
        page = response.content.decode()
        assert person.full_name not in page
        assert person.email not in page


@pytest.mark.django_db
def test_the_privacy_notice_and_accessibility_statement_have_their_required_parts(client):
    privacy = client.get(reverse("public:privacy")).content.decode()
    for part in (
        "What we hold",
        "Why we hold it",
        "How long we keep it",
        "20 years",
        "10 years after your support ends",
        "6 years after they leave",
        "data protection officer",
        '<a href="https://ico.org.uk/make-a-complaint/"',
    ):
        assert part in privacy, part
    statement = client.get(reverse("public:accessibility")).content.decode()
    for part in (
        "Compliance status",
        "Enforcement procedure",
        "Equality and Human Rights Commission",
        "Preparation of this accessibility statement",
    ):
        assert part in statement, part
    footer = client.get(reverse("account_login")).content.decode()
    assert reverse("public:privacy") in footer
    assert reverse("public:accessibility") in footer


@pytest.mark.django_db
def test_administrators_edit_the_public_pages(client_for, admin_user, client):
    page = PublicPage.objects.get(slug="privacy")
    response = client_for(admin_user).post(
        reverse("admin:peersupport_publicpage_change", args=[page.pk]),
        {"title": "Privacy notice", "body": "## Who to ask\n\nWrite to <dpo@example.nhs.uk>."},
    )
    assert response.status_code == 302
    shown = client.get(reverse("public:privacy")).content.decode()
    assert '<h2 class="nhsuk-heading-m">Who to ask</h2>' in shown
    assert "&lt;" in shown and "<dpo@" not in shown  # escaped, never trusted as HTML


@pytest.mark.django_db
def test_a_missing_page_is_restored_from_the_defaults(client):
    PublicPage.objects.all().delete()
    assert "How long we keep it" in client.get(reverse("public:privacy")).content.decode()
    assert PublicPage.objects.filter(slug="privacy").exists()


def test_page_text_becomes_headings_lists_and_paragraphs():
    blocks = page_blocks("Intro line\nsecond line\n\n## Heading\n\nLead in:\n- one\n- two\nAfter")
    assert blocks == [
        {"kind": "paragraph", "text": "Intro line\nsecond line"},
        {"kind": "heading", "text": "Heading"},
        {"kind": "paragraph", "text": "Lead in:"},
        {"kind": "list", "items": ["one", "two"]},
        {"kind": "paragraph", "text": "After"},
    ]


@pytest.mark.django_db
def test_with_no_organisation_yet_the_form_says_so(client):
    from incidents.models import Organisation

    Organisation.objects.all().delete()
    page = client.get(FORM).content.decode()
    assert "You cannot ask for support online yet" in page
    assert client.post(FORM, answers()).status_code == 200
    assert not SelfReferral.objects.exists()


@pytest.mark.django_db
def test_the_acknowledgement_is_cancelled_if_the_request_is_removed(organisation):
    referral = referral_for(organisation)
    message = Message.objects.get(kind="referral_acknowledgement")
    referral.delete()
    sweep()
    message.refresh_from_db()
    assert message.status == "cancelled"
    assert mail.outbox == []
