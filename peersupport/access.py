"""Role checks only: is this user a team member, a supporter, a manager; views use
`role_required`.

Who may see a *person*, a review, an offer or a note lives with the objects it protects:
`incidents.access` and the `visible_to` querysets in `incidents.models` (the team),
`supporters.access` (supporters, supervisors and the confidentiality wall). The table in
docs/architecture.md names each rule's function.
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
