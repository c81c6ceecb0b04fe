"""The privacy notice says who reads a supporter's notes now: their supervisor for the person's
organisation, never anyone ever named on the review. Only the two sentences an administrator
has not already reworded are replaced."""

from django.db import migrations

REPLACEMENTS = [
    (
        "A supporter may keep a short note. Only they and their supervisor can read it, never"
        " the team running the review; an administrator includes it only when you ask for a copy"
        " of your information.",
        "A supporter may keep a short note. Only they and their supervisor for your organisation"
        " can read it, never the team running the review or anyone who is or ever was named on"
        " it; an administrator includes it only when you ask for a copy of your information.",
    ),
    (
        "- your supporter's named supervisor, who can read their notes",
        "- your supporter's named supervisor for your organisation, who can read their notes"
        " about you, unless they are or ever were named on the review",
    ),
]


def reword(apps, schema_editor):
    PublicPage = apps.get_model("peersupport", "PublicPage")
    for page in PublicPage.objects.filter(slug="privacy"):
        body = page.body
        for old, new in REPLACEMENTS:
            body = body.replace(old, new)
        if body != page.body:
            page.body = body
            page.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [
        ("peersupport", "0006_public_page"),
        ("supporters", "0006_supervisor_per_organisation"),
    ]

    operations = [migrations.RunPython(reword, migrations.RunPython.noop)]
