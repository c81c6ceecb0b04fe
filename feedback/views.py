"""Public pages (no login) where a person answers their offer of support from a link.

The link carries a secret token. Its first page only checks the token, keeps the token's id in
the session and redirects to a page without it, so the token leaves the address bar and is
never sent on as a referrer. Opening the link does not use the token up (email scanners open
links too); answering does. A link that does not work gets the same kind page whatever the
reason, so it reveals nothing.
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
from feedback.forms import OfferAnswerForm
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
from peersupport.forms import posted
from peersupport.timing import due_after
from supporters.messages import person_message_context
from supporters.models import OfferStatus, SupportOffer
from supporters.services import record_answer

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
        "feedback/link_expired.html",
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


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@rate_limited
def offer_answer(request):
    """Who is asking and why, and the person's answer: yes, no thank you, or later."""
    token_id = request.session.get(TOKEN_SESSION_KEY)
    token = tokens.find_by_id(OFFER_ANSWER, token_id)
    offer = _offer_for(token)
    if offer is None or offer.status not in WAITING:
        if token is None and isinstance(token_id, int):
            token = AccessToken.objects.filter(pk=token_id).first()  # for its phone number
        request.session.pop(TOKEN_SESSION_KEY, None)
        return _link_expired(request, token)
    default_later = _default_later()
    form = OfferAnswerForm(posted(request), default_later=default_later)
    if request.method == "POST" and form.is_valid():
        answer = form.cleaned_data["answer"]
        try:
            with transaction.atomic():
                if not tokens.use(token):
                    raise ValidationError("This link has already been used.")
                record_answer(
                    SupportOffer.objects.select_for_update().get(  # scoped: re-read under a lock
                        pk=offer.pk
                    ),
                    answer,
                    by=None,
                    reason=form.cleaned_data["reason"],
                    contact_again_on=form.cleaned_data["contact_again_on"],
                    request=request,
                )
        except ValidationError:
            request.session.pop(TOKEN_SESSION_KEY, None)
            return _link_expired(request, token)
        offer.refresh_from_db()
        request.session.pop(TOKEN_SESSION_KEY, None)
        request.session[ANSWERED_SESSION_KEY] = {
            "answer": answer,
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
            "organisation": organisation,
            "reader": answered.get("reader"),
            "about_review": answered.get("about_review", True),
            "contact_again_on": _parse_date(answered.get("contact_again_on")),
            "phone_numbers": organisation_phone(organisation),
        },
    )
