"""Survey results for staff: the team sees its own organisation's exact counts, rates and
free-text comments, and can export the responses (their operational page); a manager sees the
numbers only, never free text, through the suppression layer as on the dashboard."""

import csv

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from feedback import selectors
from incidents.access import organisation_of
from incidents.models import Organisation
from peersupport import audit, suppression
from peersupport.access import is_team, role_required
from peersupport.roles import Role


def _team_organisation(user):
    organisation = organisation_of(user)
    if organisation is None:
        raise PermissionDenied
    return organisation


@role_required(Role.TEAM, Role.MANAGER)
@require_safe
def survey_results(request):
    """Counts and response rates by questionnaire; the team also reads the comments."""
    if is_team(request.user):
        organisation = _team_organisation(request.user)
        return render(
            request,
            "feedback/results.html",
            {
                "organisation": organisation,
                "counts": selectors.survey_counts(organisation),
                "comments": selectors.comments(organisation),
                "show_comments": True,
            },
        )
    organisations = list(Organisation.objects.order_by("name"))
    chosen = request.GET.get("organisation", "")
    organisation = next((o for o in organisations if str(o.pk) == chosen), None)
    return render(
        request,
        "feedback/results.html",
        {
            "organisation": organisation,
            "organisations": organisations,
            "counts": selectors.published_survey_counts(organisation),
            "show_comments": False,
            "published": True,
            "withheld_up_to": suppression.counts_up_to(),
            "rounded_to": suppression.round_to(),
        },
    )


@role_required(Role.TEAM)
@require_safe
def survey_export(request):
    """Every response of the team's organisation as CSV: answers by question code, no names
    or contact details. Audited."""
    organisation = _team_organisation(request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="survey-responses-{timezone.localdate().isoformat()}.csv"'
    )
    writer = csv.writer(response)
    rows = 0
    for row in selectors.export_rows(organisation):
        writer.writerow(row)
        rows += 1
    audit.record("surveys.exported", request=request, obj=organisation, responses=max(rows - 1, 0))
    return response
