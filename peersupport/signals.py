"""Audit logins and failed logins (django.contrib.auth signals, which allauth sends too)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from peersupport import audit


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit.record("login", request=request, actor=user, obj=user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record("logout", request=request, actor=user, obj=user)


@receiver(user_login_failed)
def audit_failed_login(sender, credentials, request=None, **kwargs):
    # Neither the identifier typed nor the password is stored: only a keyed hash of the
    # identifier, so repeated attempts on one account show up (the admin searches by it).
    typed = next((credentials[k] for k in ("email", "login", "username") if credentials.get(k)), "")
    detail = {"login_hash": audit.keyed_hash(str(typed))} if typed else {}
    audit.record("login.failed", request=request, **detail)
