"""Request rules every page follows: session time limits, two-factor set-up, no caching.

Listed in settings.MIDDLEWARE after MessageMiddleware (a timed-out person is told why on the
login page) and after LoginRequiredMiddleware.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from peersupport import sessions

TIMED_OUT = {
    "idle": "You have been logged out because you had not used the service for {minutes} minutes. "
    "Log in to carry on.",
    "absolute": "For your security you have been logged out: you can stay logged in for "
    "{hours} hours at most. Log in to carry on.",
}


class SessionTimeoutMiddleware:
    """Log out after SESSION_IDLE_TIMEOUT without a request, and SESSION_ABSOLUTE_TIMEOUT after
    logging in. The page script's status check (a GET of `session_status`) does not count as
    activity; its "stay logged in" POST does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            reason = sessions.expiry(request.session)
            if reason:
                logout(request)
                messages.info(
                    request,
                    TIMED_OUT[reason].format(
                        minutes=settings.SESSION_IDLE_TIMEOUT // 60,
                        hours=settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
                    ),
                )
            else:
                sessions.stamp(request.session, active=not self._is_status_check(request))
        elif SESSION_KEY in request.session:
            # Logged in once, no longer a user (deactivated or deleted): never let the session
            # come back to life if the account is switched on again.
            request.session.flush()
        response = self.get_response(request)
        if request.user.is_authenticated and sessions.LOGGED_IN_AT not in request.session:
            sessions.stamp(request.session)  # this request logged in
        return response

    @staticmethod
    def _is_status_check(request) -> bool:
        return request.method == "GET" and request.path == reverse("session_status")


# Pages a logged-in person without an authenticator app may still open: setting one up (with
# allauth's password check before it) and the recovery codes it gives them.
MFA_SETUP_URL_NAMES = {
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "account_reauthenticate",
}


class MFARequiredMiddleware:
    """With MFA_REQUIRED, a logged-in person without an authenticator app is sent to set one up,
    whatever they asked for, until they have. allauth asks for the code at every login after
    that. Public pages (marked login_not_required: log out, health check, public information)
    stay open; they hold nothing about anyone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.MFA_REQUIRED or not request.user.is_authenticated:
            return None
        if not getattr(view_func, "login_required", True):
            return None
        if request.resolver_match.url_name in MFA_SETUP_URL_NAMES:
            return None
        if is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
            return None
        return redirect("mfa_activate_totp")


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every page a logged-in person sees, and on every other page
    that has not said otherwise: the rest are forms with CSRF tokens and secret-link pages,
    which no browser or proxy should keep either. Static files (whitenoise, earlier in the
    list) keep their long caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated or not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
