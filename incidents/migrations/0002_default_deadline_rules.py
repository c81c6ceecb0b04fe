"""Default deadline rules from the design: administrators can change them later."""

from django.db import migrations

DEFAULTS = [
    ("candour", "", "", 10, "NHS Standard Contract: Duty of Candour notification"),
    ("candour", "wales", "", 30, "Duty of Candour (Wales)"),
    ("initial_report", "", "si_comprehensive", 3, "Serious Incident Framework: 72-hour report"),
    ("initial_report", "", "si_concise", 3, "Serious Incident Framework: 72-hour report"),
    ("report", "", "si_comprehensive", 60, "Serious Incident Framework: report"),
    ("report", "", "si_concise", 60, "Serious Incident Framework: report"),
]


def add_rules(apps, schema_editor):
    DeadlineRule = apps.get_model("incidents", "DeadlineRule")
    for kind, nation, response_type, days, source in DEFAULTS:
        DeadlineRule.objects.get_or_create(
            kind=kind, nation=nation, response_type=response_type,
            defaults={"working_days": days, "source": source},
        )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
