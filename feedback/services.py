"""Changes to surveys: a new questionnaire version, a response, an opt-out. Views, admin,
commands and the demo call these, so each rule is written once."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from feedback import tokens
from feedback.models import (
    Answer,
    Group,
    Invitation,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
)
from feedback.questionnaire_defaults import DEFAULTS
from incidents.models import AffectedPerson
from peersupport import audit, outbox

QUESTION_FIELDS = ("code", "text", "hint", "kind", "order", "required")


# Questionnaires ------------------------------------------------------------------------------


def questionnaire(slug) -> Questionnaire:
    """The questionnaire with this slug, restored from the defaults (version 1) if its row is
    gone, so closing someone's support never fails for want of a survey (as timing rules do)."""

    found = Questionnaire.objects.filter(slug=slug).first()
    if found is not None:
        return found
    _, name, audience, intro, questions = next(d for d in DEFAULTS if d[0] == slug)
    with transaction.atomic():
        found, created = Questionnaire.objects.get_or_create(
            slug=slug, defaults={"name": name, "audience": audience, "intro": intro}
        )
        if created:
            new_version(
                found,
                [
                    {"code": code, "kind": kind, "text": text, "hint": hint,
                     "required": required, "order": order}
                    for order, (code, kind, text, hint, required) in enumerate(questions, 1)
                ],
            )  # fmt: skip
    return found


def questions_of(version) -> list[dict]:
    """A version's questions as plain values, ready to change and pass to `new_version`."""
    return list(version.questions.order_by("order", "id").values(*QUESTION_FIELDS))


@transaction.atomic
def new_version(questionnaire, questions) -> QuestionnaireVersion:
    """A changed questionnaire becomes its next version, with its own copy of every question;
    responses already given keep pointing at the version, and so the wording, they answered."""
    Questionnaire.objects.select_for_update().filter(pk=questionnaire.pk).first()
    latest = questionnaire.versions.aggregate(latest=Max("number"))["latest"] or 0
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=latest + 1)
    Question.objects.bulk_create(
        Question(
            version=version, **{field: item[field] for field in QUESTION_FIELDS if field in item}
        )
        for item in questions
    )
    return version


# Responses -----------------------------------------------------------------------------------


def group_of(invitation) -> str:
    if invitation.user_id is not None:
        return Group.SUPPORTER
    return Group(invitation.person.kind)


def service_of(invitation):
    """The service whose incident the response is about, where there is one."""
    review = invitation.review
    if review is None and invitation.person_id is not None:
        review = invitation.person.review
    return review.service if review is not None else None


@transaction.atomic
def record_response(invitation, version, answers: dict, *, token=None, request=None) -> Response:
    """Keep the answers to an invitation, once: the link's token is used up and the invitation
    completed by conditional updates, so of two submissions only the first counts. Raises
    ValidationError if the survey is no longer open. `answers` maps question codes to values."""
    if token is not None and not tokens.use(token):
        raise ValidationError("This link has already been used.")
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation.pk, completed_at__isnull=True, opted_out_at__isnull=True, expires_at__gt=now
    ).update(completed_at=now)
    if not claimed:
        raise ValidationError("This survey has already been answered, or has closed.")
    invitation.completed_at = now
    response = Response.objects.create(
        invitation=invitation,
        version=version,
        submitted_at=now,
        group=group_of(invitation),
        organisation=invitation.organisation,
        service=service_of(invitation),
    )
    rows = []
    for question in version.questions.all():
        if question.code not in answers:
            continue
        value = answers[question.code]
        if value is None or value == "":
            continue
        if isinstance(value, str):
            rows.append(Answer(response=response, question=question, text=value))
        else:
            rows.append(Answer(response=response, question=question, value=int(value)))
    Answer.objects.bulk_create(rows)
    outbox.cancel_pending(cause=invitation, reason="The survey was answered.")
    audit.record("survey.answered", request=request, obj=invitation)
    return response


# Opting out ----------------------------------------------------------------------------------


@transaction.atomic
def opt_out(invitation, *, token=None, request=None) -> Invitation:
    """Stop further messages. An affected person opts out of every message from the service
    (the outbox refuses them from now on, and the team sees it on their page); a peer
    supporter opts out of the supporters' survey."""

    now = timezone.now()
    if token is not None:
        tokens.use(token)  # the link has done its job
    Invitation.objects.filter(pk=invitation.pk, opted_out_at__isnull=True).update(opted_out_at=now)
    invitation.opted_out_at = invitation.opted_out_at or now
    if invitation.person_id is not None:
        person = AffectedPerson.objects.select_for_update().get(pk=invitation.person_id)
        if person.opted_out_at is None:
            person.opted_out_at = now
            person.save(update_fields=["opted_out_at"])  # save(), so the history records it
        outbox.cancel_pending(person=person, reason="The person opted out of all messages.")
    if invitation.user_id is not None:
        for other in Invitation.objects.filter(user=invitation.user_id):
            outbox.cancel_pending(cause=other, reason="They opted out of supporters' surveys.")
    audit.record("survey.opted_out", request=request, obj=invitation)
    return invitation
