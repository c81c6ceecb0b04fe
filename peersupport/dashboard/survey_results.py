"""The survey counts as a manager sees them: every organisation's and the total, through the
suppression layer, protected together with the months the dashboard shows as answers. The
team's exact counts, comments and export are feedback's (feedback.selectors)."""

from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from feedback.models import Invitation, Questionnaire, Response
from incidents.models import Organisation
from peersupport.dashboard import suppression
from peersupport.dashboard.cells import ANY, Part, partitions, roll_up
from peersupport.dashboard.filters import FAMILIES, STAFF, UK, as_date
from peersupport.dashboard.queries import CACHE_SECONDS

ALL = "*"  # every organisation
PUBLISHED_CACHE_KEY = "feedback.published_survey_counts:1"
DASHBOARD_GROUPS = {"family": FAMILIES, "service_user": FAMILIES, "staff": STAFF}


@dataclass
class PublishedSurveyCount:
    """A questionnaire's counts as a manager sees them (peersupport.dashboard.suppression): rounded,
    or None where withheld; the rate worked out from the rounded counts."""

    questionnaire: Questionnaire
    sent: int | None
    responses: int | None
    opted_out: int | None

    @property
    def rate(self) -> int | None:
        found = suppression.rate(self.responses, self.sent)
        return None if found is None else round(found)

    @property
    def withheld_rate(self) -> bool:
        return self.rate is None and self.sent != 0


def published_survey_counts(organisation=None) -> list[PublishedSurveyCount]:
    """survey_counts for managers, through the suppression layer. Every organisation's counts
    and the total are protected together, as each can be chosen; so is each month's responses,
    which the dashboard shows as answers: the all-time count less the months shown there must
    not give a withheld month away. Counted afresh after CACHE_SECONDS, as the dashboard is."""
    questionnaires = list(Questionnaire.objects.order_by("pk"))
    names = ("sent", "responses", "opted_out")
    shown = cache.get(PUBLISHED_CACHE_KEY)
    if shown is None:
        shown = _published_counts(questionnaires, names)
        cache.set(PUBLISHED_CACHE_KEY, shown, CACHE_SECONDS)
    chosen = organisation.pk if organisation is not None else ALL
    return [
        PublishedSurveyCount(
            questionnaire, *(shown.get((questionnaire.pk, name, chosen), 0) for name in names)
        )
        for questionnaire in questionnaires
    ]


def _published_counts(questionnaires, names) -> dict:
    organisations = list(Organisation.objects.values_list("pk", flat=True))
    answered = Q(completed_at__isnull=False)
    rows = Invitation.objects.values("questionnaire", "organisation").annotate(
        sent=Count("pk", filter=Q(sent_at__isnull=False) | answered),
        responses=Count("pk", filter=answered),
        opted_out=Count("pk", filter=Q(opted_out_at__isnull=False)),
    )
    problem = suppression.Problem()
    for questionnaire in questionnaires:
        for name in names:
            for org in [*organisations, ALL]:
                problem.values[(questionnaire.pk, name, org)] = 0
            problem.sums.append(
                (
                    (questionnaire.pk, name, ALL),
                    tuple((questionnaire.pk, name, org) for org in organisations),
                )
            )
        for org in [*organisations, ALL]:
            for name in ("responses", "opted_out"):
                problem.rates.append(
                    ((questionnaire.pk, name, org), (questionnaire.pk, "sent", org))
                )
    for row in rows:
        for name in names:
            problem.values[(row["questionnaire"], name, row["organisation"])] += row[name]
            problem.values[(row["questionnaire"], name, ALL)] += row[name]
    _with_the_dashboards_months(problem, questionnaires, organisations)
    shown = suppression.protect(problem)
    return {key: value for key, value in shown.items() if key[0] in {q.pk for q in questionnaires}}


def _with_the_dashboards_months(problem, questionnaires, organisations):
    """Add to `problem` each month's responses as the dashboard counts its answers (by
    organisation, service and group, families and staff together), as figures published
    there: a questionnaire's all-time responses are the sum of its groups' months wherever
    it is the only questionnaire of those groups, and a reader can set the two side by side."""
    rows = (
        Response.objects.annotate(month=TruncMonth("submitted_at", tzinfo=UK))
        .values("version__questionnaire", "organisation", "service", "group", "month")
        .annotate(n=Count("pk"))
    )
    parts = defaultdict(list)
    groups_of = defaultdict(set)
    for row in rows:
        group = DASHBOARD_GROUPS.get(row["group"], row["group"])
        space = "people" if group in (FAMILIES, STAFF) else group
        key = (row["organisation"], row["service"], group)
        parts[space].append(Part(as_date(row["month"]), key, row["n"]))
        groups_of[row["version__questionnaire"]].add((space, group))
    for space, found in parts.items():
        for month, cells in roll_up(found).items():
            values = {key: value[0] for key, value in cells.items()}
            for key, value in values.items():
                problem.values[(space, month, key)] = value
                problem.fixed.add((space, month, key))
            for total, keys in partitions(values):
                problem.sums.append(
                    ((space, month, total), tuple((space, month, key) for key in keys))
                )
    for questionnaire in questionnaires:
        groups = groups_of.get(questionnaire.pk, set())
        if any(groups & theirs for pk, theirs in groups_of.items() if pk != questionnaire.pk):
            continue
        for org in [*organisations, ALL]:
            cell_org = ANY if org == ALL else org
            months = tuple(
                key
                for space, group in groups
                for key in problem.values
                if key[0] == space and len(key) == 3 and key[2] == (cell_org, ANY, group)
            )
            total = (questionnaire.pk, "responses", org)
            if problem.values[total] == sum(problem.values[key] for key in months):
                problem.sums.append((total, months))
