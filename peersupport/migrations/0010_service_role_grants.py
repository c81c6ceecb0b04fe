"""The service's PostgreSQL role (DATABASE_APP_ROLE) gets its privileges: SELECT, INSERT, UPDATE
and DELETE on the ordinary tables, only SELECT and INSERT on the audit log, and default
privileges for tables added later. Nothing on SQLite or when the variable is unset. The same
grants are made again after every `migrate` (peersupport.apps), so this is the first of many.
"""

from django.db import migrations

from peersupport import db_roles


def grant(apps, schema_editor):
    db_roles.grant_service_role(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("peersupport", "0009_concern_alert_rule")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop, elidable=False)]
