from django.conf import settings
from django.urls import reverse

from peersupport.models import Alert
from peersupport.roles import Role, roles_of


def navigation_for(user) -> list[tuple[str, str]]:
    """The header links a user sees: one per place their roles let them work."""
    roles = roles_of(user)
    links = []
    if Role.TEAM in roles:
        links.append(("Work queue", reverse("incidents:work_queue")))
        links.append(("Reviews", reverse("incidents:review_list")))
        links.append(("Supporters", reverse("supporters:roster")))
        links.append(("Debriefs", reverse("oversight:debrief_list")))
        links.append(("Messages", reverse("messages")))
        links.append(("Letters", reverse("letters")))
        if user.supervised_supporters.exists():
            links.append(("Supervision", reverse("oversight:supervision")))
    if Role.SUPPORTER in roles:
        links.append(("My people", reverse("supporters:my_people")))
        links.append(("Wellbeing check-in", reverse("practice:checkin")))
        links.append(("Resources", reverse("practice:resources")))
        links.append(("Your surveys", reverse("feedback:survey_mine")))
    if roles & {Role.MANAGER, Role.TEAM, Role.ADMINISTRATOR}:
        links.append(("Measures", reverse("dashboard")))
    if roles & {Role.MANAGER, Role.TEAM}:
        links.append(("Surveys", reverse("feedback:survey_results")))
    if Role.ADMINISTRATOR in roles:
        links.append(("Administration", reverse("admin:index")))
    return links


def unread_alerts(user) -> int:

    if user is None or not user.is_authenticated:
        return 0
    return Alert.objects.filter(user=user, read_at__isnull=True).count()


def service(request):
    user = getattr(request, "user", None)
    return {
        "service_name": settings.SERVICE_NAME,
        "navigation": navigation_for(user) if user is not None else [],
        "unread_alerts": unread_alerts(user),
    }
