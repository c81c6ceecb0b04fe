import pytest

from incidents.models import Nation
from tests.factories import (
    AffectedPersonFactory,
    OrganisationFactory,
    ReviewFactory,
    ServiceFactory,
    TeamMemberFactory,
)


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Northshire NHS Foundation Trust", nation=Nation.ENGLAND)


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Westvale University Health Board", nation=Nation.WALES)


@pytest.fixture
def service(organisation):
    return ServiceFactory(organisation=organisation, name="Adult mental health inpatients")


@pytest.fixture
def other_team_user(make_user, other_organisation):
    from peersupport.roles import Role

    user = make_user(Role.TEAM, "other.team@example.org")
    TeamMemberFactory(user=user, organisation=other_organisation)
    return user


@pytest.fixture
def review(team_user, service):
    return ReviewFactory(
        organisation=service.organisation, service=service, lead_investigator=team_user
    )


@pytest.fixture
def person(review):
    return AffectedPersonFactory(review=review, full_name="Margaret Okonjo")
