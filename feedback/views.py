"""Public pages (no login) where a person answers their offer of support from a link.

The link carries a secret token. Its first page only checks the token, keeps the token's id in
the session and redirects to a page without it, so the token leaves the address bar and is
never sent on as a referrer. The link is for this one offer only. Answering does not use it
up: "you can change your mind at any time", so opening it again shows the answer given, to
change, until support starts or the link expires (supporters.services.may_change_answer);
then the page says how to reach the team. A link that does not work gets the same kind page
whatever the reason, so it reveals nothing.
"""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from feedback import tokens
from feedback.forms import OfferAnswerForm, PreferencesForm
from feedback.models import AccessToken
from feedback.offer_links import OFFER_ANSWER
from feedback.public_pages import (
    no_referrer,
    organisation_in,
    organisation_phone,
    rate_limited,
    session_record,
)
from incidents.models import Organisation
from incidents.preferences import set_contact_preferences, set_preferences
from peersupport.forms import posted
from peersupport.timing import due_after
from supporters.messages import person_message_context
from supporters.models import OfferStatus, SupportOffer
from supporters.services import ANSWERS, change_answer, may_change_answer, record_answer
from supporters.wording import supporter_first_name

# The session holds only the id of the one token this browser opened, never the token.
TOKEN_SESSION_KEY = "feedback:offer-answer-token"
ANSWERED_SESSION_KEY = "feedback:offer-answered"

WAITING = (OfferStatus.OFFERED, OfferStatus.NO_RESPONSE)


def _organisation_of(token) -> Organisation | None:
    if token is None or token.person_id is None:
        return None
    return Organisation.objects.filter(people__pk=token.person_id).first()


def _link_expired(request, token=None):
    """The one kind answer for a link that does not work, whatever the reason."""
    return render(
        request,
        "feedback/offer_link_expired.html",
        {"phone_numbers": organisation_phone(_organisation_of(token))},
        status=404,
    )


def _offer_for(token) -> SupportOffer | None:
    """The offer this token is for, if it is for an offer and for that offer's person."""
    if token is None or token.object_type != SupportOffer._meta.label_lower:
        return None
    if not token.object_id.isdigit():
        return None
    offer = (
        SupportOffer.objects.select_related(  # scoped: the offer the answer link names
            "person__organisation", "supporter__user"
        )
        .filter(pk=int(token.object_id))
        .first()
    )
    if offer is None or offer.person_id != token.person_id or offer.supporter is None:
        return None
    return offer


def _default_later():
    """When we contact a person who asks for later and gives no date (as record_answer does)."""
    start = timezone.now()
    return (due_after("contact-later-default", start) or start + timedelta(weeks=4)).date()


def _parse_date(text):
    try:
        return date.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None


# Pages -----------------------------------------------------------------------------------------


@login_not_required
@require_safe
@never_cache
@no_referrer
@rate_limited
def offer_token(request, token):
    """Check the link's token, remember which token it was, and move on to a page without it."""
    found = tokens.find(OFFER_ANSWER, token)
    if found is None:
        return _link_expired(request, tokens.lookup(token))
    # A new session key, so nobody who planted a session cookie in this browser can use it.
    request.session.cycle_key()
    request.session[TOKEN_SESSION_KEY] = found.pk
    request.session.pop(ANSWERED_SESSION_KEY, None)
    return redirect("feedback:offer_answer")


def _support_started(request, offer):
    """Once support has started (or the team has closed or re-made the offer) the link changes
    nothing: the page says how to reach the team instead."""
    request.session.pop(TOKEN_SESSION_KEY, None)
    organisation = offer.person.organisation
    return render(
        request,
        "feedback/offer_closed.html",
        {
            "started": offer.status == OfferStatus.ACTIVE,
            "organisation": organisation,
            "supporter_first_name": supporter_first_name(offer.supporter),
            "phone_numbers": organisation_phone(organisation),
        },
    )


def _initial_answer(offer) -> dict:
    """The answer already given, to show when the link is opened again."""
    answer = next((key for key, status in ANSWERS.items() if status == offer.status), None)
    if answer is None:
        return {}
    return {
        "answer": answer,
        "reason": offer.decline_reason,
        "contact_again_on": offer.contact_again_on,
    }


def _is_a_change(offer, answer, details) -> bool:
    """Whether the answer sent differs from the one given (the same answer only updates the
    preferences, and adds no status change)."""
    if ANSWERS[answer] != offer.status:
        return True
    if answer == "declined":
        return details["reason"] != offer.decline_reason
    when = details["contact_again_on"]
    return answer == "later" and when is not None and when != offer.contact_again_on


def _save_answer(offer, form, preferences_form, request):
    """The answer (a first one, or a change) and the preferences, together or not at all."""
    answer = form.cleaned_data["answer"]
    details = {
        "reason": form.cleaned_data["reason"],
        "contact_again_on": form.cleaned_data["contact_again_on"],
        "request": request,
    }
    with transaction.atomic():
        locked = SupportOffer.objects.select_for_update().get(  # scoped: re-read under a lock
            pk=offer.pk
        )
        if locked.status in WAITING:
            record_answer(locked, answer, by=None, **details)
        elif not may_change_answer(locked):
            raise ValidationError("This offer can no longer be changed from the link.")
        elif _is_a_change(locked, answer, details):
            change_answer(locked, answer, **details)
        chosen = preferences_form.cleaned_data
        person = locked.person
        set_preferences(
            person,
            preferences_form.model_values(),
            consent=chosen["matching_consent"],
            request=request,
        )
        set_contact_preferences(
            person,
            channel=chosen["channel"],
            time_code=chosen["contact_time"],
            time_own=chosen["contact_time_own"],
            request=request,
        )
    return locked


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@rate_limited
def offer_answer(request):
    """Who is offered and what to expect, the person's answer (yes, no thank you, or later)
    and what matters to them in a supporter; opened again, the answer given, to change."""
    token_id = request.session.get(TOKEN_SESSION_KEY)
    token = tokens.find_by_id(OFFER_ANSWER, token_id)
    offer = _offer_for(token)
    if offer is None:
        if token is None and isinstance(token_id, int):
            token = AccessToken.objects.filter(pk=token_id).first()  # for its phone number
        request.session.pop(TOKEN_SESSION_KEY, None)
        return _link_expired(request, token)
    if offer.status not in WAITING and not may_change_answer(offer):
        return _support_started(request, offer)
    default_later = _default_later()
    answered = offer.status not in WAITING
    form = OfferAnswerForm(
        posted(request), default_later=default_later, initial=_initial_answer(offer)
    )
    preferences_form = PreferencesForm(posted(request), person=offer.person)
    if request.method == "POST" and form.is_valid() and preferences_form.is_valid():
        try:
            offer = _save_answer(offer, form, preferences_form, request)
        except ValidationError:
            request.session.pop(TOKEN_SESSION_KEY, None)
            return _link_expired(request, token)
        request.session.pop(TOKEN_SESSION_KEY, None)
        request.session[ANSWERED_SESSION_KEY] = {
            "answer": form.cleaned_data["answer"],
            "changed": answered,
            "organisation": offer.person.organisation_id,
            "reader": offer.person.kind,
            "about_review": offer.person.review_id is not None,
            "contact_again_on": (
                offer.contact_again_on.isoformat() if offer.contact_again_on else None
            ),
        }
        return redirect("feedback:offer_thanks")
    context = person_message_context(offer.person, offer.supporter)
    return render(
        request,
        "feedback/offer_answer.html",
        {
            "form": form,
            "preferences_form": preferences_form,
            "answered": answered,
            "offer": offer,
            "organisation": context["organisation"],
            "supporter_first_name": context["supporter_first_name"],
            "reader": context["reader"],
            "staff_peer": context["staff_peer"],
            "trim_practitioner": context["trim_practitioner"],
            "phone_numbers": organisation_phone(context["organisation"]),
        },
    )


@login_not_required
@require_safe
@never_cache
def offer_thanks(request):
    """What happens next for the answer the person gave; a general thank-you without one."""
    answered = session_record(request, ANSWERED_SESSION_KEY)
    organisation = organisation_in(answered)
    return render(
        request,
        "feedback/offer_thanks.html",
        {
            "answer": answered.get("answer"),
            "changed": answered.get("changed", False),
            "organisation": organisation,
            "reader": answered.get("reader"),
            "about_review": answered.get("about_review", True),
            "contact_again_on": _parse_date(answered.get("contact_again_on")),
            "phone_numbers": organisation_phone(organisation),
        },
    )
