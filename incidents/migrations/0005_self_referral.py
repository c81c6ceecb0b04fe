"""Requests for support from staff themselves, through the public form."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0004_person_review_optional"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SelfReferral",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200)),
                ("email", models.EmailField(blank=True, max_length=254)),
                ("phone", models.CharField(blank=True, max_length=20)),
                ("team", models.CharField(max_length=100)),
                ("what_happened", models.CharField(max_length=300)),
                ("event_date", models.DateField(blank=True, null=True, verbose_name="Date of the event")),
                ("contact_how", models.CharField(choices=[("email", "Email"), ("phone", "Phone call"), ("sms", "Text message")], max_length=10, verbose_name="How to contact them")),
                ("contact_when", models.CharField(blank=True, max_length=200, verbose_name="Safe times to contact")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("converted_at", models.DateTimeField(blank=True, null=True)),
                ("converted_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("converted_person", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="referral", to="incidents.affectedperson")),
                ("organisation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="referrals", to="incidents.organisation")),
                ("review", models.ForeignKey(blank=True, help_text="Set by the team when the request is linked to a review.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="referrals", to="incidents.review")),
            ],
            options={
                "verbose_name": "request for support",
                "verbose_name_plural": "requests for support",
                "ordering": ["created_at", "id"],
                "indexes": [models.Index(fields=["organisation", "converted_person"], name="incidents_s_organis_c26384_idx")],
            },
        ),
    ]
