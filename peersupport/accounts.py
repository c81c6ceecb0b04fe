"""django-allauth adapter: accounts are invited by an administrator, never self-created."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    # What a locked-out person reads (wrong passwords or authenticator codes, see
    # settings.ACCOUNT_RATE_LIMITS): what happened, how long to wait, and what else to do.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": (
            "You have entered the wrong details too many times, so logging in to this account "
            f"is locked for {settings.LOGIN_LOCKOUT_MINUTES} minutes. Wait "
            f"{settings.LOGIN_LOCKOUT_MINUTES} minutes, then try again. If you have forgotten "
            'your password, choose "Forgotten your password?" on the login page.'
        ),
        "rate_limited": "You have tried too many times. Wait a minute, then try again.",
    }

    def is_open_for_signup(self, request):
        return False
