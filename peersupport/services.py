"""Changes to accounts, called by the admin and management commands alike."""

from allauth.account.forms import ResetPasswordForm
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from peersupport import audit
from peersupport.models import User
from peersupport.roles import Role, group_name


def create_user_with_role(email: str, role: Role, *, first_name="", last_name="", password=None):
    """Create (or update) an account holding exactly one role. Used by seed_demo and tests."""
    user, _ = User.objects.get_or_create(email=email.lower())
    user.first_name = first_name
    user.last_name = last_name
    user.is_active = True
    user.is_staff = role == Role.ADMINISTRATOR
    user.is_superuser = role == Role.ADMINISTRATOR
    if password:
        user.set_password(password)
    elif not user.has_usable_password():
        user.set_unusable_password()
    user.save()
    user.groups.set([Group.objects.get_or_create(name=group_name(role))[0]])
    mark_email_verified(user)
    return user


def mark_email_verified(user: User) -> None:
    """An administrator chose this address, so allauth may treat it as verified (MFA needs it)."""
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def send_account_invitation(user: User, *, request) -> None:
    """Email a new user allauth's password-setting link; this is how invited accounts start."""
    mark_email_verified(user)
    form = ResetPasswordForm(data={"email": user.email})
    if form.is_valid():
        form.save(request)
    audit.record("account.invited", request=request, obj=user)


def end_sessions(user: User) -> int:
    """Log `user` out everywhere by deleting their sessions; returns how many ended."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import SESSION_KEY
    from django.utils import timezone

    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    # Sessions are keyed by a random id, not the user: read each live one. There are only as
    # many as staff logged in during the last 12 hours.
    for session in store.get_model_class().objects.filter(expire_date__gt=timezone.now()):
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            store(session.session_key).delete()
            ended += 1
    return ended


def deactivate_user(user: User, *, request) -> None:
    """Switch an account off and end its sessions at once, not at their next request."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    ended = end_sessions(user)
    audit.record("account.deactivated", request=request, obj=user, sessions_ended=ended)


def reset_mfa(user: User, *, request) -> None:
    """Remove a user's authenticator app and recovery codes (a lost phone) and log them out:
    at their next login they set up a new app before anything else."""
    from allauth.mfa.models import Authenticator

    removed, _ = Authenticator.objects.filter(user=user).delete()
    ended = end_sessions(user)
    audit.record(
        "account.mfa_reset", request=request, obj=user, removed=removed, sessions_ended=ended
    )
