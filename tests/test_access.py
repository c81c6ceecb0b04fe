import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from peersupport.roles import Role
from tests.access_table import (
    ACCESS,
    FORBIDDEN,
    HOME,
    LOGIN,
    NOT_FOUND,
    OK,
    PERSONAS,
    POST_ONLY,
    UNLISTED_NAMESPACES,
    URL_KWARGS,
)


def _named_urls(patterns=None, namespace=None):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            full = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from _named_urls(pattern.url_patterns, full)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name, namespace


def test_every_url_has_a_row():
    missing = sorted(
        name
        for name, namespace in _named_urls()
        if name not in ACCESS and (namespace or "").split(":")[0] not in UNLISTED_NAMESPACES
    )
    assert missing == [], f"Add these URLs to tests/access_table.py: {missing}"


def _kwargs(name, world):
    return URL_KWARGS[name](world) if name in URL_KWARGS else None


class _AnyObject:
    def __getattr__(self, name):
        return type("Obj", (), {"pk": 1})()


def test_every_row_names_a_real_url_and_every_persona():
    for name, answers in ACCESS.items():
        try:
            reverse(name, kwargs=_kwargs(name, _AnyObject()))
        except NoReverseMatch:
            pytest.fail(f"{name} is in the access table but is not a URL")
        assert set(answers) == set(PERSONAS), name


def _check(response, expected):
    login_url = reverse(settings.LOGIN_URL)
    if expected == OK:
        return response.status_code == 200
    if expected == LOGIN:
        return response.status_code == 302 and response["Location"].startswith(login_url)
    if expected == HOME:
        return response.status_code == 302 and not response["Location"].startswith(login_url)
    if expected == FORBIDDEN:
        return response.status_code == 403
    if expected == NOT_FOUND:
        return response.status_code == 404
    raise AssertionError(f"unknown expectation {expected}")


PERSONA_ROLES = {
    "manager": Role.MANAGER,
    "administrator": Role.ADMINISTRATOR,
}


# Pages the invitation holder tries with their survey link open rather than their offer link.
SURVEY_PAGES = {"feedback:survey", "feedback:survey_opt_out"}


class World:
    """Real objects belonging to the team member's organisation: a review, a person whose
    support the first supporter has accepted, and a person still waiting for a supporter."""

    def __init__(self, review, person, supporter, waiting_person, team_user):
        from incidents.models import Milestone
        from supporters import services

        self.review = review
        self.person = person
        self.supporter = supporter
        self.waiting_person = waiting_person
        self.milestone = Milestone.objects.create(
            review=review, kind="inquest", due_on=review.reported_date
        )
        offer = services.open_offer(person)
        self.offer = services.assign_supporter(offer, supporter, by=team_user, via="phone")
        services.record_answer(self.offer, "accepted", by=team_user)


def _supervisor_of(supporter, organisation, make_user):
    """A team member of the same organisation, the supporter's named supervisor (for that
    organisation too), on none of the world's reviews."""
    from supporters.models import SupervisorAssignment
    from tests.factories import TeamMemberFactory

    user = make_user(Role.TEAM, "supervisor.persona@example.org")
    TeamMemberFactory(user=user, organisation=organisation)
    supporter.supervisor = user
    supporter.save(update_fields=["supervisor"])
    SupervisorAssignment.objects.update_or_create(
        supporter=supporter, organisation=organisation, defaults={"supervisor": user}
    )
    return user


def _invitation_holder(review, supporter, team_user, client_for):
    """A browser with no login that has opened a real answer link for a real offer waiting for
    an answer (a person of the same review, offered the world's supporter)."""
    from feedback.offer_links import offer_answer_url
    from incidents.services import record_consent
    from supporters import services
    from tests.factories import AffectedPersonFactory

    invited = AffectedPersonFactory(review=review, consent_to_contact="not_asked")
    record_consent(invited, "contact", "given", "phone", by=team_user)
    offer = services.assign_supporter(invited.offers.get(), supporter, by=team_user, via="phone")
    client = client_for(None)
    link = offer_answer_url(offer).removeprefix(settings.SITE_URL)
    assert client.get(link).status_code == 302
    return client


def _survey_holder(review, team_user, client_for):
    """A browser with no login that has opened a real survey link of a family member."""
    from feedback.invitations import invite_person, survey_url
    from tests.factories import AffectedPersonFactory

    invitation = invite_person(AffectedPersonFactory(review=review), review=review)
    client = client_for(None)
    assert client.get(survey_url(invitation).removeprefix(settings.SITE_URL)).status_code == 302
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_access_table(
    persona,
    make_user,
    client_for,
    team_user,
    other_team_user,
    review,
    person,
    consenting_person,
    supporter,
    second_supporter,
):
    from django.core.cache import cache

    cache.clear()  # the public pages' rate limits count every persona's visits
    world = World(review, person, supporter, consenting_person, team_user)
    users = {
        "anonymous": None,
        "invitation_holder": None,
        "team": team_user,
        "other_team": other_team_user,
        "supporter": supporter.user,
        "other_supporter": second_supporter.user,
    }
    if persona == "supervisor":
        users["supervisor"] = _supervisor_of(supporter, review.organisation, make_user)
    user = users[persona] if persona in users else make_user(PERSONA_ROLES[persona])
    holder = (
        _invitation_holder(review, supporter, team_user, client_for)
        if persona == "invitation_holder"
        else None
    )
    survey_holder = (
        _survey_holder(review, team_user, client_for) if persona == "invitation_holder" else None
    )
    wrong = []
    for name, answers in ACCESS.items():
        if persona == "invitation_holder":
            client = survey_holder if name in SURVEY_PAGES else holder
        else:
            client = client_for(user)
        url = reverse(name, kwargs=_kwargs(name, world))
        response = client.post(url) if name in POST_ONLY else client.get(url)
        if not _check(response, answers[persona]):
            where = response.get("Location", "")
            wrong.append(f"{name}: expected {answers[persona]}, got {response.status_code} {where}")
    assert wrong == []


@pytest.mark.django_db
def test_user_without_a_role_is_refused_everywhere_but_told_why(client_for, django_user_model):
    user = django_user_model.objects.create_user("norole@example.org", "a-long-password-1")
    client = client_for(user)
    assert client.get(reverse("home")).status_code == 403
    assert client.get(reverse("incidents:work_queue")).status_code == 403
    assert client.get(reverse("dashboard")).status_code == 403


@pytest.mark.django_db
def test_inactive_user_is_treated_as_logged_out(make_user, client_for):
    user = make_user(Role.TEAM)
    client = client_for(user)
    user.is_active = False
    user.save()
    response = client.get(reverse("incidents:work_queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
