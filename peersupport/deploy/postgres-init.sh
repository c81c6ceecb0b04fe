#!/usr/bin/env bash
# Run once by the postgres image, as its superuser, when the data volume is first made
# (mounted into /docker-entrypoint-initdb.d by docker-compose.yml). Makes the two roles of
# docs/adr/0008-two-database-roles.md:
#
#   peersupport_owner  owns the database and every table; only `migrate` (and the owner's own
#                      jobs, such as purging the audit log) logs in as it.
#   peersupport_app    what web, worker and beat log in as; owns nothing. `migrate`, run as
#                      the owner with DATABASE_APP_ROLE=peersupport_app, grants it the rest.
#
# The image's superuser (POSTGRES_USER) is used for this script only.
set -euo pipefail

: "${POSTGRES_OWNER_PASSWORD:?Set POSTGRES_OWNER_PASSWORD}"
: "${POSTGRES_APP_PASSWORD:?Set POSTGRES_APP_PASSWORD}"

# Passwords go in as psql variables (:'name' quotes them), never pasted into the SQL.
psql --no-psqlrc --set ON_ERROR_STOP=1 \
    --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set db="$POSTGRES_DB" \
    --set owner_password="$POSTGRES_OWNER_PASSWORD" \
    --set app_password="$POSTGRES_APP_PASSWORD" <<'SQL'
CREATE ROLE peersupport_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE peersupport_app LOGIN PASSWORD :'app_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
ALTER DATABASE :"db" OWNER TO peersupport_owner;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO peersupport_app;
-- The owner of the database (pg_database_owner, from PostgreSQL 15) owns the public schema;
-- nobody else may create anything in it.
ALTER SCHEMA public OWNER TO peersupport_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO peersupport_app;
SQL
