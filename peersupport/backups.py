"""PostgreSQL dumps and restores with the server's own tools, and what a restored database must
keep: its rows, the audit log's newest rows, the grants of the two roles (ADR 0008) and the
audit log's append-only trigger (docs/adr/0011-backup-and-restore.md).

Used by the restore drill (`manage.py restore_drill`); production backups are taken by the
`backup` service in docker-compose.yml (peersupport/deploy/backup.sh) with the same pg_dump
format, so what the drill proves is what a real restore does.
"""

import os
import subprocess  # noqa: S404 (the PostgreSQL client tools, with fixed arguments)
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, connection, transaction

from peersupport.db_roles import APPEND_ONLY, NEVER_ON_APPEND_ONLY

AUDIT_TABLE = "peersupport_auditevent"


class BackupError(Exception):
    """A PostgreSQL tool failed; the message is its own error output."""


def _environment() -> dict[str, str]:
    """The client tools log in as the service's connection does."""
    given = connection.settings_dict
    env = {**os.environ}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if given.get(key):
            env[variable] = str(given[key])
    return env


def _run(*args: str) -> None:
    done = subprocess.run(  # noqa: S603
        args, env=_environment(), capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise BackupError(f"{args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")


def create_database(name: str, template: str | None = None) -> None:
    _run("createdb", *(["--template", template] if template else []), name)


def drop_database(name: str) -> None:
    _run("dropdb", "--if-exists", "--force", name)


def dump(name: str, path: Path) -> None:
    """pg_dump's custom format: every table, its rows, owners, grants, default privileges and
    triggers, from one consistent snapshot."""
    _run("pg_dump", "--format=custom", f"--file={path}", f"--dbname={name}")


def restore(name: str, path: Path) -> None:
    """Into a fresh, empty database; stops at the first error rather than half-restore."""
    _run("pg_restore", "--exit-on-error", f"--dbname={name}", str(path))


@contextmanager
def use_database(name: str):
    """Point the default connection at another database on the same server for a while."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


@dataclass
class Snapshot:
    """What must be the same after a restore."""

    counts: dict[str, int]
    newest_audit: list[tuple]
    grants: dict[str, str]
    triggers: list[tuple]


def _tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [name for (name,) in cursor.fetchall()]


def snapshot(audit_rows: int = 5) -> Snapshot:
    """Row counts per table, the audit log's newest rows, every table's grants and the
    default privileges, and the triggers with whether each is enabled."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        counts = {}
        for table in _tables(cursor):
            cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT * FROM {AUDIT_TABLE} ORDER BY id DESC LIMIT %s",  # noqa: S608
            [audit_rows],
        )
        newest = [tuple(str(value) for value in row) for row in cursor.fetchall()]
        cursor.execute(
            "SELECT c.relname, coalesce(c.relacl::text, '') FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'S')"
        )
        grants = dict(cursor.fetchall())
        cursor.execute(
            "SELECT d.defaclobjtype, d.defaclacl::text FROM pg_default_acl d "
            "ORDER BY d.defaclobjtype"
        )
        for kind, acl in cursor.fetchall():
            grants[f"(default privileges on {kind})"] = acl
        cursor.execute(
            "SELECT c.relname, t.tgname, t.tgenabled FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal ORDER BY 1, 2"
        )
        triggers = [tuple(row) for row in cursor.fetchall()]
    return Snapshot(counts, newest, grants, triggers)


def differences(before: dict, after: dict) -> list[str]:
    """The keys whose values differ, as `key: before -> after`."""
    return [
        f"{key}: {before.get(key)} -> {after.get(key)}"
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]


def audit_log_refuses_changes() -> bool:
    """Whether the append-only trigger still refuses to change an audit row (as the owner)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {AUDIT_TABLE} SET action = action "  # noqa: S608
                f"WHERE id = (SELECT max(id) FROM {AUDIT_TABLE})"
            )
    except DatabaseError:
        return True
    return False


def service_role_privileges(role: str) -> dict[str, bool]:
    """What `role` may do to the audit log; the service's role may only read and add."""
    privileges = {}
    with connection.cursor() as cursor:
        for privilege in (*APPEND_ONLY.split(", "), *NEVER_ON_APPEND_ONLY):
            cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [role, AUDIT_TABLE, privilege])
            privileges[privilege] = cursor.fetchone()[0]
    return privileges
