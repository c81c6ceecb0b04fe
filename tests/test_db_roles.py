"""The database keeps the audit (finding 4): the service connects as its own role, which may add
to and read the audit log but never empty, change or unguard it, and owns nothing.

The suite itself runs as the owner (flushing the test database needs TRUNCATE). The tests below
make a service role of their own, grant it as `migrate` does, and log in as it.
"""

import importlib
import io
import os
from datetime import datetime, timedelta
from types import SimpleNamespace

import psycopg2
import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from peersupport import audit
from peersupport.models import AuditEvent, JobRun
from tests.conftest import skip_or_fail

AUDIT = "peersupport_auditevent"

REFUSED_ON_THE_AUDIT_LOG = {
    "truncate": f"TRUNCATE {AUDIT}",
    "truncate cascade": f"TRUNCATE {AUDIT} CASCADE",
    "update": f"UPDATE {AUDIT} SET action = 'tampered'",
    "delete": f"DELETE FROM {AUDIT}",
    "disable its trigger": f"ALTER TABLE {AUDIT} DISABLE TRIGGER peersupport_auditevent_append_only",
    "disable all triggers": f"ALTER TABLE {AUDIT} DISABLE TRIGGER ALL",
    "drop its trigger": f"DROP TRIGGER peersupport_auditevent_append_only ON {AUDIT}",
    "drop it": f"DROP TABLE {AUDIT} CASCADE",
    "rename it": f"ALTER TABLE {AUDIT} RENAME TO peersupport_auditevent_old",
    "take it over": f"ALTER TABLE {AUDIT} OWNER TO CURRENT_USER",
    "lock it": f"LOCK TABLE {AUDIT} IN ACCESS EXCLUSIVE MODE",
    "own a table": "CREATE TABLE peersupport_mine (id integer)",
}


def new_role_name() -> str:
    return f"ps_app_test_{os.urandom(4).hex()}"


def on_postgresql():
    if connection.vendor != "postgresql":
        skip_or_fail("database roles exist only on PostgreSQL")


@pytest.fixture(scope="module")
def service_role(django_db_setup, django_db_blocker):
    """A login role granted as `migrate` grants the service's role, committed so that a second
    connection can log in as it; dropped afterwards."""
    from peersupport.db_roles import grant_service_role

    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            yield None
            return
        role = new_role_name()
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE ROLE {role} LOGIN")
        try:
            assert grant_service_role(connection, role) is True
            yield role
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"REASSIGN OWNED BY {role} TO CURRENT_USER")
                cursor.execute(f"DROP OWNED BY {role}")
                cursor.execute(f"DROP ROLE {role}")


@pytest.fixture
def as_service(service_role):
    """A connection logged in as the service's role. Every statement is rolled back, so nothing
    it manages to do outlives the test."""
    on_postgresql()
    params = connection.get_connection_params()
    login = psycopg2.connect(
        dbname=params["dbname"],
        host=params.get("host") or None,
        port=params.get("port") or None,
        user=service_role,
    )
    try:
        yield login
    finally:
        login.rollback()
        login.close()


def run(login, statement, params=None):
    try:
        with login.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else cursor.rowcount
    finally:
        login.rollback()


# The service's role and the audit log -----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement", REFUSED_ON_THE_AUDIT_LOG.values(), ids=list(REFUSED_ON_THE_AUDIT_LOG)
)
def test_the_service_role_is_refused_every_way_of_emptying_or_unguarding_the_audit_log(
    as_service, statement
):
    with pytest.raises(psycopg2.errors.InsufficientPrivilege) as refused:
        run(as_service, statement)
    # Refused by the grants, not by the append-only trigger (which only covers UPDATE/DELETE).
    assert "append-only" not in str(refused.value)


@pytest.mark.postgres
def test_the_service_role_adds_and_reads_audit_rows(as_service):
    with as_service.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AUDIT} (at, actor_label, action, object_type, object_id, detail) "
            "VALUES (now(), '', 'test.added', '', '', '{}') RETURNING id"
        )
        (added,) = cursor.fetchone()
        cursor.execute(f"SELECT action FROM {AUDIT} WHERE id = %s", [added])
        assert cursor.fetchone() == ("test.added",)
    as_service.rollback()


@pytest.mark.postgres
def test_the_service_role_reads_and_writes_ordinary_tables(as_service):
    table = JobRun._meta.db_table
    with as_service.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, last_run_at) VALUES ('test-job', now()) RETURNING id"
        )
        (added,) = cursor.fetchone()
        cursor.execute(f"UPDATE {table} SET name = 'test-job-2' WHERE id = %s", [added])
        assert cursor.rowcount == 1
        cursor.execute(f"SELECT name FROM {table} WHERE id = %s", [added])
        assert cursor.fetchone() == ("test-job-2",)
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [added])
        assert cursor.rowcount == 1
    as_service.rollback()


@pytest.mark.postgres
def test_the_service_role_owns_nothing_and_is_not_the_owner(service_role, django_db_blocker):
    on_postgresql()
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = "
            "(SELECT oid FROM pg_roles WHERE rolname = %s)",
            [service_role],
        )
        assert cursor.fetchone() == (0,)
        cursor.execute("SELECT pg_has_role(%s, current_user, 'MEMBER')", [service_role])
        assert cursor.fetchone() == (False,)


# Granting -------------------------------------------------------------------------------------


def privileges(role: str, table: str) -> set[str]:
    held = set()
    with connection.cursor() as cursor:
        for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER"):
            cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [role, table, privilege])
            if cursor.fetchone()[0]:
                held.add(privilege)
    return held


def create_role(name: str, options: str = "LOGIN") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} {options}")
    return name


@pytest.mark.postgres
def test_after_migrate_the_service_role_adds_audit_rows_but_cannot_empty_the_log(db):
    """What docker-compose's `migrate` step does: run as the owner with DATABASE_APP_ROLE set.
    Then, as the service: an audit row is added, and TRUNCATE and DISABLE TRIGGER (which the
    owner the service used to connect as may do) are refused."""
    on_postgresql()
    role = create_role(new_role_name())  # rolled back with the test's transaction
    with override_settings(DATABASE_APP_ROLE=role):
        call_command("migrate", verbosity=0)
    assert privileges(role, AUDIT) == {"SELECT", "INSERT"}
    assert privileges(role, JobRun._meta.db_table) == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
    try:
        with transaction.atomic():
            event = audit.record("test.as_the_service")
        assert AuditEvent.objects.filter(pk=event.pk).exists()
        for statement in (
            f"TRUNCATE {AUDIT}",
            f"ALTER TABLE {AUDIT} DISABLE TRIGGER ALL",
            f"DELETE FROM {AUDIT}",
        ):
            with (
                pytest.raises(DatabaseError, match="permission denied|must be owner"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(statement)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
def test_tables_added_later_are_granted_and_an_append_only_one_loses_update_and_delete(
    db, monkeypatch
):
    from peersupport import db_roles

    on_postgresql()
    role = create_role(new_role_name())
    db_roles.grant_service_role(connection, role)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE peersupport_later (id bigserial PRIMARY KEY, note text)")
        cursor.execute("CREATE TABLE peersupport_later_log (id bigserial PRIMARY KEY)")
    # Default privileges: granted as soon as the owner creates them, before any post_migrate.
    assert privileges(role, "peersupport_later") == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_sequence_privilege(%s, 'peersupport_later_id_seq', 'USAGE')", [role]
        )
        assert cursor.fetchone() == (True,)
    # Default privileges cannot tell an append-only table: the next grant (after `migrate`) does.
    assert "DELETE" in privileges(role, "peersupport_later_log")
    monkeypatch.setattr(db_roles, "APPEND_ONLY_TABLES", (AUDIT, "peersupport_later_log"))
    db_roles.grant_service_role(connection, role)
    assert privileges(role, "peersupport_later_log") == {"SELECT", "INSERT"}


@pytest.mark.postgres
def test_granting_twice_changes_nothing(db):
    from peersupport.db_roles import grant_service_role

    on_postgresql()
    role = create_role(new_role_name())
    grant_service_role(connection, role)
    grant_service_role(connection, role)
    assert privileges(role, AUDIT) == {"SELECT", "INSERT"}


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("options", "message"),
    [
        (None, "does not exist"),
        ("LOGIN SUPERUSER", "superuser"),
        ("LOGIN IN ROLE {owner}", "member of"),
    ],
)
def test_a_role_that_could_not_be_held_to_its_grants_is_refused(db, options, message):
    from peersupport.db_roles import grant_service_role

    on_postgresql()
    role = new_role_name()
    if options is not None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            create_role(role, options.format(owner=cursor.fetchone()[0]))
    with pytest.raises(ImproperlyConfigured, match=message):
        grant_service_role(connection, role)


@pytest.mark.postgres
def test_the_owner_itself_is_refused_as_the_service_role(db):
    from peersupport.db_roles import grant_service_role

    on_postgresql()
    owner = create_role(new_role_name())
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {owner}")
    try:
        with pytest.raises(ImproperlyConfigured, match="owns nothing"):
            grant_service_role(connection, owner)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@pytest.mark.postgres
def test_update_granted_to_public_on_the_audit_log_is_refused(db):
    from peersupport.db_roles import grant_service_role

    on_postgresql()
    role = create_role(new_role_name())
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT UPDATE ON {AUDIT} TO PUBLIC")
    with pytest.raises(ImproperlyConfigured, match="UPDATE on peersupport_auditevent"):
        grant_service_role(connection, role)


@pytest.mark.parametrize("name", ["App-Role", "app; DROP TABLE x", '"app"', "1app", ""])
def test_a_malformed_role_name_is_refused_or_ignored(name):
    from peersupport.db_roles import grant_service_role

    postgres = SimpleNamespace(vendor="postgresql", cursor=refuse_to_run)
    if not name:
        assert grant_service_role(postgres, name) is False
        return
    with pytest.raises(ImproperlyConfigured, match="lower-case PostgreSQL role name"):
        grant_service_role(postgres, name)


# Nothing on SQLite, nothing when unset ---------------------------------------------------------


def refuse_to_run():
    raise AssertionError("no SQL may be run")


def test_nothing_is_granted_when_database_app_role_is_unset(db, django_assert_num_queries):
    from peersupport.db_roles import grant_after_migrate, grant_service_role

    with override_settings(DATABASE_APP_ROLE=None), django_assert_num_queries(0):
        assert grant_service_role(connection) is False
        grant_after_migrate(sender=None, using="default")


def test_nothing_is_granted_on_sqlite_even_with_a_role_named():
    from peersupport.db_roles import grant_service_role

    sqlite = SimpleNamespace(vendor="sqlite", cursor=refuse_to_run)
    with override_settings(DATABASE_APP_ROLE="peersupport_app"):
        assert grant_service_role(sqlite) is False
        migration = importlib.import_module("peersupport.migrations.0010_service_role_grants")
        migration.grant(apps=None, schema_editor=SimpleNamespace(connection=sqlite))


# The owner purges the audit log past its retention ---------------------------------------------


def old_and_new_audit_rows():
    with time_machine.travel(timezone.now() - timedelta(days=366 * 21), tick=False):
        old = audit.record("test.long_ago")
    new = audit.record("test.recent")
    if connection.vendor == "postgresql":
        # Check the actor foreign keys now, as a transaction of their own would have: pending
        # checks would stop the purge's ALTER TABLE inside this test's one transaction.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return old, new


def test_the_owner_purges_audit_rows_past_their_retention_and_the_purge_is_audited(db):
    old, new = old_and_new_audit_rows()
    out = io.StringIO()
    call_command("apply_retention", "--audit", stdout=out)
    assert "1 deleted" in out.getvalue()
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=new.pk).exists()
    purged = AuditEvent.objects.get(action="audit.purged")
    assert purged.detail["rows"] == 1
    assert datetime.fromisoformat(purged.detail["before"]).year == timezone.localdate().year - 20


def test_a_dry_run_of_the_audit_purge_deletes_nothing(db):
    old, _ = old_and_new_audit_rows()
    out = io.StringIO()
    call_command("apply_retention", "--audit", "--dry-run", stdout=out)
    assert "1 would be deleted" in out.getvalue()
    assert AuditEvent.objects.filter(pk=old.pk).exists()


@pytest.mark.postgres
def test_after_a_purge_the_audit_log_is_append_only_again(db):
    on_postgresql()
    old_and_new_audit_rows()
    call_command("apply_retention", "--audit", stdout=io.StringIO())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all().delete()


@pytest.mark.postgres
def test_the_service_role_cannot_purge_the_audit_log(db):
    from peersupport.db_roles import grant_service_role

    on_postgresql()
    old, _ = old_and_new_audit_rows()
    role = create_role(new_role_name())
    grant_service_role(connection, role)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
    try:
        with pytest.raises(CommandError, match="Only the database owner may delete audit rows"):
            call_command("apply_retention", "--audit", stdout=io.StringIO())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.filter(pk=old.pk).exists()
