"""Months of support for the measures' pages: enough people each month that the figures are
published (counts of 1 to 7 are withheld), so every chart has points to draw."""

from datetime import timedelta

from django.utils import timezone

from feedback.models import Answer, Invitation, Question, Response
from feedback.services import questionnaire as questionnaire_for
from incidents.models import AffectedPerson, ConsentRecord
from peersupport.dashboard.filters import Filters, add_months, uk_midnight
from supporters.models import (
    Contact,
    OfferStatusChange,
    SupervisionSession,
    SupporterStatusChange,
    SupportOffer,
    WellbeingCheckIn,
)
from tests.factories import AffectedPersonFactory, PeerSupporterFactory, UserFactory


def months_of_support(review, months=12):
    """Ten people a month for the last `months` complete months (counts of 1 to 7 are withheld),
    each logged and offered within days, accepting, with contacts and a survey; supporters
    active, supervised and checking in. The contacts go 23, 28, 33 a month in turn, so that
    chart has process limits and a variation icon; the rest are the same every month."""
    organisation = review.organisation
    supporter = PeerSupporterFactory(organisations=[organisation], capacity=80)
    SupporterStatusChange.objects.create(
        supporter=supporter, to_status="active", changed_at=timezone.now() - timedelta(days=800)
    )
    supervisor = UserFactory()
    # Ten more supporters, still in training (so no caseload or supervision), each checking
    # in once a month: the feelings measures count supporters, not check-ins.
    checkers = [
        PeerSupporterFactory(organisations=[organisation], status="in_training") for _ in range(10)
    ]
    # Restored if a browser test before this one flushed the migrations' rows.
    questionnaire = questionnaire_for("families-and-service-users")
    version = questionnaire.current_version
    questions = {q.code: q for q in Question.objects.filter(version=version)}
    first = Filters.last(months).first_month
    for index in range(months):
        month = add_months(first, index)
        when = uk_midnight(month) + timedelta(days=3, hours=10)
        SupervisionSession.objects.create(
            supporter=supporter, supervisor=supervisor, held_on=month + timedelta(days=20)
        )
        for n in range(10):
            person = AffectedPersonFactory(review=review, full_name=f"Person {index}-{n}")
            AffectedPerson.objects.filter(pk=person.pk).update(created_at=when)
            ConsentRecord.objects.create(
                person=person, kind="contact", decision="given", method="phone", recorded_at=when
            )
            offer = SupportOffer.objects.create(
                person=person,
                supporter=supporter,
                status="active",
                created_at=when,
                offered_at=when + timedelta(days=n % 3),
                answered_at=when + timedelta(days=4),
            )
            OfferStatusChange.objects.create(
                offer=offer, to_status="accepted", changed_at=when + timedelta(days=4)
            )
            extra = (index % 3) * 5 if n == 0 else 0
            for day in range(n % 4 + 1 + extra):
                Contact.objects.create(
                    offer=offer,
                    supporter=supporter,
                    happened_on=month + timedelta(days=5 + day),
                    mode="phone",
                    minutes=30,
                )
            invitation = Invitation.objects.create(
                questionnaire=questionnaire,
                person=person,
                organisation=organisation,
                expires_at=when + timedelta(days=40),
                completed_at=when + timedelta(days=10),
            )
            response = Response.objects.create(
                invitation=invitation,
                version=version,
                submitted_at=when + timedelta(days=10),
                group="family",
                organisation=organisation,
                service=review.service,
            )
            for code, value in (
                ("satisfaction", 5 if n < 5 else 4),  # a complement of 1 to 7 is withheld
                ("engage_with_review", 4),
                ("supported_by_process", 4 + n % 2),
                ("fft", 1 + n % 2),
            ):
                Answer.objects.create(response=response, question=questions[code], value=value)
            WellbeingCheckIn.objects.create(
                supporter=checkers[n], empowered=4 + n % 2, coping=4 + n % 2, created_at=when
            )
