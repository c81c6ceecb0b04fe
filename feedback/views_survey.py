"""The public survey pages (no login): a person, or a peer supporter, answers from a link.

As with the offer-answer pages (feedback.views): the link's page only checks the token, keeps
the token's id in a new short session and redirects to a page without it, sending no referrer.
Opening the link does not use the token up (email scanners open links too); sending the
answers, or opting out, does. A link that does not work gets the same kind page whatever the
reason. A logged-in supporter can also open their own open survey from an in-app alert
(`survey_mine`), with no token at all.
"""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from feedback import services, tokens
from feedback.invitations import SURVEY
from feedback.models import AccessToken, Audience, Invitation
from feedback.public_pages import (
    no_referrer,
    organisation_in,
    organisation_phone,
    rate_limited,
    session_record,
)
from feedback.survey_forms import SurveyForm
from peersupport.access import role_required
from peersupport.forms import posted
from peersupport.roles import Role

# The session holds which invitation this browser opened: the id of the token it came with,
# or (for a logged-in supporter) of the invitation itself. Never the token.
SURVEY_SESSION_KEY = "feedback:survey"
DONE_SESSION_KEY = "feedback:survey-done"
# A browser with no login keeps the survey open this long (seconds) after opening the link.
SESSION_SECONDS = 2 * 60 * 60


def _invitation_of(token) -> Invitation | None:
    """The invitation this token is for, if it is for one and for that invitation's person
    or supporter."""
    if token is None or token.object_type != Invitation._meta.label_lower:
        return None
    if not token.object_id.isdigit():
        return None
    invitation = (
        Invitation.objects.select_related(  # scoped: the invitation the link names
            "questionnaire", "organisation", "person", "user"
        )
        .filter(pk=int(token.object_id))
        .first()
    )
    if invitation is None:
        return None
    if (invitation.person_id, invitation.user_id) != (token.person_id, token.user_id):
        return None
    return invitation


def _held(request):
    """(invitation, token, organisation) for the survey this browser opened, if it may still
    be answered; otherwise the invitation is None, and the organisation, where known, says
    whose phone number to give."""
    held = request.session.get(SURVEY_SESSION_KEY)
    if not isinstance(held, dict):
        return None, None, None
    token_id = held.get("token")
    if token_id is not None:
        token = tokens.find_by_id(SURVEY, token_id)
        invitation = _invitation_of(token)
        if invitation is not None and invitation.is_open:
            return invitation, token, invitation.organisation
        stale = (
            AccessToken.objects.filter(pk=token_id).first() if isinstance(token_id, int) else None
        )
        known = _invitation_of(stale)
        return None, None, known.organisation if known else None
    invitation_id = held.get("invitation")
    if isinstance(invitation_id, int) and request.user.is_authenticated:
        invitation = (
            Invitation.objects.select_related(  # scoped: the user's own invitation
                "questionnaire", "organisation", "user"
            )
            .filter(pk=invitation_id, user=request.user)
            .first()
        )
        if invitation is not None and invitation.is_open:
            return invitation, None, invitation.organisation
        if invitation is not None:
            return None, None, invitation.organisation
    return None, None, None


def _link_expired(request, organisation=None):
    request.session.pop(SURVEY_SESSION_KEY, None)
    return render(
        request,
        "feedback/link_expired.html",
        {"phone_numbers": organisation_phone(organisation)},
        status=404,
    )


def _finished(request, invitation, what):
    request.session.pop(SURVEY_SESSION_KEY, None)
    request.session[DONE_SESSION_KEY] = {
        "what": what,
        "organisation": invitation.organisation_id,
        "supporter": invitation.user_id is not None,
        "reader": invitation.person.kind if invitation.person_id else None,
    }


def _page_context(invitation):
    organisation = invitation.organisation
    return {
        "invitation": invitation,
        "questionnaire": invitation.questionnaire,
        "organisation": organisation,
        "for_supporter": invitation.questionnaire.audience == Audience.SUPPORTER,
        "about_review": invitation.review_id is not None,
        "reader": invitation.person.kind if invitation.person_id else None,
        "phone_numbers": organisation_phone(organisation),
    }


# Pages -----------------------------------------------------------------------------------------


@login_not_required
@require_safe
@never_cache
@no_referrer
@rate_limited
def survey_token(request, token):
    """Check the link's token, remember which token it was, and move on to a page without it."""
    found = tokens.find(SURVEY, token)
    invitation = _invitation_of(found)
    if invitation is None or not invitation.is_open:
        known = invitation or _invitation_of(tokens.lookup(token))
        return _link_expired(request, known.organisation if known else None)
    # A new session key, so nobody who planted a session cookie in this browser can use it.
    request.session.cycle_key()
    request.session[SURVEY_SESSION_KEY] = {"token": found.pk}
    request.session.pop(DONE_SESSION_KEY, None)
    if not request.user.is_authenticated:
        request.session.set_expiry(SESSION_SECONDS)
    return redirect("feedback:survey")


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@rate_limited(methods={"POST"})
def survey(request):
    """Who is asking and why, the questions on one short page, and a way to opt out."""
    invitation, token, organisation = _held(request)
    if invitation is None:
        return _link_expired(request, organisation)
    version = invitation.questionnaire.current_version
    form = SurveyForm(posted(request), questions=version.questions.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.record_response(
                invitation, version, form.answers(), token=token, request=request
            )
        except ValidationError:
            return _link_expired(request, organisation)
        _finished(request, invitation, "answered")
        return redirect("feedback:survey_thanks")
    return render(request, "feedback/survey.html", {"form": form, **_page_context(invitation)})


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@rate_limited(methods={"POST"})
def survey_opt_out(request):
    """Ask to be sure, then stop every further message (a supporter: every further survey)."""
    invitation, token, organisation = _held(request)
    if invitation is None:
        return _link_expired(request, organisation)
    if request.method == "POST":
        services.opt_out(invitation, token=token, request=request)
        _finished(request, invitation, "opted_out")
        return redirect("feedback:survey_opted_out")
    return render(request, "feedback/survey_opt_out.html", _page_context(invitation))


def _done(request):
    done = session_record(request, DONE_SESSION_KEY)
    organisation = organisation_in(done)
    return {
        "organisation": organisation,
        "for_supporter": done.get("supporter") is True,
        "reader": done.get("reader"),
        "phone_numbers": organisation_phone(organisation),
    }


@login_not_required
@require_safe
@never_cache
def survey_thanks(request):
    return render(request, "feedback/survey_thanks.html", _done(request))


@login_not_required
@require_safe
@never_cache
def survey_opted_out(request):
    return render(request, "feedback/survey_opted_out.html", _done(request))


@role_required(Role.SUPPORTER)
@require_safe
@never_cache
def survey_mine(request):
    """A logged-in supporter's own open survey, from their in-app alert: no token needed."""
    invitation = (
        Invitation.objects.open()  # scoped: the user's own invitation
        .filter(user=request.user)
        .order_by("-created_at")
        .first()
    )
    if invitation is None:
        return render(request, "feedback/survey_none.html")
    request.session[SURVEY_SESSION_KEY] = {"invitation": invitation.pk}
    request.session.pop(DONE_SESSION_KEY, None)
    return redirect("feedback:survey")
