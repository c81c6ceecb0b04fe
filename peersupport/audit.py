"""The audit helper: every view or change of identifiable data is recorded through `record`.

Record what happened and to which object (type and id), never the personal data itself: `detail`
holds field names, counts and ids only.
"""

from django.conf import settings

from peersupport.models import AuditEvent


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
