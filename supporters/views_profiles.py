"""The families' page shows supporters who agreed, in words the team checked: the supporter's
page to agree or withdraw, and the team's page to check. The rules are supporters.public_profiles.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from peersupport.access import role_required
from peersupport.forms import posted
from peersupport.roles import Role
from supporters import public_profiles
from supporters.access import supporter_profile, supporters_for_team
from supporters.forms import PublicProfileForm
from supporters.models import PublicProfile


@role_required(Role.SUPPORTER)
@require_http_methods(["GET", "HEAD", "POST"])
def my_public_profile(request):
    """Agree to be shown on the families' page with a first name and a few words, or withdraw."""
    supporter = supporter_profile(request.user)
    if supporter is None:
        raise PermissionDenied
    profile = PublicProfile.objects.filter(supporter=supporter).first()
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        public_profiles.withdraw(supporter, request=request)
        messages.success(request, "You are no longer shown on the page for families.")
        return redirect("supporters:my_public_profile")
    initial = {"first_name": profile.first_name, "words": profile.words} if profile else {}
    form = PublicProfileForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        public_profiles.agree(
            supporter,
            first_name=form.cleaned_data["first_name"],
            words=form.cleaned_data["words"],
            request=request,
        )
        messages.success(
            request, "Thank you. The team will check your words before they are shown."
        )
        return redirect("supporters:my_public_profile")
    return render(request, "supporters/my_public_profile.html", {"form": form, "profile": profile})


def _profiles_for_team(user):
    return PublicProfile.objects.filter(supporter__in=supporters_for_team(user))


@role_required(Role.TEAM)
def public_profiles_to_check(request):
    """The words supporters of the team's organisation asked to show, waiting for a check."""
    waiting = public_profiles.waiting_for_check().filter(
        pk__in=_profiles_for_team(request.user).values("pk")
    )
    return render(request, "supporters/public_profiles.html", {"waiting": waiting})


@role_required(Role.TEAM)
@require_POST
def public_profile_check(request, pk):
    """Show the words on the families' page, or send them back to the supporter."""
    profile = get_object_or_404(_profiles_for_team(request.user), pk=pk)
    decision = request.POST.get("decision")
    if decision not in {"show", "send_back"}:
        messages.error(request, "Choose whether to show these words or send them back")
        return redirect("supporters:public_profiles")
    try:
        public_profiles.check(profile, by=request.user, shown=decision == "show", request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "These words are now on the page for families."
            if decision == "show"
            else "Sent back. They are not shown. Tell the supporter what to change.",
        )
    return redirect("supporters:public_profiles")
