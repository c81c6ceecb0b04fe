import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from peersupport.access import role_required
from peersupport.celery import app as celery_app
from peersupport.jobs import seconds_since_last_run
from peersupport.models import Alert
from peersupport.roles import Role, primary_role
from peersupport.sessions import seconds_left
from peersupport.tasks import HEARTBEAT

logger = logging.getLogger(__name__)

HOME_FOR_ROLE = {
    Role.TEAM: "incidents:work_queue",
    Role.SUPPORTER: "supporters:my_people",
    Role.MANAGER: "dashboard",
    Role.ADMINISTRATOR: "admin:index",
}


def home(request):
    """Send each person to the page their role works from."""
    role = primary_role(request.user)
    if role is None:
        return render(request, "no_role.html", status=403)
    return redirect(reverse(HOME_FOR_ROLE[role]))


@role_required(Role.TEAM, Role.SUPPORTER, Role.MANAGER, Role.ADMINISTRATOR)
def alerts(request):
    """The user's in-app alerts, newest first; opening the page marks them read."""

    items = list(Alert.objects.filter(user=request.user)[:100])
    Alert.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "peersupport/alerts.html", {"alerts": items})


@login_not_required
def not_offered(request, **kwargs):
    """Answers 404 for allauth pages this service deliberately does not offer."""
    raise Http404


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: database unavailable")
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
        return True
    except Exception:
        logger.exception("Health check: broker unavailable")
        return False


@login_not_required
@require_GET
@never_cache
def healthz(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"}
    body.update({name: "ok" if ok else "unavailable" for name, ok in checks.items()})
    if checks["database"]:
        # Informational: a stopped scheduler delays messages but does not make the site unhealthy.
        body["scheduler_last_seen_seconds"] = seconds_since_last_run(HEARTBEAT)
    return JsonResponse(body, status=200 if healthy else 503)


@login_not_required
@require_http_methods(["GET", "POST"])
def session_status(request):
    """How long before this session ends, for the page's timeout warning. A GET only asks;
    a POST ("Stay logged in") counts as activity, so it puts the idle limit off again."""

    if not request.user.is_authenticated:
        return JsonResponse({"authenticated": False, "seconds_left": 0, "can_extend": False})
    left, can_extend = seconds_left(request.session)
    return JsonResponse({"authenticated": True, "seconds_left": left, "can_extend": can_extend})
