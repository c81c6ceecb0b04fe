from datetime import date, timedelta

import factory

from incidents.models import (
    AffectedPerson,
    Category,
    Consent,
    HarmLevel,
    Nation,
    Organisation,
    PersonKind,
    ResponseType,
    Review,
    Service,
    TeamMember,
)
from peersupport.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Test NHS Trust {n}")
    nation = Nation.ENGLAND
    phone = "0300 123 4567"


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Service {n}")


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    organisation = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"LR-{n:05d}")
    incident_date = factory.LazyFunction(lambda: date.today() - timedelta(days=10))
    reported_date = factory.LazyFunction(lambda: date.today() - timedelta(days=8))
    service = factory.SubFactory(
        ServiceFactory, organisation=factory.SelfAttribute("..organisation")
    )
    category = Category.DEATH
    response_type = ResponseType.SI_COMPREHENSIVE
    harm_level = HarmLevel.DEATH
    lead_investigator = factory.SubFactory(UserFactory)
    summary = "Unexpected death of an inpatient on a mental health ward."


class AffectedPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AffectedPerson

    review = factory.SubFactory(ReviewFactory)
    organisation = factory.LazyAttribute(lambda o: o.review.organisation)
    kind = PersonKind.FAMILY
    relationship = "Mother"
    bereaved = True
    full_name = factory.Sequence(lambda n: f"Person Number{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    phone = "+447700900123"
    consent_to_contact = Consent.GIVEN
    consent_to_share = Consent.GIVEN


# Supporters ------------------------------------------------------------------------------------
# Imported here rather than at the top so the incidents factories above stay unchanged.
from supporters.models import (  # noqa: E402
    Course,
    OfferStatus,
    PeerSupporter,
    Pool,
    SupervisionSession,
    SupporterStatus,
    SupportOffer,
    TrainingRecord,
)


class PeerSupporterFactory(factory.django.DjangoModelFactory):
    """An active lived-experience peer with room for people; pass organisations=[...] to serve."""

    class Meta:
        model = PeerSupporter
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    pool = Pool.LIVED_EXPERIENCE
    status = SupporterStatus.ACTIVE
    capacity = 3
    languages = "English"

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisations.set(extracted)

    @factory.post_generation
    def conflicts(self, create, extracted, **kwargs):
        if create and extracted:
            self.conflicts.set(extracted)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Course {n}")
    mandatory = True
    valid_for_months = 12


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    supporter = factory.SubFactory(PeerSupporterFactory)
    course = factory.SubFactory(CourseFactory)
    completed_on = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
    expires_on = factory.LazyAttribute(lambda o: o.completed_on + timedelta(days=365))


class SupervisionSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupervisionSession

    supporter = factory.SubFactory(PeerSupporterFactory)
    supervisor = factory.SubFactory(UserFactory)
    held_on = factory.LazyFunction(lambda: date.today() - timedelta(days=7))


class SupportOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportOffer

    person = factory.SubFactory(AffectedPersonFactory)
    supporter = factory.SubFactory(PeerSupporterFactory)
    status = OfferStatus.ACTIVE
