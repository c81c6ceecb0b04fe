"""The immediate concern alert is a timing rule too (0 minutes), beside its escalation."""

from django.db import migrations


def seed(apps, schema_editor):
    TimingRule = apps.get_model("peersupport", "TimingRule")
    TimingRule.objects.get_or_create(
        key="concern-alert",
        defaults={
            "description": "Concern raised: alert the team (at once, whatever the hour)",
            "delay": 0,
            "unit": "minutes",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("peersupport", "0008_audit_append_only_and_privacy")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
