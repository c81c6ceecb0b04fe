"""The team's survey pages: stopping a survey that is held or not yet sent.

Only the team of the person's organisation reaches a survey, and only when they may see the
person (incidents.models.people.AffectedPersonQuerySet.visible_to); anyone else gets 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from feedback.invitations import cancel_invitation, may_cancel
from incidents.models import AffectedPerson
from peersupport.access import role_required
from peersupport.roles import Role


def _invitation_for_team(user, pk):
    """The survey invitation, through a person this user may see; 404 otherwise."""
    person = get_object_or_404(
        AffectedPerson.objects.visible_to(user).select_related("review"), survey_invitations=pk
    )
    return get_object_or_404(person.survey_invitations.select_related("review"), pk=pk), person


@role_required(Role.TEAM)
def invitation_cancel(request, pk):
    """GET asks the team to confirm; POST stops the survey for good."""
    invitation, person = _invitation_for_team(request.user, pk)
    if request.method == "POST":
        try:
            cancel_invitation(invitation, by=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"Survey cancelled. Nothing about it will be sent to {person.full_name}."
            )
        return redirect("incidents:person_detail", pk=person.pk)
    return render(
        request,
        "feedback/invitation_cancel.html",
        {"invitation": invitation, "person": person, "may_cancel": may_cancel(invitation)},
    )
