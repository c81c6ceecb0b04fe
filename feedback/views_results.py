"""The team's export of its organisation's survey responses (their operational page). The
results page itself, exact for the team and through the suppression layer for managers, is
reporting's: peersupport.dashboard.views.survey_results, still routed as feedback:survey_results."""

import csv

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from feedback import selectors
from incidents.access import organisation_of
from peersupport import audit
from peersupport.access import role_required
from peersupport.roles import Role


def _team_organisation(user):
    organisation = organisation_of(user)
    if organisation is None:
        raise PermissionDenied
    return organisation


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
