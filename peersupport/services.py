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
