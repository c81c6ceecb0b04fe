"""The audit log: logins, failed logins, refused access and views of a person's details are
recorded (who, when, what, from where) without the personal data; administrators search and
export it; nobody can change or delete it (on PostgreSQL the database itself refuses); and the
application's logs carry no personal data either."""

import csv
import io
import json
import logging

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from peersupport import audit, outbox
from peersupport.channels import CHANNELS
from peersupport.models import AuditEvent, Message
from peersupport.roles import Role
from supporters import services
from tests.conftest import PASSWORD, skip_or_fail
from tests.factories import AffectedPersonFactory, OrganisationFactory, ReviewFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:peersupport_auditevent_changelist")


@pytest.fixture
def admin_client(client_for, admin_user):
    return client_for(admin_user)


@pytest.fixture
def elsewhere_person(other_team_user):
    """A person of another organisation: the team member may not see them."""
    organisation = OrganisationFactory(name="Eastmoor Hospitals NHS Trust")
    return AffectedPersonFactory(
        review=ReviewFactory(organisation=organisation), full_name="Rosalind Featherstonehaugh"
    )


# Logins ----------------------------------------------------------------------------------------


def test_a_failed_login_keeps_a_keyed_hash_of_the_email_typed_never_the_email(client, team_user):
    client.post(reverse("account_login"), {"login": "Team.Member@example.org", "password": "no"})
    event = AuditEvent.objects.get(action="login.failed")
    assert event.actor is None and event.ip_address == "127.0.0.1"
    assert event.detail == {"login_hash": audit.keyed_hash("team.member@example.org")}
    stored = json.dumps(event.detail) + event.actor_label + event.object_id
    assert "team.member" not in stored.lower() and "no" not in event.detail.values()


def test_a_successful_login_is_recorded_with_who_and_from_where(client, team_user):
    client.post(reverse("account_login"), {"login": team_user.email, "password": PASSWORD})
    event = AuditEvent.objects.get(action="login")
    assert event.actor == team_user and event.ip_address == "127.0.0.1" and event.at is not None


def test_administrators_find_failed_logins_by_the_email_typed(client, admin_client, team_user):
    client.post(reverse("account_login"), {"login": team_user.email, "password": "wrong-one"})
    client.post(reverse("account_login"), {"login": "someone@else.test", "password": "wrong"})
    response = admin_client.get(CHANGELIST, {"q": team_user.email})
    assert response.status_code == 200
    listed = list(response.context["cl"].queryset)
    assert [e.action for e in listed] == ["login.failed"]
    assert listed[0].detail["login_hash"] == audit.keyed_hash(team_user.email)


# Refused access --------------------------------------------------------------------------------


def test_a_refused_object_is_recorded_by_url_name_and_id_never_the_path_or_query(
    client_for, team_user, elsewhere_person
):
    url = reverse("incidents:person_detail", args=[elsewhere_person.pk])
    response = client_for(team_user).get(url, {"q": "Rosalind Featherstonehaugh"})
    assert response.status_code == 404
    event = AuditEvent.objects.get(action="access.refused")
    assert event.actor == team_user and event.ip_address == "127.0.0.1"
    assert event.detail == {
        "status": 404,
        "url_name": "incidents:person_detail",
        "method": "GET",
        "ids": {"pk": elsewhere_person.pk},
    }
    assert "Featherstonehaugh" not in json.dumps(event.detail)


def test_a_page_refused_to_the_wrong_role_is_recorded(client_for, supporter_user):
    response = client_for(supporter_user).get(reverse("incidents:review_list"))
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="access.refused")
    assert event.actor == supporter_user
    assert event.detail["status"] == 403 and event.detail["url_name"] == "incidents:review_list"


def test_a_logged_in_user_probing_unknown_addresses_is_recorded_without_the_address(
    client_for, team_user
):
    client_for(team_user).get("/people/secret-name-here/")
    event = AuditEvent.objects.get(action="access.refused")
    assert event.detail["url_name"] == "" and "secret" not in json.dumps(event.detail)


def test_a_dead_link_on_a_public_page_is_not_an_audited_refusal(client):
    response = client.get(reverse("feedback:offer_token", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="access.refused").exists()


# Views of identifiable details ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["supporters:match", "supporters:assign"])
def test_the_matching_pages_showing_a_persons_details_are_audited(
    client_for, team_user, consenting_person, supporter, name
):
    kwargs = {"pk": consenting_person.pk}
    if name == "supporters:assign":
        kwargs["supporter_pk"] = supporter.pk
    assert client_for(team_user).get(reverse(name, kwargs=kwargs)).status_code == 200
    event = AuditEvent.objects.get(action="person.viewed")
    assert event.actor == team_user and event.object_id == str(consenting_person.pk)
    assert event.detail == {"page": name.split(":")[1]}


# Append-only ----------------------------------------------------------------------------------


def test_the_admin_has_no_add_edit_or_delete_page_for_the_log(admin_client, team_user):
    event = audit.record("person.viewed", actor=team_user, obj=team_user)
    change = reverse("admin:peersupport_auditevent_change", args=[event.pk])
    delete = reverse("admin:peersupport_auditevent_delete", args=[event.pk])
    assert admin_client.get(reverse("admin:peersupport_auditevent_add")).status_code == 403
    assert admin_client.post(change, {"action": "changed"}).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client.get(change).status_code == 200  # it can be read
    event.refresh_from_db()
    assert event.action == "person.viewed"


def test_a_user_with_audited_actions_cannot_be_deleted_so_their_rows_stay_unchanged(team_user):
    event = audit.record("person.viewed", actor=team_user, obj=team_user)
    with pytest.raises(ProtectedError), transaction.atomic():
        team_user.delete()
    event.refresh_from_db()
    assert event.actor_id == team_user.pk


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_of_audit_rows_but_allows_truncate(team_user):
    if connection.vendor != "postgresql":
        skip_or_fail("the append-only trigger exists only on PostgreSQL")
    event = audit.record("person.viewed", actor=team_user, obj=team_user)
    attempts = [
        lambda: AuditEvent.objects.filter(pk=event.pk).update(action="tampered"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: connection.cursor().execute("UPDATE peersupport_auditevent SET detail = '{}'"),
        lambda: connection.cursor().execute("DELETE FROM peersupport_auditevent"),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    event.refresh_from_db()
    assert event.action == "person.viewed"
    with transaction.atomic():  # the test database's flush still works
        # The row's deferred foreign-key check would otherwise still be pending in this test's
        # transaction; a real flush has none.
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
        connection.cursor().execute("TRUNCATE peersupport_auditevent")
        assert not AuditEvent.objects.exists()
        transaction.set_rollback(True)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# Search and export -----------------------------------------------------------------------------


def test_administrators_export_the_log_as_csv_and_the_export_is_audited(
    admin_client, admin_user, team_user
):
    first = audit.record("person.viewed", actor=team_user, obj=team_user, page="edit")
    second = audit.record("=HYPERLINK(evil)", actor=team_user)
    response = admin_client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [first.pk, second.pk]}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["action"] for r in rows] == ["person.viewed", "'=HYPERLINK(evil)"]
    assert rows[0]["actor_label"] == team_user.email and json.loads(rows[0]["detail"]) == {
        "page": "edit"
    }
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.actor == admin_user and exported.detail == {"rows": 2}


def test_only_administrators_reach_the_log(client_for, team_user, make_user):
    for user in (team_user, make_user(Role.MANAGER)):
        response = client_for(user).get(CHANGELIST)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


# Logs and error reports ------------------------------------------------------------------------


def test_a_failed_send_logs_no_name_or_address(consenting_person, supporter, team_user, caplog):
    class Broken:
        def send(self, message, *, to, context):
            raise RuntimeError(f"relay refused {to} for {consenting_person.full_name}")

    offer = consenting_person.offers.get()
    services.assign_supporter(offer, supporter, by=team_user, via="email")
    message = Message.objects.get(kind="offer_to_person")
    real = CHANNELS["email"]
    CHANNELS["email"] = Broken()
    try:
        with caplog.at_level(logging.DEBUG):
            assert outbox.deliver(message.pk) == "failed"
    finally:
        CHANNELS["email"] = real
    assert "failed unexpectedly" in caplog.text and "RuntimeError" in caplog.text
    for secret in ("Joan", "Whitfield", consenting_person.email):
        assert secret not in caplog.text
    message.refresh_from_db()
    assert consenting_person.email not in message.last_error


def test_a_refused_page_and_a_server_error_log_no_personal_data(
    client_for, team_user, elsewhere_person, caplog
):
    with caplog.at_level(logging.DEBUG):
        url = reverse("incidents:person_detail", args=[elsewhere_person.pk])
        client_for(team_user).get(url, {"name": elsewhere_person.full_name})
        try:
            raise ValueError(f"duplicate key (email)=({elsewhere_person.email})")
        except ValueError:
            logging.getLogger("django.request").exception("Internal Server Error: %s", url)
    assert f"Not Found: {url}" in caplog.text and "ValueError" in caplog.text
    for secret in ("Rosalind", "Featherstonehaugh", elsewhere_person.email):
        assert secret not in caplog.text
