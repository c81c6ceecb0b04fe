"""The person's say in who supports them (issue 19): preferences on the offer page, changing an
answer from the link until support starts, the shortlist's mismatches, the team's lists, and
keeping gender and background out of every export."""

import csv
import importlib
import io
import json
from datetime import time

import pytest
from django.apps import apps
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from feedback.offer_links import offer_answer_url
from incidents.models import AffectedPerson
from peersupport.models import AuditEvent
from peersupport.privacy import anonymise
from peersupport.privacy.subject_access import subject_access_export
from supporters import services
from supporters.models import OfferStatus
from tests.test_offer_answer import ANSWER, THANKS, answer_data, path_of

pytestmark = pytest.mark.django_db

# Words nobody else would write, to search every export for.
OWN_GENDER = "Zephyrine"
OWN_BACKGROUND = "Quillmarsh heritage"


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def offered(consenting_person, supporter, team_user):
    waiting = consenting_person.offers.get(status=OfferStatus.NEEDS_SUPPORTER)
    return services.assign_supporter(waiting, supporter, by=team_user, via="phone")


@pytest.fixture
def offer_link(offered):
    return path_of(offer_answer_url(offered))


@pytest.fixture
def opened_link(client, offer_link):
    assert client.get(offer_link).status_code == 302
    return client


def preferences_data(**extra):
    data = {
        "gender": "woman",
        "background": "self",
        "background_own": OWN_BACKGROUND,
        "matching_consent": "on",
        "language": "polish",
        "experience": "bereaved-suicide",
        "contact_time": "evenings",
    }
    data.update(extra)
    return data


def post(client, answer="accepted", **preferences):
    return client.post(ANSWER, {**answer_data(answer), **preferences_data(**preferences)})


# The offered page --------------------------------------------------------------------------------


def test_the_page_says_who_is_offered_what_to_expect_and_the_codes_promises(opened_link):
    page = opened_link.get(ANSWER).content.decode()
    assert "Who we are offering you" in page and "Sam is a trained volunteer" in page
    assert "What to expect" in page
    assert "Confidentiality:" in page and "Boundaries:" in page
    assert "What matters to you in a supporter" in page
    assert "Prefer to self-describe" in page


def test_the_person_states_preferences_with_consent_and_accepts(opened_link, offered):
    assert post(opened_link).status_code == 302
    person = AffectedPerson.objects.get(pk=offered.person_id)
    assert person.prefers_supporter_gender == "woman"
    assert (person.prefers_shared_background, person.prefers_shared_background_own) == (
        "self",
        OWN_BACKGROUND,
    )
    assert person.prefers_language == "polish"
    assert person.prefers_lived_experience == "bereaved-suicide"
    assert person.matching_consent_at is not None
    assert (person.safe_from, person.safe_until) == (time(17), time(20))
    assert person.safe_times == "Evenings (5pm to 8pm)"
    event = AuditEvent.objects.get(action="person.preferences_changed")
    assert OWN_BACKGROUND not in json.dumps(event.detail) and "woman" not in json.dumps(
        event.detail
    )


def test_gender_or_background_without_consent_is_explained_and_nothing_is_kept(
    opened_link, offered
):
    data = {**answer_data("accepted"), **preferences_data()}
    del data["matching_consent"]
    response = opened_link.post(ANSWER, data)
    assert response.status_code == 200
    assert "Tick the box to agree" in response.content.decode()
    assert response.content.decode().count("There is a problem") == 1
    offered.refresh_from_db()
    assert offered.status == OfferStatus.OFFERED
    person = AffectedPerson.objects.get(pk=offered.person_id)
    assert person.prefers_supporter_gender == "" and person.prefers_language == ""


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"gender": "robot"}, "Select a valid choice"),
        ({"background_own": "x" * 101}, "100 characters or fewer"),
        ({"channel": "pigeon"}, "Select a valid choice"),
    ],
)
def test_bad_preferences_are_explained_never_a_server_error(opened_link, offered, extra, message):
    response = post(opened_link, **extra)
    assert response.status_code == 200
    assert message in response.content.decode()
    offered.refresh_from_db()
    assert offered.status == OfferStatus.OFFERED


def test_reopening_the_link_shows_the_answer_and_changes_it_to_later(client, offer_link, offered):
    client.get(offer_link)
    post(client)
    client.get(offer_link)
    page = client.get(ANSWER).content.decode()
    assert "Change your answer about peer support" in page
    assert "yes, you would like support" in page
    assert 'value="accepted" checked' in page.replace('checked=""', "checked")
    response = post(client, "later")
    assert response.status_code == 302
    assert "Your answer has been changed" in client.get(THANKS).content.decode()
    offered.refresh_from_db()
    assert offered.status == OfferStatus.LATER and offered.contact_again_on is not None
    change = offered.status_changes.last()
    assert (change.from_status, change.to_status, change.changed_by) == (
        OfferStatus.ACCEPTED,
        OfferStatus.LATER,
        None,
    )
    assert AuditEvent.objects.filter(action="offer.answer_changed").exists()


def test_the_same_answer_again_adds_no_status_change(client, offer_link, offered):
    client.get(offer_link)
    post(client)
    changes = offered.status_changes.count()
    client.get(offer_link)
    assert post(client, language="welsh").status_code == 302
    assert offered.status_changes.count() == changes
    assert AffectedPerson.objects.get(pk=offered.person_id).prefers_language == "welsh"


def test_the_person_withdraws_gender_and_background(client, offer_link, offered):
    client.get(offer_link)
    post(client)
    client.get(offer_link)
    data = {**answer_data("accepted"), **preferences_data(gender="", background="")}
    del data["matching_consent"]
    assert client.post(ANSWER, data).status_code == 302
    person = AffectedPerson.objects.get(pk=offered.person_id)
    assert person.prefers_supporter_gender == person.prefers_shared_background == ""
    assert person.prefers_shared_background_own == "" and person.matching_consent_at is None
    assert person.prefers_language == "polish"  # the rest stays
    assert AuditEvent.objects.filter(
        action="person.preferences_changed", detail__consent_withdrawn=True
    ).exists()


def test_unticking_consent_withdraws_them_too(client, offer_link, offered):
    client.get(offer_link)
    post(client)
    client.get(offer_link)
    data = {**answer_data("accepted"), **preferences_data(gender="", background="")}
    data.pop("matching_consent")
    client.post(ANSWER, data)
    assert AffectedPerson.objects.get(pk=offered.person_id).matching_consent_at is None


def test_after_support_starts_the_link_changes_nothing_and_says_how_to_reach_the_team(
    client, offer_link, offered, supporter
):
    from supporters.practice.services import record_contact  # noqa: F401

    client.get(offer_link)
    post(client)
    offered.refresh_from_db()
    services._set_offer_status(offered, OfferStatus.ACTIVE, by=supporter.user)
    offered.save()
    client.get(offer_link)
    page = client.get(ANSWER)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Your peer support has started" in content and "0300 123 4567" in content
    assert "has expired or has already been used" not in content
    client.get(offer_link)
    post(client, "declined")
    offered.refresh_from_db()
    assert offered.status == OfferStatus.ACTIVE


def test_once_the_team_offers_again_the_old_link_changes_nothing(
    client, offer_link, offered, team_user
):
    client.get(offer_link)
    post(client, "later")
    offered.refresh_from_db()
    services.offer_again(offered.person, by=team_user)
    client.get(offer_link)
    assert "Contact the team about your support" in client.get(ANSWER).content.decode()
    post(client, "accepted")
    offered.refresh_from_db()
    assert offered.status == OfferStatus.LATER


# The shortlist and the confirm page ------------------------------------------------------------


@pytest.fixture
def asked_for_a_woman(consenting_person):
    consenting_person.prefers_supporter_gender = "woman"
    consenting_person.matching_consent_at = timezone.now()
    consenting_person.save()
    return consenting_person


def test_the_shortlist_flags_a_mismatch(client_for, team_user, asked_for_a_woman, supporter):
    supporter.gender = "man"
    supporter.save()
    page = client_for(team_user).get(reverse("supporters:match", args=[asked_for_a_woman.pk]))
    content = page.content.decode()
    assert "Asked for a woman supporter: not matched" in content


def test_assigning_a_mismatch_needs_a_reason_which_is_kept_and_audited(
    client_for, team_user, asked_for_a_woman, supporter
):
    supporter.gender = "man"
    supporter.save()
    url = reverse("supporters:assign", args=[asked_for_a_woman.pk, supporter.pk])
    client = client_for(team_user)
    assert "does not meet what" in client.get(url).content.decode()
    refused = client.post(url, {"via": "phone", "preference_reason": "  "})
    assert refused.status_code == 200
    assert "Enter why you are offering a supporter" in refused.content.decode()
    offered = asked_for_a_woman.offers.get()
    assert offered.status == OfferStatus.NEEDS_SUPPORTER
    done = client.post(url, {"via": "phone", "preference_reason": "Nobody else is free"})
    assert done.status_code == 302
    offered.refresh_from_db()
    assert offered.status == OfferStatus.OFFERED
    assert offered.preference_override_reason == "Nobody else is free"
    event = AuditEvent.objects.get(action="offer.assigned")
    assert event.detail["preferences_not_met"] == 1


def test_the_service_refuses_a_mismatch_without_a_reason(asked_for_a_woman, supporter, team_user):
    from django.core.exceptions import ValidationError

    supporter.gender = "man"
    supporter.save()
    with pytest.raises(ValidationError, match="does not meet what they asked for"):
        services.assign_supporter(asked_for_a_woman.offers.get(), supporter, by=team_user)


# The team's form -------------------------------------------------------------------------------


def test_the_team_records_preferences_from_the_same_lists_with_consent(
    client_for, team_user, consenting_person
):
    from incidents.forms import PersonForm

    form = PersonForm(instance=consenting_person)
    assert ("woman", "A woman") in form.fields["prefers_supporter_gender"].choices
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(prefers_supporter_gender="woman", prefers_language="urdu")
    bound = PersonForm(data, instance=consenting_person)
    assert not bound.is_valid()
    assert "Confirm they agreed" in str(bound.errors["matching_consent"])
    bound = PersonForm({**data, "matching_consent": "on"}, instance=consenting_person)
    assert bound.is_valid(), bound.errors
    person = bound.save()
    assert person.matching_consent_at is not None


def test_free_text_from_before_the_lists_is_mapped_and_kept_as_a_note(consenting_person):
    migration = importlib.import_module("incidents.migrations.0011_person_preferences")
    AffectedPerson.objects.filter(pk=consenting_person.pk).update(
        prefers_supporter_gender="Female",
        prefers_shared_background="Somali Muslim",
        prefers_language="Polish",
        prefers_lived_experience="Lost my dad in hospital",
    )
    migration.to_lists(apps, None)
    person = AffectedPerson.objects.get(pk=consenting_person.pk)
    assert person.prefers_supporter_gender == "woman"
    assert (person.prefers_shared_background, person.prefers_shared_background_own) == (
        "self",
        "Somali Muslim",
    )
    assert person.prefers_language == "polish"
    assert person.prefers_lived_experience_own == "Lost my dad in hospital"
    assert "Gender: Female" in person.preferences_note
    assert "Experience: Lost my dad in hospital" in person.preferences_note
    assert person.matching_consent_at is None  # nobody recorded consent: not used yet


# Exports, subject access and erasure -----------------------------------------------------------


@pytest.fixture
def stated(client, offer_link, offered, supporter):
    client.get(offer_link)
    post(client, gender="self", gender_own=OWN_GENDER)
    return AffectedPerson.objects.get(pk=offered.person_id)


def test_preferences_are_in_no_export_or_csv(
    stated, client_for, team_user, manager_user, admin_user, organisation
):
    exports = [
        client_for(manager_user).get(reverse("dashboard_csv") + f"?organisation={organisation.pk}"),
        client_for(team_user).get(reverse("feedback:survey_export")),
        client_for(admin_user).post(
            reverse("admin:peersupport_auditevent_changelist"),
            {
                "action": "export_csv",
                "_selected_action": list(AuditEvent.objects.values_list("pk", flat=True)),
            },
        ),
    ]
    for response in exports:
        assert response.status_code == 200, response
        body = response.content.decode()
        assert list(csv.reader(io.StringIO(body)))  # a CSV, searched whole
        for secret in (OWN_GENDER, OWN_BACKGROUND, "Polish", "Bereaved by suicide", "Evenings"):
            assert secret not in body


def test_the_persons_own_subject_access_export_includes_them(stated, admin_user):
    data = subject_access_export(stated, by=admin_user, fmt="json")
    text = json.dumps(data, default=str)
    assert OWN_GENDER in text and OWN_BACKGROUND in text


def test_erasure_blanks_every_preference_and_ends_the_link(stated, client, offer_link, team_user):
    anonymise.anonymise_person(stated, reason="erasure_request", by=team_user)
    person = AffectedPerson.objects.get(pk=stated.pk)
    for name in (
        "prefers_supporter_gender",
        "prefers_supporter_gender_own",
        "prefers_shared_background",
        "prefers_shared_background_own",
        "prefers_language",
        "prefers_lived_experience",
        "prefers_contact_time",
        "preferences_note",
    ):
        assert getattr(person, name) == "", name
    assert person.matching_consent_at is None
    history = json.dumps(list(person.history.values()), default=str)
    assert OWN_GENDER not in history and OWN_BACKGROUND not in history
    assert client.get(offer_link).status_code == 404
