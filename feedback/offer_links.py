"""The link in an offer of support that lets the person answer it without an account."""

from django.conf import settings
from django.urls import reverse

from feedback import tokens

OFFER_ANSWER = "offer-answer"


def offer_answer_url(offer) -> str:
    """A fresh single-use link to answer `offer`, for the person it was made to.

    Called when the offer email or SMS is built at send time, or when a letter is printed
    (peersupport.team_messages.letters records that link's hash, to revoke it on a reprint), so each message
    carries its own token and the plain token is never stored.
    """
    plain = tokens.issue(OFFER_ANSWER, offer, person=offer.person)
    return settings.SITE_URL.rstrip("/") + reverse("feedback:offer_token", args=[plain])
