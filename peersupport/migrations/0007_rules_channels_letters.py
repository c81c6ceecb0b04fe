"""Message timing follows its rule; SMS, letter and recording channels; letters to print."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

NEW_RULES = [
    ("wellbeing-after-contact", "Supporter wellbeing check-in prompt after a contact", 0, "minutes"),
]
BEFORE = ["milestone-before", "training-expiry-warning"]


def seed(apps, schema_editor):
    TimingRule = apps.get_model("peersupport", "TimingRule")
    for key, description, delay, unit in NEW_RULES:
        TimingRule.objects.get_or_create(
            key=key, defaults={"description": description, "delay": delay, "unit": unit}
        )
    for rule in TimingRule.objects.filter(key__in=BEFORE):
        rule.before = True
        rule.save(update_fields=["before"])


class Migration(migrations.Migration):
    dependencies = [
        ("peersupport", "0006_public_page"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="timingrule",
            name="before",
            field=models.BooleanField(
                default=False,
                help_text="Counts back from the event (a milestone, a training expiry) instead of after it.",
            ),
        ),
        migrations.AddField(
            model_name="message",
            name="rule",
            field=models.SlugField(blank=True, db_index=True, max_length=60),
        ),
        migrations.AddField(
            model_name="message", name="anchor_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="message", name="nation", field=models.CharField(blank=True, max_length=20)
        ),
        migrations.AddField(
            model_name="message",
            name="deferred_reason",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="message",
            name="channel",
            field=models.CharField(
                choices=[
                    ("email", "Email"),
                    ("sms", "Text message"),
                    ("letter", "Letter"),
                    ("in_app", "In-app alert"),
                    ("record", "Recording channel (tests and benchmarks)"),
                ],
                max_length=10,
            ),
        ),
        migrations.CreateModel(
            name="Letter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reference", models.CharField(max_length=12, unique=True)),
                ("large_print", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("printed_at", models.DateTimeField(blank=True, null=True)),
                ("posted_at", models.DateTimeField(blank=True, null=True)),
                (
                    "message",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="letter",
                        to="peersupport.message",
                    ),
                ),
                (
                    "posted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["posted_at", "created_at"]},
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
