"""People belong to an organisation, and may have no review (staff who asked for support
themselves). The organisation is filled from each person's review here, and made required in
0004: on PostgreSQL a table cannot be altered in the transaction that has just updated it."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_organisation(apps, schema_editor):
    Review = apps.get_model("incidents", "Review")
    organisation_of_review = Subquery(
        Review.objects.filter(pk=OuterRef("review_id")).values("organisation_id")[:1]
    )
    for name in ("AffectedPerson", "HistoricalAffectedPerson"):
        model = apps.get_model("incidents", name)
        model.objects.filter(organisation__isnull=True, review_id__isnull=False).update(
            organisation_id=organisation_of_review
        )


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0002_default_deadline_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="affectedperson",
            name="organisation",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="people", to="incidents.organisation"),
        ),
        migrations.AddField(
            model_name="historicalaffectedperson",
            name="organisation",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="incidents.organisation"),
        ),
        migrations.RunPython(fill_organisation, migrations.RunPython.noop),
    ]
