"""The roles people log in with. Each role is a Django group, created by a migration."""

from django.db import models


class Role(models.TextChoices):
    TEAM = "team", "Learning and investigations team"
    SUPPORTER = "supporter", "Peer supporter"
    MANAGER = "manager", "Manager"
    ADMINISTRATOR = "administrator", "Administrator"


def group_name(role: Role) -> str:
    return role.label


def roles_of(user) -> set[Role]:
    """The roles a user holds; superusers are administrators whatever their groups."""
    if not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, "_peersupport_roles", None)
    if cached is not None:
        return cached
    by_name = {group_name(role): role for role in Role}
    roles = {
        by_name[name] for name in user.groups.values_list("name", flat=True) if name in by_name
    }
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    user._peersupport_roles = roles
    return roles


def primary_role(user) -> Role | None:
    """The role whose home page a user lands on when they hold several."""
    roles = roles_of(user)
    for role in (Role.ADMINISTRATOR, Role.TEAM, Role.MANAGER, Role.SUPPORTER):
        if role in roles:
            return role
    return None
