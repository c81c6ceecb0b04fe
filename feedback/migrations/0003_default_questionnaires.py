"""The default questionnaires (feedback/questionnaire_defaults.py), as version 1 of each."""

from django.db import migrations

from feedback.questionnaire_defaults import DEFAULTS


def add_questionnaires(apps, schema_editor):
    Questionnaire = apps.get_model("feedback", "Questionnaire")
    QuestionnaireVersion = apps.get_model("feedback", "QuestionnaireVersion")
    Question = apps.get_model("feedback", "Question")
    for slug, name, audience, intro, questions in DEFAULTS:
        questionnaire, created = Questionnaire.objects.get_or_create(
            slug=slug, defaults={"name": name, "audience": audience, "intro": intro}
        )
        if not created:
            continue
        version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1)
        for order, (code, kind, text, hint, required) in enumerate(questions, start=1):
            Question.objects.create(
                version=version,
                code=code,
                kind=kind,
                text=text,
                hint=hint,
                required=required,
                order=order,
            )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_surveys")]

    operations = [migrations.RunPython(add_questionnaires, migrations.RunPython.noop)]
