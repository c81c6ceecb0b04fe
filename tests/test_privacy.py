"""Privacy operations for administrators: the subject access export (everything held, support
notes too, as JSON and a readable page, audited), anonymisation (identity and free text gone
from every table, change history included; counts kept; pending messages cancelled), refusing
an erasure request with a reason, and the retention job with its dry run."""

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from incidents import services as incident_services
from incidents.models import AffectedPerson, AvoidDate, ConsentRecord, HarmLevel, ResponseType
from incidents.referrals import convert_referral, submit_referral
from peersupport import outbox
from peersupport.models import Alert, Anonymisation, AuditEvent, ErasureRefusal, Message
from peersupport.privacy import anonymise, retention
from peersupport.roles import Role
from supporters import services
from supporters.models import (
    Concern,
    Contact,
    OfferStatus,
    OfferStatusChange,
    SupporterStatus,
    SupporterStatusChange,
    SupportOffer,
)
from supporters.practice import services as practice
from tests.factories import AffectedPersonFactory, ReviewFactory

pytestmark = pytest.mark.django_db

SURNAME = "Quixotewright"
FIRST = "Zebulon"
NAME = f"{FIRST} {SURNAME}"


def subject_access_url(person):
    return reverse("admin:incidents_affectedperson_subject_access", args=[person.pk])


def export(client, person, fmt):
    return client.post(subject_access_url(person), {"format": fmt})


def erasure_url(person):
    return reverse("admin:incidents_affectedperson_erasure", args=[person.pk])


def _survey_answer(person, offer, text):
    """A survey the person answered in their own words, where the survey models exist."""
    from feedback import models as feedback

    if not hasattr(feedback, "Answer"):
        return None
    questionnaire = feedback.Questionnaire.objects.create(
        slug="privacy-test", name="Privacy test", audience="family_service_user"
    )
    version = feedback.QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1)
    question = feedback.Question.objects.create(
        version=version, code="anything_else", text="Anything else?", kind="text"
    )
    invitation = feedback.Invitation.objects.create(
        questionnaire=questionnaire,
        person=person,
        offer=offer,
        organisation=person.organisation,
        expires_at=timezone.now() + timedelta(days=30),
    )
    response = feedback.Response.objects.create(
        invitation=invitation, version=version, group="family", organisation=person.organisation
    )
    return feedback.Answer.objects.create(response=response, question=question, text=text)


@pytest.fixture
def held(review, team_user, supporter, admin_user, client_for):
    """A person with the distinctive name in everything the service holds about them."""
    person = AffectedPersonFactory(
        review=review,
        full_name=NAME,
        preferred_name=FIRST,
        email=f"{FIRST.lower()}.{SURNAME.lower()}@example.com",
        address=f"1 {SURNAME} Lane\nNorthtown",
        relationship=f"Partner of {SURNAME}",
        consent_to_contact="not_asked",
        consent_to_share="not_asked",
    )
    for kind in ("contact", "share"):
        incident_services.record_consent(person, kind, "given", "phone", by=team_user)
    person.refresh_from_db()
    person.safe_times = f"Ask for {FIRST} after 6pm"
    incident_services.save_person(person, by=team_user)  # a change-history row with the name
    incident_services.add_avoid_date(person, date(2030, 3, 4), "anniversary", by=team_user)
    offer = services.assign_supporter(
        person.offers.get(), supporter, by=team_user, via="email", override_reason=""
    )
    services.record_answer(offer, "accepted", by=team_user)
    offer.refresh_from_db()
    OfferStatusChange.objects.filter(offer=offer).update(note=f"{FIRST} said yes")
    contact = practice.record_contact(
        offer,
        supporter,
        happened_on=timezone.localdate(),
        mode="phone",
        minutes=30,
        topics=["emotional"],
        note=f"{FIRST} talked about the inquest; NOTE-TEXT",
    )
    practice.raise_concern(
        offer, supporter, kind="self_harm", details=f"{NAME} said CONCERN-TEXT", contact=contact
    )
    outbox.sweep()  # in-app alerts to the supporter and team, some naming the person
    answer = _survey_answer(person, offer, f"Thank you, from {NAME}")
    client_for(team_user).get(reverse("incidents:person_detail", args=[person.pk]))
    return {"person": person, "offer": offer, "contact": contact, "answer": answer}


# Subject access --------------------------------------------------------------------------------


def test_the_export_as_json_holds_everything_about_the_person_and_is_audited(
    held, client_for, admin_user
):
    person = held["person"]
    response = export(client_for(admin_user), person, "json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["person"]["full name"] == NAME
    sections = {section["label"]: section["rows"] for section in data["records"]}
    assert {
        "incidents.consentrecord",
        "incidents.avoiddate",
        "supporters.supportoffer",
        "supporters.offerstatuschange",
        "supporters.contact",
        "supporters.concern",
        "peersupport.message",
    } <= set(sections)
    assert any("NOTE-TEXT" in row["note"] for row in sections["supporters.contact"])
    assert any("CONCERN-TEXT" in row["details"] for row in sections["supporters.concern"])
    assert {row["to status"] for row in sections["supporters.offerstatuschange"]} >= {
        "Offered",
        "Accepted",
        "Active",
    }
    assert all("idempotency_key" not in row for row in sections["peersupport.message"])
    if held["answer"] is not None:
        assert any(row["text"].endswith(NAME) for row in sections["feedback.answer"])
    history = {section["label"]: section["rows"] for section in data["change_history"]}
    assert any(row["Safe times to contact"] for row in history["incidents.affectedperson"])
    actions = {event["action"] for event in data["audit_trail"]}
    assert {"person.viewed", "offer.answered", "contact.recorded", "concern.raised"} <= actions
    event = AuditEvent.objects.get(action="person.exported")
    assert event.actor == admin_user and event.object_id == str(person.pk)
    assert event.detail["format"] == "json" and NAME not in json.dumps(event.detail)


def test_the_export_as_a_page_is_readable_escaped_and_audited(held, client_for, admin_user):
    contact = held["contact"]
    contact.note = "<script>alert('x')</script>"
    contact.save()
    response = export(client_for(admin_user), held["person"], "html")
    assert response.status_code == 200
    page = response.content.decode()
    assert NAME in page and "NOTE-TEXT" not in page  # the note was replaced above
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert AuditEvent.objects.get(action="person.exported").detail["format"] == "html"


def test_only_administrators_export_or_erase(held, client_for, team_user, make_user):
    person = held["person"]
    for user in (team_user, make_user(Role.MANAGER), make_user(Role.SUPPORTER)):
        client = client_for(user)
        for response in (export(client, person, "json"), client.get(erasure_url(person))):
            assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not AuditEvent.objects.filter(action="person.exported").exists()


def test_opening_the_export_page_makes_no_export_until_the_button_is_pressed(
    held, client_for, admin_user
):
    response = client_for(admin_user).get(subject_access_url(held["person"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "NOTE-TEXT" not in page and NAME not in page and 'name="format"' in page
    assert not AuditEvent.objects.filter(action="person.exported").exists()


# Anonymisation ---------------------------------------------------------------------------------


def _mentions(text) -> list[str]:
    """Every table and text column (JSON too, change history included) that holds `text`."""
    hits = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                rows = model._default_manager.filter(**{f"{field.attname}__icontains": text})
            elif isinstance(field, models.JSONField):
                rows = model._default_manager.annotate(
                    as_text=Cast(field.attname, models.TextField())
                ).filter(as_text__icontains=text)
            else:
                continue
            if rows.exists():
                hits.append(f"{model._meta.db_table}.{field.column}")
    return hits


def _pending_about(held):
    """Messages still to be sent to or about the person: theirs, or caused by their records."""
    causes = Q(person=held["person"])
    for key in ("offer", "contact"):
        causes |= Q(cause_type=held[key]._meta.label_lower, cause_id=str(held[key].pk))
    concerns = Concern.objects.filter(offer=held["offer"]).values_list("pk", flat=True)
    causes |= Q(cause_type="supporters.concern", cause_id__in=[str(pk) for pk in concerns])
    return Message.objects.filter(causes, status="pending")


def test_anonymising_removes_the_name_from_every_table_and_keeps_the_counts(
    held, client_for, admin_user
):
    person, offer = held["person"], held["offer"]
    anonymise.refuse_erasure(person, reason=f"Inquest about {NAME} pending", by=admin_user)
    assert _mentions(SURNAME), "the test must first put the name somewhere"
    assert Alert.objects.filter(text__contains=FIRST).exists()
    assert _pending_about(held).exists()  # reminders, escalations still to come
    counts = {
        model: model.objects.count()
        for model in (SupportOffer, Contact, Concern, ConsentRecord, AvoidDate, OfferStatusChange)
    }

    response = client_for(admin_user).post(erasure_url(person), {"decision": "anonymise"})
    assert response.status_code == 302

    assert _mentions(SURNAME) == [] and _mentions(FIRST) == []
    assert _mentions("NOTE-TEXT") == [] and _mentions("CONCERN-TEXT") == []
    person.refresh_from_db()
    assert person.full_name == anonymise.ANONYMISED_NAME and person.email == ""
    assert person.kind == "family" and person.bereaved and person.review_id is not None
    assert person.do_not_contact
    for model, count in counts.items():
        expected = count + (1 if model is OfferStatusChange else 0)  # the closing of support
        assert model.objects.count() == expected, model
    assert not _pending_about(held).exists()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.CLOSED
    assert Anonymisation.objects.get(object_id=str(person.pk)).by == admin_user
    event = AuditEvent.objects.get(action="person.anonymised")
    assert event.actor == admin_user and event.detail["reason"] == "erasure_request"
    # Done once: the page says so and changes nothing more.
    assert (
        "already been removed" in client_for(admin_user).get(erasure_url(person)).content.decode()
    )


def test_a_referral_turned_into_a_person_loses_its_text_with_them(organisation, team_user):
    referral = submit_referral(
        organisation=organisation,
        name=NAME,
        email="zq@example.org",
        team=f"Ward of {SURNAME}",
        what_happened=f"{FIRST} was assaulted",
        contact_how="email",
    )
    person = convert_referral(referral, by=team_user)
    anonymise.anonymise_person(person, reason="erasure_request", by=team_user)
    assert _mentions(SURNAME) == [] and _mentions(FIRST) == []
    referral.refresh_from_db()
    assert referral.converted_person == person and referral.organisation == organisation


# Refusing erasure ------------------------------------------------------------------------------


def test_a_refused_erasure_is_recorded_with_its_reason_and_needs_one(held, client_for, admin_user):
    person = held["person"]
    admin = client_for(admin_user)
    response = admin.post(erasure_url(person), {"decision": "refuse", "reason": "  "})
    assert response.status_code == 200
    assert "Enter why the request is refused" in response.content.decode()
    assert not ErasureRefusal.objects.exists()

    reason = "The records are needed for the inquest."
    response = admin.post(erasure_url(person), {"decision": "refuse", "reason": reason})
    assert response.status_code == 302
    refusal = ErasureRefusal.objects.get()
    assert refusal.person == person and refusal.reason == reason
    assert refusal.refused_by == admin_user
    event = AuditEvent.objects.get(action="person.erasure_refused")
    assert event.actor == admin_user and reason not in json.dumps(event.detail)
    person.refresh_from_db()
    assert person.full_name == NAME  # nothing was erased
    assert reason in admin.get(erasure_url(person)).content.decode()
    data = json.loads(export(admin, person, "json").content)
    refusals = {s["label"]: s["rows"] for s in data["records"]}["peersupport.erasurerefusal"]
    assert refusals[0]["reason"] == reason


# Retention -------------------------------------------------------------------------------------

TODAY = date(2046, 6, 1)


def _years_ago(years, days=0):
    return TODAY.replace(year=TODAY.year - years) - timedelta(days=days)


@pytest.fixture
def archive(organisation, service, team_user, make_supporter):
    """Records either side of each retention period (today is TODAY)."""

    def person_on(incident_date, response_type, harm_level, name):
        review = ReviewFactory(
            organisation=organisation,
            service=service,
            lead_investigator=team_user,
            incident_date=incident_date,
            reported_date=incident_date,
            response_type=response_type,
            harm_level=harm_level,
        )
        return AffectedPersonFactory(review=review, full_name=name)

    psii, swarm = ResponseType.PSII, ResponseType.SWARM
    people = {
        "serious_due": person_on(_years_ago(20, 1), psii, HarmLevel.MODERATE, "Serious Due"),
        "serious_kept": person_on(_years_ago(19), ResponseType.OTHER, HarmLevel.DEATH, "Sk Kept"),
        "minor_due": person_on(_years_ago(10, 1), swarm, HarmLevel.LOW, "Minor Due"),
        "minor_kept": person_on(_years_ago(9), swarm, HarmLevel.LOW, "Minor Kept"),
        "still_supported": person_on(_years_ago(25), psii, HarmLevel.DEATH, "Still Supported"),
    }
    services.record_answer(
        SupportOffer.objects.create(
            person=people["still_supported"], supporter=make_supporter(), status="offered"
        ),
        "accepted",
        by=team_user,
    )

    def staff_person(closed_years_ago, name):
        with time_machine.travel(timezone.make_aware(timezone.datetime(2030, 1, 1)), tick=False):
            person = AffectedPersonFactory(
                review=None, organisation=organisation, kind="staff", full_name=name
            )
        SupportOffer.objects.create(
            person=person,
            status=OfferStatus.CLOSED,
            close_reason="persons_choice",
            closed_at=timezone.make_aware(
                timezone.datetime.combine(
                    _years_ago(closed_years_ago), timezone.datetime.min.time()
                )
            ),
        )
        return person

    people["staff_due"] = staff_person(11, "Staff Due")
    people["staff_kept"] = staff_person(9, "Staff Kept")
    with time_machine.travel(timezone.make_aware(timezone.datetime(2035, 1, 1)), tick=False):
        old = submit_referral(
            organisation=organisation,
            name="Old Request",
            phone="07700900123",
            team="Ward 1",
            what_happened="An old event",
            contact_how="phone",
        )
    supporters = {}
    for key, years in (("left_due", 7), ("left_kept", 5)):
        supporter = make_supporter(f"{key}@example.org", first_name=key.title())
        supporter.status = SupporterStatus.LEFT
        supporter.experience = "Bereaved by suicide"
        supporter.save()
        SupporterStatusChange.objects.create(
            supporter=supporter,
            from_status="active",
            to_status="left",
            reason="Moved away",
            changed_at=timezone.make_aware(
                timezone.datetime.combine(_years_ago(years), timezone.datetime.min.time())
            ),
        )
        supporters[key] = supporter
    return {"people": people, "referral": old, "supporters": supporters}


def test_the_retention_dry_run_lists_what_is_due_and_changes_nothing(archive):
    from io import StringIO

    out = StringIO()
    with time_machine.travel(timezone.make_aware(timezone.datetime(2046, 6, 1, 12)), tick=False):
        call_command("apply_retention", "--dry-run", stdout=out)
    text = out.getvalue()
    people = archive["people"]
    for key in ("serious_due", "minor_due", "staff_due"):
        assert f"person affected {people[key].pk}: " in text
    assert f"person affected {people['still_supported'].pk}: " in text
    assert "kept for now: their support is still open" in text
    for key in ("serious_kept", "minor_kept", "staff_kept"):
        assert f"person affected {people[key].pk}:" not in text
    assert f"request for support {archive['referral'].pk}:" in text
    assert f"peer supporter {archive['supporters']['left_due'].pk}:" in text
    assert f"peer supporter {archive['supporters']['left_kept'].pk}:" not in text
    assert "serious incident, 20 years from the incident" in text
    assert "would be anonymised" in text and "Dry run: 6 records found, nothing changed." in text
    for name in ("Serious Due", "Minor Due", "Staff Due", "Old Request", "Left_Due"):
        assert name not in text  # record types and ids, never names
    assert not Anonymisation.objects.exists()
    assert AffectedPerson.objects.filter(full_name="Serious Due").exists()


def test_the_retention_job_anonymises_what_is_past_its_period_and_nothing_else(archive):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2046, 6, 1, 12)), tick=False):
        found = retention.apply_retention()
        again = retention.apply_retention()
    people = archive["people"]
    for person in people.values():
        person.refresh_from_db()
    for key in ("serious_due", "minor_due", "staff_due"):
        assert people[key].full_name == anonymise.ANONYMISED_NAME, key
    for key in ("serious_kept", "minor_kept", "staff_kept", "still_supported"):
        assert people[key].full_name != anonymise.ANONYMISED_NAME, key
    referral = archive["referral"]
    referral.refresh_from_db()
    assert referral.what_happened == "" and referral.phone == ""
    gone, stays = archive["supporters"]["left_due"], archive["supporters"]["left_kept"]
    gone.refresh_from_db()
    stays.refresh_from_db()
    assert gone.experience == "" and gone.user.first_name == "" and not gone.user.is_active
    assert gone.user.email.endswith("@anonymised.invalid")
    assert not gone.status_changes.exclude(reason="").exists()
    assert stays.experience == "Bereaved by suicide"
    assert len(found) == 6 and [item.obj for item in again] == [people["still_supported"]]
    assert AffectedPerson.objects.count() == 7  # anonymised, never deleted
    assert Anonymisation.objects.filter(reason="retention").count() == 5
