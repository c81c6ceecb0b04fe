"""Authenticator codes for tests, computed with allauth's own TOTP arithmetic (no phone)."""

import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt


def code_for(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows at `at` (now by default)."""
    counter = int(time.time() if at is None else at) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def fresh_code(secret: str, margin: float = 3) -> str:
    """The current code, waiting for the next one if this one is about to run out (real time:
    the browser tests cannot freeze the clock of the server they talk to)."""
    left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if left < margin:
        time.sleep(left + 0.2)
    return code_for(secret)


def give_authenticator(user) -> str:
    """Set up an authenticator app for `user`, as if they had; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def give_recovery_codes(user) -> list[str]:
    return RecoveryCodes.activate(user).generate_codes()


def secret_of(user) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(authenticator.data["secret"])
