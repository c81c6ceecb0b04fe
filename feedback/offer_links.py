"""The link in an offer of support that lets the person answer it without an account."""

from django.conf import settings
from django.urls import reverse

from feedback import tokens

OFFER_ANSWER = "offer-answer"


def offer_answer_url(offer) -> str:
    """A fresh single-use link to answer `offer`, for the person it was made to.

    Called when the offer email, SMS or letter is built at send time, so each message carries
    its own token and the plain token is never stored.
    """
    plain = tokens.issue(OFFER_ANSWER, offer, person=offer.person)
    return settings.SITE_URL.rstrip("/") + reverse("feedback:offer_token", args=[plain])
