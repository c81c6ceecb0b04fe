"""A starting signposting directory and resource library. Administrators should confirm each
service's details for their area; only national numbers we are sure of are filled in."""

from django.db import migrations

SERVICES = [
    ("Samaritans", "Free, confidential support any time, day or night, for anyone who is struggling.",
     "116 123", "https://www.samaritans.org", True, True),
    ("Cruse Bereavement Support", "Support for anyone grieving a death, by phone, online and in person.",
     "", "https://www.cruse.org.uk", True, True),
    ("Survivors of Bereavement by Suicide (SOBS)", "Peer support for adults bereaved by suicide.",
     "", "https://uksobs.com", True, True),
    ("Mind", "Information and advice about mental health, and local Mind services.",
     "", "https://www.mind.org.uk", True, True),
    ("INQUEST", "Independent advice for bereaved families about inquests and investigations.",
     "", "https://www.inquest.org.uk", False, True),
    ("Action against Medical Accidents (AvMA)", "Independent advice for people affected by "
     "avoidable harm in healthcare.", "", "https://www.avma.org.uk", False, True),
    ("NHS Practitioner Health", "Confidential mental health service for NHS doctors, dentists "
     "and other healthcare staff.", "", "https://www.practitionerhealth.nhs.uk", True, False),
]

RESOURCES = [
    ("What happens in a patient safety incident investigation", "family_guide",
     "A plain-English guide for families: who will contact you, how you can take part, and what "
     "the report will and will not do."),
    ("Preparing for an inquest", "family_guide",
     "What an inquest is, what to expect on the day, and where to get independent advice."),
    ("Your support pack: boundaries, notes and looking after yourself", "supporter_pack",
     "The essentials of the peer supporter role: what to say and not say, keeping notes short, "
     "raising a concern, and using supervision."),
    ("Coping after a traumatic event at work", "self_help",
     "Common reactions in the first days and weeks, what helps, and when to ask for more help."),
]


def add_defaults(apps, schema_editor):
    SignpostService = apps.get_model("supporters", "SignpostService")
    Resource = apps.get_model("supporters", "Resource")
    for name, description, phone, website, for_staff, for_families in SERVICES:
        SignpostService.objects.get_or_create(
            name=name,
            defaults={"description": description, "phone": phone, "website": website,
                      "for_staff": for_staff, "for_families": for_families},
        )
    for title, kind, summary in RESOURCES:
        Resource.objects.get_or_create(title=title, defaults={"kind": kind, "summary": summary})


class Migration(migrations.Migration):
    dependencies = [("supporters", "0003_support_in_practice")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
