"""The service's own PostgreSQL role: everything it needs, and nothing that could rewrite the
audit log.

Two roles (docs/adr/0008-two-database-roles.md): the owner runs `migrate` and owns every table;
the service's role (`DATABASE_APP_ROLE`) reads and writes the ordinary tables, but may only
INSERT and SELECT the append-only ones. It owns nothing and is no member of the owner, so
TRUNCATE, ALTER TABLE (DISABLE TRIGGER among it) and DROP are refused by PostgreSQL itself.

The grants are made by migration 0010 and again after every `migrate` (post_migrate), so a
table added later is granted at once and an append-only table never keeps the UPDATE and
DELETE that default privileges give every new table. Nothing happens on SQLite or when no role
is named.
"""

import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

# Tables the service may add to and read, never change: a table listed here loses UPDATE,
# DELETE and TRUNCATE on the next `migrate`, whatever default privileges gave it.
APPEND_ONLY_TABLES = ("peersupport_auditevent",)

# Lower case only: PostgreSQL folds unquoted names, so `Peersupport_App` would be a different
# role from the one `CREATE ROLE Peersupport_App` made.
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

ORDINARY = "SELECT, INSERT, UPDATE, DELETE"
APPEND_ONLY = "SELECT, INSERT"
NEVER_ON_APPEND_ONLY = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER")


def service_role() -> str | None:
    """The service's role named by DATABASE_APP_ROLE, or None."""
    return settings.DATABASE_APP_ROLE or None


def grant_service_role(connection, role: str | None = None) -> bool:
    """Give the service's role its privileges in the connection's schema (run as the owner).

    Returns False, having touched nothing, on SQLite or when no role is named. Refuses a role
    that could not be held to its grants: missing, a superuser, the owner or one of its members.
    """
    role = role or service_role()
    if connection.vendor != "postgresql" or not role:
        return False
    if not ROLE_NAME.fullmatch(role):
        raise ImproperlyConfigured(
            f"DATABASE_APP_ROLE must be a lower-case PostgreSQL role name (letters, digits and "
            f"underscores), not {role!r}."
        )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        owner, schema = cursor.fetchone()
        _check_role(cursor, role, owner)
        app, own, here = quote(role), quote(owner), quote(schema)
        statements = [
            f"GRANT USAGE ON SCHEMA {here} TO {app}",
            f"REVOKE CREATE ON SCHEMA {here} FROM {app}",
            f"GRANT {ORDINARY} ON ALL TABLES IN SCHEMA {here} TO {app}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {here} TO {app}",
            # Tables and sequences the owner makes later: covered before the next post_migrate.
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {own} IN SCHEMA {here} "
            f"GRANT {ORDINARY} ON TABLES TO {app}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {own} IN SCHEMA {here} "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        ]
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename = ANY(%s)",
            [schema, list(APPEND_ONLY_TABLES)],
        )
        for (table,) in cursor.fetchall():
            statements += [
                # UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES (and MAINTAIN, from 17) go.
                f"REVOKE ALL PRIVILEGES ON TABLE {quote(table)} FROM {app}",
                f"GRANT {APPEND_ONLY} ON TABLE {quote(table)} TO {app}",
            ]
        for statement in statements:
            cursor.execute(statement)
        _check_append_only(cursor, role, schema)
    return True


def _check_role(cursor, role: str, owner: str) -> None:
    cursor.execute(
        "SELECT rolsuper, pg_has_role(%s, %s, 'MEMBER') FROM pg_roles WHERE rolname = %s",
        [role, owner, role],
    )
    found = cursor.fetchone()
    if found is None:
        raise ImproperlyConfigured(
            f"DATABASE_APP_ROLE names {role!r}, which does not exist in this database server: "
            f"create it first (README.md, 'Database roles')."
        )
    superuser, member_of_owner = found
    if superuser:
        raise ImproperlyConfigured(
            f"DATABASE_APP_ROLE {role!r} is a superuser, which no grant can hold: the service's "
            f"role must be an ordinary LOGIN role."
        )
    if role == owner or member_of_owner:
        raise ImproperlyConfigured(
            f"DATABASE_APP_ROLE {role!r} is, or is a member of, {owner!r}, the role running "
            f"`migrate`: the service's role must be a separate role that owns nothing."
        )


def _check_append_only(cursor, role: str, schema: str) -> None:
    """A privilege granted to PUBLIC or to another role the service's role belongs to would
    survive the REVOKE above: refuse to carry on rather than leave it."""
    for table in APPEND_ONLY_TABLES:
        cursor.execute("SELECT to_regclass(%s)", [f'"{schema}"."{table}"'])
        if cursor.fetchone()[0] is None:
            continue
        kept = []
        for privilege in NEVER_ON_APPEND_ONLY:
            cursor.execute(
                "SELECT has_table_privilege(%s, %s, %s)",
                [role, f'"{schema}"."{table}"', privilege],
            )
            if cursor.fetchone()[0]:
                kept.append(privilege)
        if kept:
            raise ImproperlyConfigured(
                f"{role!r} still has {', '.join(kept)} on {table} through PUBLIC or another "
                f"role it belongs to: revoke it there."
            )


def grant_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: grant again, so the tables this `migrate` added are covered."""
    grant_service_role(connections[using])
