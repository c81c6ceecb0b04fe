"""`{% session_timeout %}`: the timeout warning and its script, on pages for logged-in people."""

from django import template
from django.conf import settings

from peersupport.sessions import seconds_left

register = template.Library()


@register.inclusion_tag("peersupport/_session_timeout.html", takes_context=True)
def session_timeout(context):
    request = context.get("request")
    if request is None:
        return {"absent": True}
    left, can_extend = seconds_left(request.session)
    return {
        "seconds_left": left,
        "can_extend": can_extend,
        "warning_seconds": settings.SESSION_WARNING_SECONDS,
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
        "absolute_hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
        "csrf_token": context.get("csrf_token"),
    }
