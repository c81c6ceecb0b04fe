"""The public pages' text (privacy notice, accessibility statement), editable by administrators."""

from django.db import migrations, models

from peersupport.public_page_defaults import DEFAULTS


def add_pages(apps, schema_editor):
    PublicPage = apps.get_model("peersupport", "PublicPage")
    for slug, (title, body) in DEFAULTS.items():
        PublicPage.objects.get_or_create(slug=slug, defaults={"title": title, "body": body})


class Migration(migrations.Migration):

    dependencies = [
        ("peersupport", "0005_default_timing_rules"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicPage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(unique=True)),
                ("title", models.CharField(max_length=200)),
                ("body", models.TextField(help_text="Plain text. Leave a blank line between paragraphs. A line starting with ## is a heading; lines starting with - make a bulleted list; web addresses become links.")),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["slug"],
            },
        ),
        migrations.RunPython(add_pages, migrations.RunPython.noop),
    ]
