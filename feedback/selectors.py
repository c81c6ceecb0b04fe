"""Reads about surveys for the team: exact counts, rates, comments, the export. The counts as
a manager sees them, through the suppression layer, are reporting's
(peersupport.dashboard.survey_results).

Nothing here returns a name or contact detail: responses carry only their group,
organisation and service.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from feedback.models import Answer, Invitation, QuestionKind, Questionnaire, Response
from peersupport.spreadsheet import safe_cell

# The export's answer columns: the dashboard's codes first, in a fixed order, then any other
# code an administrator has added, alphabetically.
CODE_ORDER = [
    "satisfaction",
    "engage_with_review",
    "supported_by_process",
    "staff_perception",
    "fft",
    "empowered",
    "coping",
    "comments",
]


@dataclass
class SurveyCount:
    questionnaire: Questionnaire
    sent: int
    responses: int
    opted_out: int

    @property
    def rate(self) -> int | None:
        """Responses as a whole percentage of the invitations sent; None before any is sent."""
        return round(100 * self.responses / self.sent) if self.sent else None


def survey_counts(organisation=None) -> list[SurveyCount]:
    """For each questionnaire: invitations sent, responses to them, and opt-outs; one
    organisation's, or every organisation's when `organisation` is None."""
    invitations = Invitation.objects.all()
    if organisation is not None:
        invitations = invitations.for_organisation(organisation)
    # An answered invitation was evidently sent, whatever its first message recorded.
    answered = Q(completed_at__isnull=False)
    sent = Q(sent_at__isnull=False) | answered
    totals = {
        row["questionnaire"]: row
        for row in invitations.values("questionnaire").annotate(
            sent=Count("pk", filter=sent),
            responses=Count("pk", filter=answered),
            opted_out=Count("pk", filter=Q(opted_out_at__isnull=False)),
        )
    }
    empty = {"sent": 0, "responses": 0, "opted_out": 0}
    return [
        SurveyCount(
            questionnaire=questionnaire,
            sent=totals.get(questionnaire.pk, empty)["sent"],
            responses=totals.get(questionnaire.pk, empty)["responses"],
            opted_out=totals.get(questionnaire.pk, empty)["opted_out"],
        )
        for questionnaire in Questionnaire.objects.order_by("pk")
    ]


def comments(organisation, limit=50):
    """The newest free-text answers of one organisation's responses, without names."""
    return (
        Answer.objects.filter(response__organisation=organisation, question__kind=QuestionKind.TEXT)
        .exclude(text="")
        .select_related("response__version__questionnaire", "question")
        .order_by("-response__submitted_at", "-pk")[:limit]
    )


def export_rows(organisation):
    """The header and one row per response of `organisation`, answers by question code."""
    responses = list(
        Response.objects.filter(organisation=organisation)
        .select_related("version__questionnaire", "service")
        .order_by("submitted_at", "pk")
    )
    answers = {}
    codes = set()
    for response_id, code, value, text in Answer.objects.filter(
        response__organisation=organisation
    ).values_list("response_id", "question__code", "value", "text"):
        answers.setdefault(response_id, {})[code] = value if value is not None else text
        codes.add(code)
    columns = [c for c in CODE_ORDER if c in codes] + sorted(codes - set(CODE_ORDER))
    header = ["response", "questionnaire", "version", "submitted_on", "group", "service"]
    yield header + columns
    for response in responses:
        given = answers.get(response.pk, {})
        yield [
            response.pk,
            response.version.questionnaire.slug,
            response.version.number,
            timezone.localtime(response.submitted_at).date().isoformat(),
            response.group,
            response.service.name if response.service else "",
        ] + [safe_cell(given.get(code, "")) for code in columns]
