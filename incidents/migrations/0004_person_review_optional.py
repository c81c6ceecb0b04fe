"""Every person has an organisation (filled by 0003); a review is optional."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0003_person_organisation"),
    ]

    operations = [
        migrations.AlterField(
            model_name="affectedperson",
            name="organisation",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="people", to="incidents.organisation"),
        ),
        migrations.AlterField(
            model_name="affectedperson",
            name="review",
            field=models.ForeignKey(blank=True, help_text="None for staff who asked for support themselves after an event with no review.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="people", to="incidents.review"),
        ),
        migrations.AlterField(
            model_name="historicalaffectedperson",
            name="review",
            field=models.ForeignKey(blank=True, db_constraint=False, help_text="None for staff who asked for support themselves after an event with no review.", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="incidents.review"),
        ),
    ]
