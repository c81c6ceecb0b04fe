"""Seeds the demo accounts: one login for every role, all with the DEMO_PASSWORD."""

from peersupport.models import User
from peersupport.roles import Role
from peersupport.services import create_user_with_role

DEMO_USERS = [
    ("team@example.org", Role.TEAM, "Tanya", "Reid"),
    ("investigator@example.org", Role.TEAM, "Owen", "Marsh"),
    ("team.wales@example.org", Role.TEAM, "Rhian", "Morris"),
    ("supervisor@example.org", Role.TEAM, "Ruth", "Bennett"),
    ("supporter@example.org", Role.SUPPORTER, "Sam", "Okafor"),
    ("supporter2@example.org", Role.SUPPORTER, "Eleri", "Davies"),
    ("manager@example.org", Role.MANAGER, "Maya", "Patel"),
    ("admin@example.org", Role.ADMINISTRATOR, "Alex", "Morgan"),
]


def seed_users(password: str) -> list[tuple[str, Role]]:
    """Create or refresh the demo logins; safe to run again."""
    for email, role, first, last in DEMO_USERS:
        create_user_with_role(email, role, first_name=first, last_name=last, password=password)
    return [(email, role) for email, role, _, _ in DEMO_USERS]


def demo_users() -> dict:
    """The demo logins by email address (after `seed_users`)."""
    emails = [email for email, _, _, _ in DEMO_USERS]
    return {user.email: user for user in User.objects.filter(email__in=emails)}
