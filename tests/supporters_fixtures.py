import pytest

from peersupport.roles import Role
from supporters.models import CodeAcceptance, CodeOfConduct, Course
from tests.factories import (
    AffectedPersonFactory,
    PeerSupporterFactory,
    SupervisionSessionFactory,
    TrainingRecordFactory,
)


@pytest.fixture
def make_supporter(make_user, organisation, team_user):
    """An eligible supporter: active, every mandatory course current, supervised last week,
    the current code of conduct accepted."""

    def make(email=None, **kwargs):
        user = make_user(Role.SUPPORTER, email, first_name=kwargs.pop("first_name", "Pat"))
        kwargs.setdefault("organisations", [organisation])
        supporter = PeerSupporterFactory(user=user, **kwargs)
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
