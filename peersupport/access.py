"""One place that answers "may this user do X / see this object".

Role checks are plain functions; views use `role_required`. Object rules (a supporter sees a
person only while assigned, restricted reviews only their named team) are added here by the
steps that build those objects, so a newcomer finds every rule by its name in this module.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied

from peersupport.roles import Role, roles_of


def has_role(user, *roles: Role) -> bool:
    return bool(roles_of(user) & set(roles))


def is_team(user) -> bool:
    return has_role(user, Role.TEAM)


def is_supporter(user) -> bool:
    return has_role(user, Role.SUPPORTER)


def is_manager(user) -> bool:
    return has_role(user, Role.MANAGER)


def is_administrator(user) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def role_required(*roles: Role):
    """Refuse (403) a logged-in user who holds none of `roles`.

    Anonymous users never reach the view: LoginRequiredMiddleware sends them to log in.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
