import pytest

from incidents.models import TeamMember
from peersupport.roles import Role
from supporters.models import CodeAcceptance, CodeOfConduct, Course, SupervisorAssignment
from tests.factories import (
    AffectedPersonFactory,
    PeerSupporterFactory,
    SupervisionSessionFactory,
    TrainingRecordFactory,
)


def organisation_supervisor(make_user, organisation):
    """A team member of the organisation, named on none of its reviews: the default supervisor
    `make_supporter` names for each organisation a supporter serves."""
    user = make_user(Role.TEAM, f"org{organisation.pk}.supervisor@example.org", first_name="Orla")
    TeamMember.objects.get_or_create(user=user, defaults={"organisation": organisation})
    return user


@pytest.fixture
def make_supporter(make_user, organisation, team_user):
    """An eligible supporter: active, every mandatory course current, supervised last week,
    the current code of conduct accepted, a supervisor named for each organisation they serve
    (`supervisor` for its own organisation if given, else organisation_supervisor)."""

    def make(email=None, **kwargs):
        user = make_user(Role.SUPPORTER, email, first_name=kwargs.pop("first_name", "Pat"))
        kwargs.setdefault("organisations", [organisation])
        supporter = PeerSupporterFactory(user=user, **kwargs)
        main = kwargs.get("supervisor")
        main_organisation = getattr(getattr(main, "team_membership", None), "organisation_id", 0)
        for served in kwargs["organisations"]:
            SupervisorAssignment.objects.create(
                supporter=supporter,
                organisation=served,
                supervisor=main
                if main_organisation == served.pk
                else organisation_supervisor(make_user, served),
            )
        for course in Course.objects.filter(mandatory=True):
            TrainingRecordFactory(supporter=supporter, course=course)
        SupervisionSessionFactory(supporter=supporter, supervisor=team_user)
        code = CodeOfConduct.objects.order_by("-version").first()
        if code:
            CodeAcceptance.objects.create(supporter=supporter, code=code)
        return supporter

    return make


@pytest.fixture
def supporter(make_supporter):
    return make_supporter("supporter.one@example.org", first_name="Sam")


@pytest.fixture
def second_supporter(make_supporter):
    return make_supporter("supporter.two@example.org", first_name="Alex")


@pytest.fixture
def consenting_person(review, team_user):
    """A bereaved mother who agreed to be contacted and to share her details."""
    from incidents.services import record_consent

    person = AffectedPersonFactory(
        review=review,
        full_name="Joan Whitfield",
        preferred_name="Joan",
        consent_to_contact="not_asked",
        consent_to_share="not_asked",
    )
    record_consent(person, "contact", "given", "phone", by=team_user)
    record_consent(person, "share", "given", "phone", by=team_user)
    person.refresh_from_db()
    return person
