"""The timing rules of the design, as rows administrators can change."""

from django.db import migrations

from peersupport.timing_defaults import DEFAULTS


def add_rules(apps, schema_editor):
    TimingRule = apps.get_model("peersupport", "TimingRule")
    for key, description, delay, unit in DEFAULTS:
        TimingRule.objects.get_or_create(
            key=key, defaults={"description": description, "delay": delay, "unit": unit}
        )


class Migration(migrations.Migration):
    dependencies = [("peersupport", "0004_outbox")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
