"""The audit table becomes append-only on PostgreSQL: a trigger refuses every UPDATE and DELETE
statement on it, whoever runs it (the app, a shell, the admin). TRUNCATE is left alone so the
test database can still be flushed. SQLite (development) has no such guard; the admin has no
edit or delete page on either.

The actor foreign key moves from SET_NULL to PROTECT, since deleting a user would otherwise
UPDATE their audit rows. Also: the records of anonymisation and of refused erasure requests.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


APPEND_ONLY = """
CREATE OR REPLACE FUNCTION peersupport_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only: % on peersupport_auditevent is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER peersupport_auditevent_append_only
    BEFORE UPDATE OR DELETE ON peersupport_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION peersupport_auditevent_append_only();
"""

DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS peersupport_auditevent_append_only ON peersupport_auditevent;
DROP FUNCTION IF EXISTS peersupport_auditevent_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no %-placeholders: run as written

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0007_person_opted_out_at'),
        ('peersupport', '0007_rules_channels_letters'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.CreateModel(
            name='ErasureRefusal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(max_length=1000)),
                ('refused_at', models.DateTimeField(auto_now_add=True)),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='erasure_refusals', to='incidents.affectedperson')),
                ('refused_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-refused_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Anonymisation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_type', models.CharField(max_length=100)),
                ('object_id', models.CharField(max_length=64)),
                ('reason', models.CharField(choices=[('erasure_request', 'The person asked for their details to be erased'), ('retention', 'The retention period ended')], max_length=20)),
                ('at', models.DateTimeField(auto_now_add=True)),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-at', '-id'],
                'constraints': [models.UniqueConstraint(fields=('object_type', 'object_id'), name='anonymise_once')],
            },
        ),
        migrations.RunPython(_on_postgresql(APPEND_ONLY), _on_postgresql(DROP_APPEND_ONLY)),
    ]
