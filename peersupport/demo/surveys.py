"""Seeds demo survey data: 18 months of invitations and responses, so the measures dashboard has a
history to chart.

`seed_surveys` gives the two demo organisations a month-by-month history from the demo
people who had support, and the demo supporters a survey each quarter; `seed_survey_scale`
adds an invitation (about half answered) for every person of a `--scale` run whose support
happened, and a quarterly survey for its supporters. Both bulk-insert rows with no messages:
these surveys were sent and answered in the past. Answers drift slowly upwards over the 18
months, as a service that is learning might, so the charts have something to show.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from feedback.models import (
    Answer,
    Audience,
    Group,
    Invitation,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
)
from feedback.questionnaire_defaults import SLUG_FOR_PERSON_KIND, SUPPORTER_SLUG
from incidents.models import AffectedPerson, Organisation
from peersupport.demo.incidents_data import ENGLAND_ORG, WALES_ORG
from peersupport.demo.incidents_scale import SCALE_PREFIX
from peersupport.models import Message, MessageStatus
from supporters.models import CloseReason, OfferStatus, PeerSupporter, SupportOffer

MONTHS = 18
# Invitations a month for each organisation, by questionnaire slug.
# Enough answers each month that, after suppression (1 to 7 withheld, the rest rounded to 5),
# the dashboard's survey measures still have figures to show.
PER_MONTH = {"families-and-service-users": 36, "staff": 40}
ANSWERED, OPTED_OUT = 0.55, 0.03

COMMENTS = {
    Audience.FAMILY_SERVICE_USER: [
        "Having someone who had been through it made me feel less alone.",
        "It helped to understand what the review meetings would be like before they happened.",
        "I would have liked to hear from my supporter a bit sooner.",
        "Thank you. I did not think anyone would understand, but she did.",
        "The phone calls in the evening were the only time I could talk.",
    ],
    Audience.STAFF: [
        "Talking to a colleague who had been through an investigation made a real difference.",
        "I was worried it would be reported back to my manager. It was not, and that mattered.",
        "More information at the start about what happens next would help.",
        "The 72-hour check-in came at exactly the right time.",
    ],
    Audience.SUPPORTER: [
        "Supervision has been really helpful this quarter.",
        "The inquest support was hard. The debrief helped.",
        "I could take on one more person if needed.",
        "I would like more training on supporting people bereaved by suicide.",
    ],
}


# Questions answered more or less warmly than the rest (values 1..5), by code: about one in
# five did not feel supported by the review process, fewer as the service learned; staff
# were less sure their organisation supports them; supporters nearly always felt able to
# support people and were coping.
SCALE_WEIGHTS = {
    "supported_by_process": lambda p: [3 - p, 3 - p, 4, 9 + 3 * p, 6 + 6 * p],
    "staff_perception": lambda p: [2, 3, 5, 8 + 3 * p, 4 + 4 * p],
    "empowered": lambda p: [0, 0, 0.1, 6, 6],
    "coping": lambda p: [0, 0, 0.1, 6, 5],
}


def _weights(kind, progress, code=""):
    """How likely each answer is, `progress` (0 to 1) through the 18 months."""
    if kind == QuestionKind.SCALE and code in SCALE_WEIGHTS:
        return SCALE_WEIGHTS[code](progress)
    if kind == QuestionKind.SCALE:  # values 1..5
        return [1, 2, 4, 9 + 3 * progress, 6 + 6 * progress]
    if kind == QuestionKind.FFT:  # values 1..6, 1 and 2 positive
        return [6 + 5 * progress, 7, 3, 2 - progress, 1.5 - 0.5 * progress, 0.5]
    return [3, 1]  # yes, no


def _value(rng, kind, progress, code=""):
    if kind == QuestionKind.SCALE:
        return rng.choices([1, 2, 3, 4, 5], weights=_weights(kind, progress, code))[0]
    if kind == QuestionKind.FFT:
        return rng.choices([1, 2, 3, 4, 5, 6], weights=_weights(kind, progress))[0]
    return rng.choices([1, 0], weights=_weights(kind, progress))[0]


@dataclass
class _Planned:
    invitation: Invitation
    answered: bool
    group: str = ""
    service_id: int | None = None
    progress: float = 0.0


def _moment(rng, day):
    return timezone.make_aware(datetime.combine(day, time(9 + rng.randrange(9), rng.randrange(60))))


def _plan(rng, questionnaire, organisation, sent_at, *, person=None, user=None, offer=None):
    """One past invitation: sent at `sent_at`, answered within 10 days, opted out or lapsed."""
    roll = rng.random()
    answered = roll < ANSWERED
    latest = timezone.now() - timedelta(hours=1)  # nothing in the demo happens in the future

    def after(**delta):
        return min(sent_at + timedelta(**delta), latest)

    invitation = Invitation(
        questionnaire=questionnaire,
        person=person,
        user=user,
        organisation=organisation,
        offer=offer,
        created_at=sent_at,
        sent_at=sent_at,
        reminded_at=None if answered and roll < ANSWERED / 2 else after(days=7),
        expires_at=sent_at + timedelta(days=28),
        completed_at=after(days=rng.randint(0, 10), hours=rng.randint(1, 9)) if answered else None,
        opted_out_at=after(days=2) if ANSWERED <= roll < ANSWERED + OPTED_OUT else None,
    )
    if person is not None:
        group = Group(person.kind)
        service_id = person.review.service_id if person.review_id else None
    else:
        group, service_id = Group.SUPPORTER, None
    return _Planned(invitation, answered, group, service_id)


def _save(plans, rng, batch_size=2000) -> int:
    """Insert the invitations, then a response with answers for each one answered."""
    if not plans:
        return 0
    Invitation.objects.bulk_create([p.invitation for p in plans], batch_size=batch_size)
    questionnaires = {p.invitation.questionnaire_id for p in plans}
    current = {q.pk: q.current_version for q in Questionnaire.objects.filter(pk__in=questionnaires)}
    questions = {
        pk: list(Question.objects.filter(version=version).order_by("order"))
        for pk, version in current.items()
    }
    answered = [p for p in plans if p.answered]
    responses = [
        Response(
            invitation=p.invitation,
            version=current[p.invitation.questionnaire_id],
            submitted_at=p.invitation.completed_at,
            group=p.group,
            organisation_id=p.invitation.organisation_id,
            service_id=p.service_id,
        )
        for p in answered
    ]
    Response.objects.bulk_create(responses, batch_size=batch_size)
    answers = []
    for plan, response in zip(answered, responses, strict=True):
        audience = plan.invitation.questionnaire.audience
        for question in questions[plan.invitation.questionnaire_id]:
            if question.kind == QuestionKind.TEXT:
                if rng.random() < 0.25:
                    answers.append(
                        Answer(
                            response=response,
                            question=question,
                            text=rng.choice(COMMENTS[audience]),
                        )
                    )
                continue
            answers.append(
                Answer(
                    response=response,
                    question=question,
                    value=_value(rng, question.kind, plan.progress, question.code),
                )
            )
    Answer.objects.bulk_create(answers, batch_size=batch_size)
    return len(responses)


def _people_with_support(organisation, review_prefix=None):
    offers = SupportOffer.objects.filter(
        person__organisation=organisation,
        supporter__isnull=False,
        status__in=[OfferStatus.ACTIVE, OfferStatus.CLOSED, OfferStatus.ACCEPTED],
    ).exclude(close_reason=CloseReason.REASSIGNED)
    if review_prefix:
        offers = offers.filter(person__review__reference__startswith=review_prefix)
    return offers.select_related("person__review")


def _supporters_by_organisation(organisations, email_prefix=None):
    """Each supporter once, under the organisation their survey counts towards (their home
    organisation, else the first they serve), as feedback.invitations does."""
    supporters = PeerSupporter.objects.filter(
        Q(home_organisation__in=organisations) | Q(organisations__in=organisations)
    )
    if email_prefix:
        supporters = supporters.filter(user__email__startswith=email_prefix)
    by_organisation = {}
    for supporter in supporters.distinct().select_related("user").order_by("pk"):
        organisation_id = (
            supporter.home_organisation_id
            or supporter.organisations.order_by("pk").values_list("pk", flat=True).first()
        )
        by_organisation.setdefault(organisation_id, []).append(supporter)
    return by_organisation


def _quarter_starts(today):
    """The first day of each quarter of the last 18 months, oldest first."""
    year, month = today.year, 3 * ((today.month - 1) // 3) + 1
    starts = []
    for _ in range(MONTHS // 3 + 1):
        starts.append(date(year, month, 1))
        year, month = (year, month - 3) if month > 3 else (year - 1, month + 9)
    return list(reversed(starts))


def _supporter_plans(rng, questionnaire, organisation, supporters, today):
    plans = []
    starts = _quarter_starts(today)
    for index, start in enumerate(starts):
        if start > today - timedelta(days=30):
            continue  # this quarter's survey is the real one (send_supporter_surveys)
        progress = index / max(len(starts) - 1, 1)
        for supporter in supporters:
            plan = _plan(rng, questionnaire, organisation, _moment(rng, start), user=supporter.user)
            if not plan.answered and rng.random() < 0.3:  # supporters answer more often
                plan.answered = True
                plan.invitation.completed_at = min(
                    plan.invitation.sent_at + timedelta(days=3), timezone.now() - timedelta(hours=1)
                )
                plan.invitation.opted_out_at = None
            plan.progress = progress
            plans.append(plan)
    return plans


def _settle_story_invitations():
    """Invitations the demo's support stories made: their messages were settled as sent in
    the past (supporters.demo), so the invitations were sent then too, and closed 28 days
    later."""
    for invitation in Invitation.objects.filter(sent_at__isnull=True):
        sent = (
            Message.objects.filter(
                cause_type=Invitation._meta.label_lower,
                cause_id=str(invitation.pk),
                status=MessageStatus.SENT,
                rule="",
            )
            .values_list("sent_at", flat=True)
            .first()
        )
        if sent is not None:
            Invitation.objects.filter(pk=invitation.pk).update(
                created_at=sent, sent_at=sent, expires_at=sent + timedelta(days=28)
            )


def seed_surveys(today=None) -> int:
    """18 months of survey history for the demo organisations; returns the responses added.
    Safe to run twice: does nothing once the demo organisations have a past survey."""
    today = today or timezone.localdate()
    organisations = list(Organisation.objects.filter(name__in=[ENGLAND_ORG, WALES_ORG]))
    if not organisations:
        return 0
    history_starts = timezone.now() - timedelta(days=60)
    if Invitation.objects.filter(
        organisation__in=organisations, created_at__lt=history_starts
    ).exists():
        return 0
    _settle_story_invitations()
    rng = random.Random("demo-surveys")
    questionnaires = {q.slug: q for q in Questionnaire.objects.all()}
    plans = []
    for organisation in organisations:
        people = {}
        for offer in _people_with_support(organisation):
            slug = SLUG_FOR_PERSON_KIND[offer.person.kind]
            people.setdefault(slug, []).append(offer)
        for months_ago in range(MONTHS, 0, -1):
            index = today.year * 12 + today.month - 1 - months_ago
            month_start = date(index // 12, index % 12 + 1, 1)
            progress = (MONTHS - months_ago) / (MONTHS - 1)
            for slug, per_month in PER_MONTH.items():
                offers = people.get(slug, [])
                if not offers:
                    continue
                scale = 1 if organisation.name == ENGLAND_ORG else 0.5
                for _ in range(max(1, round(per_month * scale + rng.uniform(-1.5, 1.5)))):
                    offer = rng.choice(offers)
                    day = month_start + timedelta(days=rng.randrange(28))
                    plan = _plan(
                        rng, questionnaires[slug], organisation, _moment(rng, day),
                        person=offer.person, offer=offer,
                    )  # fmt: skip
                    plan.progress = progress
                    plans.append(plan)
    supporters = _supporters_by_organisation(organisations)
    for organisation in organisations:
        plans += _supporter_plans(
            rng,
            questionnaires[SUPPORTER_SLUG],
            organisation,
            supporters.get(organisation.pk, []),
            today,
        )
    return _save(plans, rng)


def seed_survey_scale(run: int, *, batch_size: int = 2000, today=None) -> int:
    """An invitation for every person of scale run `run` whose support happened (about half
    answered), and a quarterly survey for the run's supporters; returns the responses added."""
    today = today or timezone.localdate()
    prefix = f"{SCALE_PREFIX}{run:04d}-"
    if Invitation.objects.filter(person__review__reference__startswith=prefix).exists():
        return 0
    rng = random.Random(f"surveys-{run}")
    questionnaires = {q.slug: q for q in Questionnaire.objects.all()}
    earliest = today - timedelta(days=MONTHS * 30)
    plans = []
    people = AffectedPerson.objects.filter(review__reference__startswith=prefix)
    organisations = list(Organisation.objects.filter(pk__in=people.values("organisation")))
    supporters = _supporters_by_organisation(organisations, f"scale{run:04d}.")
    for organisation in organisations:
        for offer in _people_with_support(organisation, prefix).iterator():
            # At least 40 days ago: answered, lapsed or opted out, all in the past.
            day = earliest + timedelta(days=rng.randrange(MONTHS * 30 - 40))
            plan = _plan(
                rng,
                questionnaires[SLUG_FOR_PERSON_KIND[offer.person.kind]],
                organisation,
                _moment(rng, day),
                person=offer.person,
                offer=offer,
            )
            plan.progress = (day - earliest).days / (MONTHS * 30)
            plans.append(plan)
        plans += _supporter_plans(
            rng,
            questionnaires[SUPPORTER_SLUG],
            organisation,
            supporters.get(organisation.pk, []),
            today,
        )
    return _save(plans, rng, batch_size)
