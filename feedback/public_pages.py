"""What the public token pages (offer answers and surveys) share: the rate limit, the kind
answer past it, no referrer from a page whose address holds a token, and who to phone."""

from functools import wraps

from django.shortcuts import render

from incidents.models import Organisation
from incidents.selectors import organisation_phone, phone_numbers
from peersupport import ratelimit

# Requests to the token pages from one address in an hour. A person needs a handful; a script
# guessing tokens needs billions. Settings may change it.
TOKEN_PAGES = ratelimit.Rule("token-pages", setting="TOKEN_PAGES_PER_HOUR", default=30)


def too_many(request):
    """The kind answer past the limit: try again later, or phone."""
    return render(
        request, "feedback/too_many_requests.html", {"phone_numbers": phone_numbers()}, status=429
    )


def rate_limited(view=None, *, methods=None):
    """Count requests to a token page (or only its `methods`) against TOKEN_PAGES."""
    decorator = ratelimit.limited(TOKEN_PAGES, refused=too_many, methods=methods)
    return decorator(view) if view is not None else decorator


def no_referrer(view):
    """A page whose address holds a token sends no referrer on, even to this site.

    Only the token page: on a page with a form, "no-referrer" makes browsers send
    `Origin: null` with the POST, which the CSRF check rightly refuses.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


def session_record(request, key) -> dict:
    """What a finished page left in the session under `key` (an answer, a survey): a dict."""
    record = request.session.get(key)
    return record if isinstance(record, dict) else {}


def organisation_in(record: dict) -> Organisation | None:
    """The organisation a session record names, for the thank-you page and its phone number."""
    organisation_id = record.get("organisation")
    if not isinstance(organisation_id, int):
        return None
    return Organisation.objects.filter(pk=organisation_id).first()


__all__ = [
    "TOKEN_PAGES",
    "no_referrer",
    "organisation_in",
    "organisation_phone",
    "rate_limited",
    "session_record",
    "too_many",
]
