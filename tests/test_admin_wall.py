"""The administration site behind the confidentiality wall.

An administrator could read a contact note a character at a time from the admin's result count
(`/admin/supporters/contact/?id=4&note__startswith=Talked`: "1 contact" or "0 contacts"), and
nothing they opened in the admin was audited. Every registered admin is walked here: no lookup,
through any relation and with any suffix, reaches wall-protected text, and every page that shows
people's records writes an audit row as the team's pages do.
"""

import json
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, TO_FIELD_VAR
from django.core import checks
from django.urls import reverse

from peersupport import admin_wall
from peersupport.models import AuditEvent
from supporters.models import Concern, Contact
from tests.factories import AffectedPersonFactory, SupportOfferFactory

pytestmark = pytest.mark.django_db

NOTE = "Talked about the inquest-5521"
DETAILS = "Said she might hurt herself-8812"
SUFFIXES = ["", "__exact", "__startswith", "__regex", "__contains", "__icontains", "__isnull"]
MAX_DEPTH = 3


def wall_paths(model, depth=MAX_DEPTH):
    """Every lookup path from `model` to a wall-protected field, through forward and reverse
    relations, at most `depth` fields long."""
    paths, frontier = [], [("", model)]
    for _ in range(depth):
        following = []
        for prefix, current in frontier:
            for field in current._meta.get_fields():
                name = getattr(field, "name", None)
                if not name or getattr(field, "related_name", "") == "+":
                    continue
                path = f"{prefix}{name}"
                if admin_wall.is_wall_protected(field):
                    paths.append(path)
                elif field.is_relation and field.related_model is not None:
                    following.append((f"{path}__", field.related_model))
        frontier = following
    return paths


def registered():
    """Every model on the admin site, the ones other changes register included (the URL
    configuration registers the dashboard's own admin, so it is loaded first)."""
    import_module(settings.ROOT_URLCONF)
    return [
        pytest.param(model, model_admin, id=model._meta.label)
        for model, model_admin in sorted(
            admin.site._registry.items(), key=lambda item: item[0]._meta.label
        )
    ]


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def admin_client(client_for, admin_user):
    return client_for(admin_user)


@pytest.fixture
def noted(review, supporter):
    """A contact with a note, and a concern, about a person on `review`."""
    person = AffectedPersonFactory(review=review, full_name="Maud Pettigrew")
    offer = SupportOfferFactory(person=person, supporter=supporter)
    contact = Contact.objects.create(
        offer=offer,
        supporter=supporter,
        happened_on=review.reported_date,
        mode="phone",
        minutes=30,
        topics=["emotional"],
        note=NOTE,
    )
    concern = Concern.objects.create(
        offer=offer, contact=contact, raised_by=supporter, kind="self_harm", details=DETAILS
    )
    return {"person": person, "offer": offer, "contact": contact, "concern": concern}


# The finding, exactly ------------------------------------------------------------------------


@pytest.mark.parametrize("lookup", ["note__startswith", "note__regex", "note__contains"])
def test_the_admin_is_no_oracle_for_a_contact_note(admin_client, noted, lookup):
    contact = noted["contact"]
    url = changelist(Contact)
    answers = {
        prefix: admin_client.get(url, {"id": contact.pk, lookup: prefix})
        for prefix in ("Talked", "Zzz")
    }
    for response in answers.values():
        assert response.status_code == 400
        body = response.content.decode()
        assert "kept confidential" in body
        assert "1 contact" not in body and "0 contacts" not in body and NOTE not in body
    refused = AuditEvent.objects.filter(action="admin.lookup_refused")
    assert refused.count() == 2
    assert {json.dumps(e.detail) for e in refused} == {
        json.dumps({"model": "supporters.contact", "lookups": [lookup]})
    }


# Every admin, every path to wall-protected text ----------------------------------------------


def test_every_path_to_wall_protected_text_is_found_by_the_walker():
    """The walker itself can fail: it must reach the note from the models that relate to it."""
    assert "note" in wall_paths(Contact)
    assert "offer__contacts__note" in wall_paths(Concern)
    assert {"contact__note", "offer__concerns__details"} <= set(wall_paths(Concern))


@pytest.mark.parametrize(
    "model, model_admin", registered(), ids=lambda v: getattr(v, "__name__", "")
)
def test_no_lookup_of_any_registered_admin_reaches_wall_protected_text(
    admin_client, admin_user, rf, noted, model, model_admin
):
    request = rf.get("/")
    request.user = admin_user
    paths = wall_paths(model)
    for path in paths:
        for suffix in SUFFIXES:
            value = "False" if suffix == "__isnull" else "T"
            assert not model_admin.lookup_allowed(path + suffix, value, request), path + suffix
    url = changelist(model)
    # Over HTTP, the shortest path to each protected field with every suffix.
    shortest = {}
    for path in paths:
        shortest.setdefault(path.rsplit("__", 1)[-1], path)
    for path in shortest.values():
        for suffix in SUFFIXES:
            value = "False" if suffix == "__isnull" else "Talked"
            response = admin_client.get(url, {path + suffix: value})
            assert response.status_code == 400, (url, path + suffix, response.status_code)
            body = response.content.decode()
            assert NOTE not in body and "result" not in body.lower()


@pytest.mark.parametrize(
    "model, model_admin", registered(), ids=lambda v: getattr(v, "__name__", "")
)
def test_no_admin_sorts_or_links_by_wall_protected_text(admin_client, noted, model, model_admin):
    url = changelist(model)
    protected = {"note", "details", "action_taken", "text"}
    for index in range(len(model_admin.list_display) + 1):
        response = admin_client.get(url, {ORDER_VAR: str(index)})
        assert response.status_code == 200, (url, index)
        ordering = response.context["cl"].queryset.query.order_by
        assert not {str(o).lstrip("-").split("__")[-1] for o in ordering} & protected
    for to_field in wall_paths(model, depth=1):
        assert admin_client.get(url, {TO_FIELD_VAR: to_field}).status_code == 400


def test_no_registered_admin_names_wall_protected_text_and_all_are_behind_the_wall():
    errors = [
        e for e in checks.run_checks(tags=[checks.Tags.admin]) if e.id.startswith("peersupport.")
    ]
    assert errors == []
    assert all(isinstance(a, admin_wall.WallAdmin) for a in admin.site._registry.values())


def test_the_system_check_refuses_an_admin_that_would_list_search_or_sort_by_a_note():
    class Careless(admin.ModelAdmin):
        list_display = ("happened_on", "note")
        search_fields = ("offer__contacts__note",)
        ordering = ("-note",)

    site = admin_wall.WallAdminSite(name="careless")
    site.register(Contact, Careless)
    errors = site._registry[Contact].check()
    assert {e.id for e in errors} == {"peersupport.E101", "peersupport.E102"}
    assert sorted(
        e.msg.split(": ")[1].split(" names")[0] for e in errors if e.id.endswith("1")
    ) == [
        "list_display",
        "ordering",
        "search_fields",
    ]
    assert isinstance(site._registry[Contact], admin_wall.WallAdmin)


def test_a_hidden_field_is_no_oracle_either(admin_client, noted):
    """The person admin shows ids and status only: their name cannot be guessed from counts."""
    url = changelist(type(noted["person"]))
    response = admin_client.get(url, {"full_name__startswith": "Maud"})
    assert response.status_code == 400


def test_ordinary_lookups_still_work(admin_client, noted):
    offers = admin_client.get(changelist(type(noted["offer"])), {"status__exact": "active"})
    assert offers.status_code == 200 and offers.context["cl"].result_count == 1
    none = admin_client.get(changelist(type(noted["offer"])), {"status__exact": "closed"})
    assert none.status_code == 200 and none.context["cl"].result_count == 0
    person = noted["person"]
    people = admin_client.get(
        changelist(type(person)), {"id": person.pk, "kind__exact": person.kind}
    )
    assert people.status_code == 200 and people.context["cl"].result_count == 1
    contacts = admin_client.get(changelist(Contact), {"id": noted["contact"].pk})
    assert contacts.status_code == 200 and contacts.context["cl"].result_count == 1


# Every admin view of a person's records is audited -------------------------------------------


def _events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_opening_a_person_in_the_admin_is_audited(admin_client, admin_user, noted):
    person = noted["person"]
    opts = "admin:incidents_affectedperson"
    for page in ("change", "history", "delete"):
        response = admin_client.get(reverse(f"{opts}_{page}", args=[person.pk]))
        assert response.status_code == 200, page
    viewed = _events("person.viewed")
    assert [(e.object_id, e.detail["page"]) for e in viewed] == [
        (str(person.pk), "admin:change"),
        (str(person.pk), "admin:history"),
        (str(person.pk), "admin:delete"),
    ]
    assert all(
        e.actor == admin_user and e.object_type == "incidents.affectedperson" for e in viewed
    )


def test_admin_lists_and_search_results_are_audited_with_typed_text_withheld(
    admin_client, noted, review
):
    person = noted["person"]
    admin_client.get(changelist(type(person)), {"kind__exact": person.kind})
    admin_client.get(changelist(type(review)), {"q": review.reference})
    admin_client.get(changelist(Contact))
    (people,) = _events("person.listed")
    assert people.detail == {
        "page": "admin:changelist",
        "query": {"kind__exact": person.kind},
        "count": 1,
        "ids": [person.pk],
    }
    (reviews,) = _events("review.listed")
    assert reviews.detail["query"] == {"q": "(withheld)"} and reviews.detail["ids"] == [review.pk]
    assert review.reference not in json.dumps(reviews.detail)
    (contacts,) = _events("contact.listed")
    assert contacts.detail["ids"] == [noted["contact"].pk]
    assert NOTE not in json.dumps([e.detail for e in AuditEvent.objects.all()])


def test_admin_pages_of_offers_contacts_reviews_and_their_history_are_audited(
    admin_client, noted, review
):
    pages = [
        ("admin:supporters_supportoffer_change", noted["offer"], "offer.viewed"),
        ("admin:supporters_contact_change", noted["contact"], "contact.viewed"),
        ("admin:supporters_contact_history", noted["contact"], "contact.viewed"),
        ("admin:incidents_review_change", review, "review.viewed"),
        ("admin:incidents_review_history", review, "review.viewed"),
    ]
    for name, obj, _ in pages:
        assert admin_client.get(reverse(name, args=[obj.pk])).status_code == 200, name
    viewed = AuditEvent.objects.filter(action__endswith=".viewed").order_by("id")
    recorded = [(e.action, e.object_id) for e in viewed]
    assert recorded == [(action, str(obj.pk)) for _, obj, action in pages]
