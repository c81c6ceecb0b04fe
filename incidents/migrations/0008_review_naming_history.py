"""The history of who is named on each review, which the confidentiality wall reads.

Seeded with everyone named today (the start of the history), and with everyone the review's
own change history (django-simple-history) shows was named before and is no longer: they are
recorded as removed when the history began, so they too stay barred from its people's notes.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def seed(apps, schema_editor):
    Review = apps.get_model("incidents", "Review")
    ReviewNaming = apps.get_model("incidents", "ReviewNaming")
    HistoricalReview = apps.get_model("incidents", "HistoricalReview")
    HistoricalMembers = apps.get_model("incidents", "HistoricalReview_team_members")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    now = django.utils.timezone.now()
    current = set()
    for review in Review.objects.all().iterator():
        current.add((review.pk, review.lead_investigator_id, "lead"))
    for review_id, user_id in Review.team_members.through.objects.values_list(
        "review_id", "user_id"
    ):
        current.add((review_id, user_id, "team_member"))
    past = set(
        HistoricalReview.objects.exclude(lead_investigator_id=None)
        .values_list("id", "lead_investigator_id")
        .distinct()
    )
    before = {(review_id, user_id, "lead") for review_id, user_id in past}
    before.update(
        (review_id, user_id, "team_member")
        for review_id, user_id in HistoricalMembers.objects.exclude(user_id=None)
        .exclude(review_id=None)
        .values_list("review_id", "user_id")
        .distinct()
    )
    reviews = set(Review.objects.values_list("pk", flat=True))
    users = set(User.objects.values_list("pk", flat=True))
    rows = [
        ReviewNaming(review_id=r, user_id=u, role=role, named_at=now)
        for r, u, role in sorted(current)
    ] + [
        ReviewNaming(review_id=r, user_id=u, role=role, named_at=now, removed_at=now)
        for r, u, role in sorted(before - current)
        if r in reviews and u in users
    ]
    ReviewNaming.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0007_person_opted_out_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReviewNaming",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("lead", "Lead investigator"),
                            ("team_member", "Named team member"),
                        ],
                        max_length=20,
                    ),
                ),
                ("named_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("removed_at", models.DateTimeField(blank=True, null=True)),
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
                    "removed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "review",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="namings",
                        to="incidents.review",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="review_namings",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["named_at", "id"],
                "indexes": [
                    models.Index(fields=["user", "review"], name="incidents_r_user_id_e7d12c_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("removed_at__isnull", True)),
                        fields=("review", "user", "role"),
                        name="one_current_naming_per_role",
                    )
                ],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
