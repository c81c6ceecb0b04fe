"""Bereaved families and service users: the public page, the guides, tier 0 resources, the
no-account form and its acknowledgement, and the team linking a request to a review and a person
or closing it."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from incidents.forms_public import FamilyRequestForm
from incidents.models import (
    ConsentMethod,
    ConsentRecord,
    PersonKind,
    ReferralCloseReason,
    ReferralKind,
    SelfReferral,
)
from incidents.referrals import close_referral, convert_referral, submit_referral
from incidents.views_public import REFERRALS
from peersupport.models import AuditEvent, Message
from peersupport.outbox import sweep
from supporters.models import OfferStatus, Resource
from supporters.views_public import GUIDES
from tests.factories import AffectedPersonFactory, ReviewFactory

FORM = reverse("public:family_request")
THANKS = reverse("public:family_request_thanks")


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def answers(**overrides):
    data = {
        "kind": "family",
        "name": "Helen Marsh",
        "email": "helen.marsh@example.com",
        "phone": "",
        "review_reference": "",
        "contact_how": "email",
        "contact_when": "Weekday mornings",
        "needs": "My sister would like to come with me.",
        "website": "",
    }
    data.update(overrides)
    return data


def family_request(organisation, **overrides):
    data = {
        "kind": ReferralKind.FAMILY,
        "organisation": organisation,
        "name": "Helen Marsh",
        "email": "helen.marsh@example.com",
        "phone": "",
        "review_reference": "",
        "needs": "",
        "contact_how": "email",
        "contact_when": "",
    }
    data.update(overrides)
    return submit_referral(**data)


# The public pages ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_families_page_is_reached_from_the_login_staff_and_every_page(client):
    families = reverse("public:families")
    for path in (reverse("account_login"), reverse("public:about"), reverse("public:privacy")):
        assert f'href="{families}"' in client.get(path).content.decode(), path
    page = client.get(families).content.decode()
    assert "not part of the review" in page
    for slug in GUIDES:
        assert reverse("public:family_guide", args=[slug]) in page
    assert reverse("public:family_request") in page


@pytest.mark.django_db
def test_each_guide_reads_without_a_login_and_an_unknown_one_is_not_found(client):
    for slug, (title, _) in GUIDES.items():
        response = client.get(reverse("public:family_guide", args=[slug]))
        assert response.status_code == 200
        assert title in response.content.decode()
    assert client.get(reverse("public:family_guide", args=["no-such-guide"])).status_code == 404


@pytest.mark.django_db
def test_tier_0_resources_are_public_and_the_supporter_pack_is_not(client):
    page = client.get(reverse("public:resources")).content.decode()
    assert "Coping after a traumatic event at work" in page
    assert "Preparing for an inquest" in page
    assert "INQUEST" in page
    pack = Resource.objects.get(kind=Resource.Kind.SUPPORTER_PACK)
    assert pack.title not in page
    assert client.get(reverse("practice:resources")).status_code == 302  # to the login page


# The form ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_family_request_lands_on_the_queue_and_is_acknowledged_without_detail(
    client, organisation
):
    response = client.post(FORM, answers(review_reference="LR-2026-999"))
    assert response.status_code == 302 and response.url == THANKS
    referral = SelfReferral.objects.get()
    assert referral.kind == ReferralKind.FAMILY
    assert referral.review_reference == "LR-2026-999"
    assert referral.review is None  # never looked up
    thanks = client.get(THANKS).content.decode()
    for words in ("2 working days", "at night, at weekends", "111", "999", "116 123"):
        assert words in thanks
    assert "LR-2026-999" not in thanks
    sweep()
    (email,) = mail.outbox
    assert email.to == ["helen.marsh@example.com"]
    for words in ("2 working days", "at night, at weekends", "111", "999", "116 123"):
        assert words in email.body
    assert "LR-2026-999" not in email.body
    assert "review" not in email.body.lower().replace("peer support", "")


@pytest.mark.django_db
def test_the_acknowledgement_is_the_same_whether_or_not_a_review_exists(client, review):
    first = client.post(FORM, answers(review_reference=review.reference), follow=True)
    second = client.post(FORM, answers(review_reference="NOT-A-REVIEW"), follow=True)
    assert first.content == second.content


@pytest.mark.django_db
def test_staff_questions_are_not_asked_of_a_family(organisation):
    form = FamilyRequestForm(organisations=[organisation])
    assert {"team", "what_happened", "event_date"}.isdisjoint(form.fields)
    assert {"kind", "review_reference", "needs"} <= set(form.fields)


@pytest.mark.django_db
def test_the_honeypot_and_the_shared_rate_limit_store_nothing(client, organisation, settings):
    response = client.post(FORM, answers(website="http://spam.example"))
    assert response.url == THANKS
    assert not SelfReferral.objects.exists()
    settings.REFERRALS_PER_HOUR = 1  # one count for the staff and the family forms
    cache.clear()
    assert REFERRALS.limit == 1
    client.post(reverse("public:referral_form"), {"name": ""})  # a mistake is given back
    assert client.post(FORM, answers()).status_code == 302
    limited = client.post(FORM, answers(name="Second Try"))
    assert limited.status_code == 429
    assert SelfReferral.objects.count() == 1


@pytest.mark.django_db
def test_mistakes_get_clear_messages_and_nothing_is_stored(client, organisation):
    response = client.post(FORM, answers(kind="", email="", phone="", needs="x" * 501))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select who you are" in page
    assert "Enter an email address or a phone number" in page
    assert "500 characters or fewer (you have entered 501)" in page
    assert not SelfReferral.objects.exists()


# The team links or closes it -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_team_links_a_request_to_someone_already_on_the_review(client_for, team_user, review):
    mother = AffectedPersonFactory(
        review=review, full_name="Helen Marsh", kind=PersonKind.FAMILY, email=""
    )
    referral = family_request(review.organisation, review_reference=review.reference)
    client = client_for(team_user)
    page = client.get(reverse("public:referral_detail", args=[referral.pk])).content.decode()
    assert "Link to the review and offer support" in page
    assert review.reference in page
    response = client.post(
        reverse("public:referral_detail", args=[referral.pk]),
        {"review": review.pk, "person": mother.pk},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    mother.refresh_from_db()
    assert referral.converted_person == mother and referral.review == review
    assert mother.email == "helen.marsh@example.com"  # filled in; nothing overwritten
    records = ConsentRecord.objects.filter(person=mother, method=ConsentMethod.SELF_REFERRAL)
    assert {r.kind for r in records} == {ConsentRecord.Kind.CONTACT, ConsentRecord.Kind.SHARE}
    assert mother.offers.get().status == OfferStatus.NEEDS_SUPPORTER
    event = AuditEvent.objects.filter(action="referral.converted").get()
    assert event.detail.get("linked") is True


@pytest.mark.django_db
def test_a_family_request_needs_a_review_and_is_added_with_its_kind(team_user, review):
    referral = family_request(
        review.organisation, kind=ReferralKind.SERVICE_USER, needs="Large print"
    )
    with pytest.raises(ValidationError):
        convert_referral(referral, by=team_user)
    person = convert_referral(referral, by=team_user, review=review)
    assert person.kind == PersonKind.SERVICE_USER
    assert person.review == review
    assert person.accessibility_needs == "Large print"


@pytest.mark.django_db
def test_a_person_on_another_review_or_staff_cannot_be_linked(team_user, review):
    other = ReviewFactory(organisation=review.organisation, service=review.service)
    elsewhere = AffectedPersonFactory(review=other, kind=PersonKind.FAMILY)
    staff = AffectedPersonFactory(review=review, kind=PersonKind.STAFF)
    referral = family_request(review.organisation)
    for person in (elsewhere, staff):
        with pytest.raises(ValidationError):
            convert_referral(referral, by=team_user, review=review, person=person)
    assert not SelfReferral.objects.get().is_converted


@pytest.mark.django_db
def test_a_closed_family_request_is_told_kindly_as_a_family(team_user, organisation):
    referral = family_request(organisation)
    close_referral(referral, by=team_user, reason=ReferralCloseReason.NOT_FOR_THIS_SERVICE)
    sweep()
    closed = [m for m in mail.outbox if "About your request" in m.subject]
    assert closed and "Cruse" in closed[0].body
    assert "occupational health" not in closed[0].body
    assert "The peer support team" in closed[0].body
    assert Message.objects.filter(kind="referral_closed").count() == 1
