"""The audit helper: every view or change of identifiable data is recorded through `record`.

Record what happened and to which object (type and id), never the personal data itself: `detail`
holds field names, counts and ids only.
"""

import csv
import json

from django.conf import settings
from django.utils.crypto import salted_hmac

from peersupport.models import AuditEvent
from peersupport.spreadsheet import safe_cell


def client_ip(request) -> str | None:
    """The client's address, trusting X-Forwarded-For only as far as our own proxies."""
    if request is None:
        return None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def record(action: str, *, request=None, actor=None, obj=None, **detail) -> AuditEvent:
    """Add one audit row. `actor` defaults to the request's user."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor.email if actor is not None else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip_address=client_ip(request),
        detail=detail,
    )


def keyed_hash(value: str) -> str:
    """A short keyed hash of an identifier (the email typed at a failed login): repeated
    attempts on one account can be matched without the log ever holding the address."""
    return salted_hmac("peersupport.audit.identifier", value.strip().lower()).hexdigest()[:24]


class RefusedAccessMiddleware:
    """Audit every refusal: a 403 or 404 answered to a logged-in user, or on a page that needs a
    login. Records the URL's name, the ids in it and the status, never the path or query string
    (a path may carry a token, a query string whatever was typed)."""

    REFUSED = (403, 404)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in self.REFUSED:
            match = getattr(request, "resolver_match", None)
            user = getattr(request, "user", None)
            logged_in = user is not None and user.is_authenticated
            protected = match is not None and getattr(match.func, "login_required", True)
            if logged_in or protected:
                ids = {
                    k: v for k, v in (match.kwargs if match else {}).items() if isinstance(v, int)
                }
                record(
                    "access.refused",
                    request=request,
                    status=response.status_code,
                    url_name=match.view_name if match else "",
                    method=request.method,
                    **({"ids": ids} if ids else {}),
                )
        return response


CSV_COLUMNS = ["at", "actor_label", "action", "object_type", "object_id", "ip_address", "detail"]


def _csv_safe(value) -> str:
    return safe_cell("" if value is None else str(value))


def write_csv(events, stream) -> int:
    """Write audit events to `stream` as CSV; returns how many rows were written."""
    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for event in events.iterator():
        writer.writerow(
            [
                _csv_safe(event.at.isoformat()),
                _csv_safe(event.actor_label),
                _csv_safe(event.action),
                _csv_safe(event.object_type),
                _csv_safe(event.object_id),
                _csv_safe(event.ip_address),
                _csv_safe(json.dumps(event.detail, sort_keys=True)),
            ]
        )
        count += 1
    return count
