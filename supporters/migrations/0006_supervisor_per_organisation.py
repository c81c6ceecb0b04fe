"""A named supervisor for each organisation a supporter serves.

Seeded from each supporter's one supervisor, for the organisation that supervisor belongs to
(their team's) when the supporter serves it. Not for the supporter's other organisations: a
supervisor reads notes only about people of their own organisation, and the team names a
supervisor for each of the others on the supporter's page.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def seed(apps, schema_editor):
    PeerSupporter = apps.get_model("supporters", "PeerSupporter")
    SupervisorAssignment = apps.get_model("supporters", "SupervisorAssignment")
    TeamMember = apps.get_model("incidents", "TeamMember")
    team_of = dict(TeamMember.objects.values_list("user_id", "organisation_id"))
    serves = {}
    for supporter_id, organisation_id in PeerSupporter.organisations.through.objects.values_list(
        "peersupporter_id", "organisation_id"
    ):
        serves.setdefault(supporter_id, set()).add(organisation_id)
    rows = []
    for supporter_id, supervisor_id in PeerSupporter.objects.exclude(
        supervisor_id=None
    ).values_list("pk", "supervisor_id"):
        organisation_id = team_of.get(supervisor_id)
        if organisation_id in serves.get(supporter_id, ()):
            rows.append(
                SupervisorAssignment(
                    supporter_id=supporter_id,
                    organisation_id=organisation_id,
                    supervisor_id=supervisor_id,
                )
            )
    SupervisorAssignment.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0008_review_naming_history"),
        ("supporters", "0005_offered_by_sms"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SupervisorAssignment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("named_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "named_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="supervisor_assignments",
                        to="incidents.organisation",
                    ),
                ),
                (
                    "supervisor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="supervises_for",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "supporter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="supervisor_assignments",
                        to="supporters.peersupporter",
                    ),
                ),
            ],
            options={
                "ordering": ["organisation__name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("supporter", "organisation"), name="one_supervisor_per_organisation"
                    )
                ],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
