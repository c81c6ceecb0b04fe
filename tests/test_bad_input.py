"""Bad input on every form page: a property-based test (hypothesis) posts generated values
(empty, very long, unicode, control characters, HTML and script, SQL fragments, huge numbers,
impossible dates) to each form as the persona who may use it, and checks that

- the answer is never a server error (status below 500);
- the script payload is never in a page unescaped, neither in the answer nor, once saved, on
  the pages that show it;
- a refused post leaves what was saved untouched (the review, people, offers, supporter).

Each example runs inside a savepoint that is rolled back, so examples never see each other's
changes. `CI=true` loads the "ci" profile (25 examples a form); a laptop runs fewer.
A test also fails if a page that takes a POST is missing from FORMS (or from NO_FIELDS, for
the buttons that post nothing to type). Separately: CR/LF in a name never reaches an email
header.
"""

import inspect
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django import forms as django_forms
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from feedback.offer_links import offer_answer_url
from incidents.models import AffectedPerson, Milestone, Review, SelfReferral
from peersupport import outbox
from peersupport.forms import NHSDateField
from supporters import services
from supporters.models import (
    CodeAcceptance,
    Concern,
    PeerSupporter,
    PublicProfile,
    SupportOffer,
    WellbeingCheckIn,
)
from supporters.practice import services as practice
from tests.conftest import IN_CI
from tests.factories import AffectedPersonFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('xss')</script>"
IMG = '"><img src=x onerror=alert(1)>'
RAW_MARKUP = (SCRIPT, "<img src=x onerror=alert(1)>")

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x07\x1b[31m\x7f",
    "line one\r\nBcc: x@evil.test",
    SCRIPT,
    IMG,
    "'; DROP TABLE incidents_review; --",
    "1 OR 1=1",
    "%s%s%n%x",
    "{{ request.user.password }}{% debug %}",
    "../../etc/passwd",
    "9" * 40,
    "-1",
    "0",
    "1e309",
    "NaN",
    "-inf",
    "99999999999999999999",
    "32",
    "13",
    "29",
    "0000",
    "٣",
    "\u202eevil\u202c",
    "\ufeff",
    "Ωmega 漢字 😀 مرحبا",
    "x" * 10_000,
]
# Impossible or odd dates, as the three boxes of a date input.
DATES = st.sampled_from(
    [("31", "2", "2025"), ("29", "2", "2023"), ("0", "0", "0000"), ("1", "1", "0001"),
     ("1", "13", "2025"), ("99999999999999999999", "1", "2025"), ("1", "1", "99999"),
     ("-1", "-1", "-2025"), ("1", "Smarch", "2025"), ("1", "1", "1e3")]
)  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(min_size=301, max_size=2500),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.lists(st.sampled_from(NASTY), min_size=0, max_size=3),
)

hypothesis_settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples every run: a CI failure is reproducible
    database=None,
)
hypothesis_settings.register_profile(
    "dev",
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,  # no .hypothesis/ folder in the working tree; a failure prints its example
)
PROFILE = hypothesis_settings.get_profile("ci" if IN_CI else "dev")


def day(d):
    return {"day": str(d.day), "month": str(d.month), "year": str(d.year)}


def date_fields(name, d):
    return {f"{name}_{part}": value for part, value in day(d).items()}


TODAY = timezone.localdate


class World:
    """Real records for every form: the team's review and people, a supporter with a person
    whose support is active, an offer waiting for an answer, a concern, a request for support."""

    def __init__(self, *, team_user, review, person, consenting_person, supporter, make_supporter):
        self.team_user, self.review, self.supporter = team_user, review, supporter
        self.person = person
        self.waiting_person = consenting_person
        self.milestone = Milestone.objects.create(
            review=review, kind="inquest", due_on=TODAY() + timedelta(days=20)
        )
        offer = services.assign_supporter(
            services.open_offer(person), supporter, by=team_user, via="phone"
        )
        services.record_answer(offer, "accepted", by=team_user)
        self.active = offer
        offered = AffectedPersonFactory(review=review, full_name="Olive Offered")
        self.offered = services.assign_supporter(
            services.open_offer(offered), supporter, by=team_user, via="phone"
        )
        self.concern = practice.raise_concern(
            offer, supporter, kind="self_harm", details="Said she feels hopeless."
        )
        self.referral = SelfReferral.objects.create(
            organisation=review.organisation,
            name="Rita Request",
            email="rita@example.org",
            team="Ward 3",
            what_happened="A patient died on my shift.",
            contact_how="email",
        )
        self.new_supporter = make_supporter("new.supporter@example.org", first_name="Nia")
        CodeAcceptance.objects.filter(supporter=self.new_supporter).delete()
        self.offer_link = offer_answer_url(self.offered).removeprefix(
            django_settings.SITE_URL.rstrip("/")
        )
        self.survey_invitation = _supporter_survey(supporter)
        # The team member is also the supporter's supervisor, and a check-in needs attention.
        supporter.supervisor = team_user
        supporter.save(update_fields=["supervisor"])
        self.checkin = practice.record_checkin(
            supporter, empowered=4, coping=2, wants_debrief=False
        )

    def snapshot(self):
        """What was saved before the post: it must be the same after a refused one."""
        rows = [
            *Review.objects.order_by("pk"),
            *AffectedPerson.objects.order_by("pk"),
            *SupportOffer.objects.order_by("pk"),
            *PeerSupporter.objects.order_by("pk"),
            *Concern.objects.order_by("pk"),
            *Milestone.objects.order_by("pk"),
            *WellbeingCheckIn.objects.order_by("pk"),
            *SelfReferral.objects.order_by("pk"),
            *PublicProfile.objects.order_by("pk"),
        ]
        return [(type(r).__name__, r.pk, model_to_dict(r)) for r in rows]


def _supporter_survey(supporter):
    """An open survey invitation for the supporter, where the survey models exist."""
    from feedback import models as feedback

    if not hasattr(feedback, "Invitation"):
        return None
    questionnaire = feedback.Questionnaire.objects.filter(audience="supporter").first()
    if questionnaire is None or questionnaire.current_version is None:
        return None
    return feedback.Invitation.objects.create(
        questionnaire=questionnaire,
        user=supporter.user,
        organisation=supporter.organisations.first(),
        expires_at=timezone.now() + timedelta(days=20),
    )


@dataclass
class Form:
    """One form page: who uses it, where, valid data to start from, and where what it saves
    is shown (to check it is escaped there)."""

    name: str
    persona: str  # "team", "supporter", "new_supporter" or "public"
    url: object
    valid: object
    shows: list = field(default_factory=list)  # (persona, url function)
    method: str = "post"
    opens: object = None  # for the public pages: the link to follow first
    page: object = None  # where the form is, if not at `url` (a button on another page)
    free_text: tuple = ()  # answers typed in words, which the markup test fills with script

    def __str__(self):
        return self.name


def _review_data(w, **extra):
    return {
        "reference": "LR-2026-777",
        **date_fields("incident_date", TODAY() - timedelta(days=3)),
        **date_fields("reported_date", TODAY() - timedelta(days=1)),
        "service": w.review.service_id,
        "category": "suicide",
        "response_type": "psii",
        "harm_level": "death",
        "lead_investigator": w.team_user.pk,
        "summary": "A summary with no names.",
        **extra,
    }


def _person_data(w, **extra):
    return {
        "kind": "family",
        "relationship": "Mother",
        "bereaved": "on",
        "full_name": "Ann Hughes",
        "preferred_name": "Ann",
        "email": "ann@example.com",
        "phone": "07700 900 982",
        "address": "1 High Street",
        "preferred_channel": "email",
        "safe_times": "Evenings",
        "language": "English",
        "accessibility_needs": "",
        **extra,
    }


# Each preference described in the person's own words, so the markup test fills every box.
OFFER_PAGE_PREFERENCES = {
    "gender": "self", "gender_own": "Genderqueer", "background": "self",
    "background_own": "Cornish", "matching_consent": "on", "language": "self",
    "language_own": "Tigrinya", "experience": "self", "experience_own": "An inquest",
    "contact_time": "self", "contact_time_own": "Not Mondays",
}  # fmt: skip
TEAM_PREFERENCES = {
    "prefers_supporter_gender": "self", "prefers_supporter_gender_own": "Genderqueer",
    "prefers_shared_background": "self", "prefers_shared_background_own": "Cornish",
    "prefers_language": "self", "prefers_language_own": "Tigrinya",
    "prefers_lived_experience": "self", "prefers_lived_experience_own": "An inquest",
    "matching_consent": "on",
}  # fmt: skip

REVIEW = ("team", lambda w: reverse("incidents:review_detail", args=[w.review.pk]))
PERSON = ("team", lambda w: reverse("incidents:person_detail", args=[w.person.pk]))
QUEUE = ("team", lambda w: reverse("incidents:work_queue"))
MY_PERSON = ("supporter", lambda w: reverse("supporters:my_person", args=[w.active.pk]))

FORMS = [
    Form(
        "incidents:review_create",
        "team",
        lambda w: reverse("incidents:review_create"),
        _review_data,
        [QUEUE, ("team", lambda w: reverse("incidents:review_list"))],
        free_text=("summary",),
    ),
    Form(
        "incidents:review_edit",
        "team",
        lambda w: reverse("incidents:review_edit", args=[w.review.pk]),
        lambda w: _review_data(w, reference=w.review.reference),
        [REVIEW],
        free_text=("summary",),
    ),
    Form(
        "incidents:review_status",
        "team",
        lambda w: reverse("incidents:review_status", args=[w.review.pk]),
        lambda w: {"status": "investigating"},
        [REVIEW],
    ),
    Form(
        "incidents:review_pause",
        "team",
        lambda w: reverse("incidents:review_pause", args=[w.review.pk]),
        lambda w: {"reason": "Waiting for the coroner."},
        [REVIEW],
        free_text=("reason",),
    ),
    Form(
        "incidents:milestone_add",
        "team",
        lambda w: reverse("incidents:milestone_add", args=[w.review.pk]),
        lambda w: {"kind": "final_meeting", **date_fields("due_on", TODAY() + timedelta(days=9))},
        [REVIEW],
    ),
    Form(
        "incidents:milestone_complete",
        "team",
        lambda w: reverse("incidents:milestone_complete", args=[w.milestone.pk]),
        lambda w: date_fields("completed_on", TODAY()),
        [REVIEW],
    ),
    Form(
        "incidents:person_create",
        "team",
        lambda w: reverse("incidents:person_create", args=[w.review.pk]),
        lambda w: {
            **_person_data(w),
            "consent-consent_to_contact": "given",
            "consent-consent_to_share": "given",
            "consent-method": "phone",
        },
        [REVIEW],
        free_text=("full_name", "preferred_name", "relationship", "address", "safe_times"),
    ),
    Form(
        "incidents:person_edit",
        "team",
        lambda w: reverse("incidents:person_edit", args=[w.person.pk]),
        lambda w: _person_data(w, **TEAM_PREFERENCES),
        [PERSON, MY_PERSON],
        free_text=(
            "full_name",
            "preferred_name",
            "relationship",
            "address",
            "safe_times",
            *(name for name in TEAM_PREFERENCES if name.endswith("_own")),
        ),
    ),  # fmt: skip
    Form(
        "incidents:person_consent",
        "team",
        lambda w: reverse("incidents:person_consent", args=[w.waiting_person.pk]),
        lambda w: {"consent_to_contact": "given", "consent_to_share": "refused", "method": "phone"},
    ),
    Form(
        "incidents:person_avoid_date",
        "team",
        lambda w: reverse("incidents:person_avoid_date", args=[w.person.pk]),
        lambda w: {**date_fields("date", TODAY() + timedelta(days=40)), "reason": "funeral"},
        [PERSON],
    ),
    Form(
        "incidents:person_do_not_contact",
        "team",
        lambda w: reverse("incidents:person_do_not_contact", args=[w.person.pk]),
        lambda w: {"do_not_contact": "on"},
        page=lambda w: reverse("incidents:person_detail", args=[w.person.pk]),
    ),
    Form(
        "incidents:review_list",
        "team",
        lambda w: reverse("incidents:review_list"),
        lambda w: {"q": "LR", "status": "logged", "service": w.review.service_id, "overdue": "on"},
        method="get",
    ),
    Form(
        "supporters:supporter_status",
        "team",
        lambda w: reverse("supporters:supporter_status", args=[w.supporter.pk]),
        lambda w: {
            "status": "paused",
            **date_fields("paused_until", TODAY() + timedelta(days=30)),
            "reason": "A holiday.",
        },
        [("team", lambda w: reverse("supporters:supporter_detail", args=[w.supporter.pk]))],
        free_text=("reason",),
    ),  # fmt: skip
    Form(
        "supporters:training_add",
        "team",
        lambda w: reverse("supporters:training_add", args=[w.supporter.pk]),
        lambda w: {
            "course": w.supporter.training.first().course_id,
            **date_fields("completed_on", TODAY()),
        },
    ),  # fmt: skip
    Form(
        "supporters:supervision_add",
        "team",
        lambda w: reverse("supporters:supervision_add", args=[w.supporter.pk]),
        lambda w: {"supervisor": w.team_user.pk, **date_fields("held_on", TODAY())},
    ),
    Form(
        "supporters:supporter_supervisors",
        "team",
        lambda w: reverse("supporters:supporter_supervisors", args=[w.supporter.pk]),
        lambda w: {"supervisor": w.team_user.pk},
    ),
    Form(
        "supporters:assign",
        "team",
        lambda w: reverse("supporters:assign", args=[w.waiting_person.pk, w.supporter.pk]),
        lambda w: {
            "via": "email",
            "override_reason": "Shares her language.",
            "preference_reason": "Nobody else is free.",
        },
        free_text=("preference_reason",),
    ),
    Form(
        "supporters:offer_answer",
        "team",
        lambda w: reverse("supporters:offer_answer", args=[w.offered.pk]),
        lambda w: {"answer": "declined", "reason": "Not now."},
        [("team", lambda w: reverse("incidents:person_detail", args=[w.offered.person_id]))],
        free_text=("reason",),
    ),
    Form(
        "supporters:offer_close",
        "team",
        lambda w: reverse("supporters:offer_close", args=[w.active.pk]),
        lambda w: {"reason": "persons_choice"},
    ),
    Form(
        "public:referral_detail",
        "team",
        lambda w: reverse("public:referral_detail", args=[w.referral.pk]),
        lambda w: {"review": w.review.pk},
    ),
    Form(
        "incidents:referral_close",
        "team",
        lambda w: reverse("incidents:referral_close", args=[w.referral.pk]),
        lambda w: {"reason": "duplicate"},
    ),
    Form(
        "oversight:concern_detail",
        "team",
        lambda w: reverse("oversight:concern_detail", args=[w.concern.pk]),
        lambda w: {"action_taken": "Phoned the crisis team."},
        [("team", lambda w: reverse("oversight:concern_detail", args=[w.concern.pk]))],
        free_text=("action_taken",),
    ),
    Form(
        "oversight:checkin_follow_up",
        "team",
        lambda w: reverse("oversight:checkin_follow_up", args=[w.checkin.pk]),
        lambda w: {"follow_up": "Phoned her the next morning."},
        [
            ("team", lambda w: reverse("oversight:supervisee", args=[w.supporter.pk])),
            ("team", lambda w: reverse("oversight:supervision")),
        ],
        free_text=("follow_up",),
    ),
    Form(
        "oversight:debrief_add",
        "team",
        lambda w: reverse("oversight:debrief_add"),
        lambda w: {
            "team": "Ward 7",
            **date_fields("held_on", TODAY()),
            "facilitators": "Dr Shah",
            "attendance": "8",
            "follow_up": "Agreed.",
            "review": w.review.pk,
        },
        [("team", lambda w: reverse("oversight:debrief_list"))],
        free_text=("team", "facilitators", "follow_up"),
    ),  # fmt: skip
    Form(
        "practice:contact_add",
        "supporter",
        lambda w: reverse("practice:contact_add", args=[w.active.pk]),
        lambda w: {
            **date_fields("happened_on", TODAY()),
            "mode": "phone",
            "minutes": "25",
            "topics": ["emotional"],
            "note": "Talked about the inquest.",
        },
        [MY_PERSON],
        free_text=("note",),
    ),  # fmt: skip
    Form(
        "practice:concern_raise",
        "supporter",
        lambda w: reverse("practice:concern_raise", args=[w.active.pk]),
        lambda w: {"kind": "self_harm", "details": "She said she feels hopeless."},
        [QUEUE],
        free_text=("details",),
    ),
    Form(
        "practice:checkin",
        "supporter",
        lambda w: reverse("practice:checkin"),
        lambda w: {"empowered": "4", "coping": "2", "wants_debrief": "yes"},
    ),
    Form(
        "supporters:code_of_conduct",
        "new_supporter",
        lambda w: reverse("supporters:code_of_conduct"),
        lambda w: {"accept": "on"},
    ),
    Form(
        "public:referral_form",
        "public",
        lambda w: reverse("public:referral_form"),
        lambda w: {
            "name": "Sam Staff",
            "email": "sam.staff@example.nhs.uk",
            "phone": "",
            "team": "Ward 7",
            "what_happened": "A patient died on my shift.",
            "contact_how": "email",
            "contact_when": "Evenings",
            "website": "",
        },
        [QUEUE],
        free_text=("name", "team", "what_happened", "contact_when"),
    ),  # fmt: skip
    Form(
        "public:family_request",
        "public",
        lambda w: reverse("public:family_request"),
        lambda w: {
            "kind": "family",
            "name": "Helen Marsh",
            "email": "helen.marsh@example.com",
            "phone": "",
            "review_reference": "LR-2026-001",
            "contact_how": "email",
            "contact_when": "Mornings",
            "needs": "Large print, please.",
            "website": "",
        },
        [QUEUE],
        free_text=("name", "review_reference", "contact_when", "needs"),
    ),  # fmt: skip
    Form(
        "supporters:my_public_profile",
        "supporter",
        lambda w: reverse("supporters:my_public_profile"),
        lambda w: {
            "first_name": "Sam",
            "words": "I lost my dad.",
            "agree": "on",
            "action": "agree",
        },
        [("team", lambda w: reverse("supporters:public_profiles"))],
        free_text=("words",),
    ),  # fmt: skip
    Form(
        "feedback:offer_answer",
        "public",
        lambda w: reverse("feedback:offer_answer"),
        lambda w: {
            "answer": "later",
            "reason": "After the inquest.",
            **date_fields("contact_again_on", TODAY() + timedelta(days=30)),
            **OFFER_PAGE_PREFERENCES,
        },
        [("team", lambda w: reverse("incidents:person_detail", args=[w.offered.person_id]))],
        opens=lambda w: w.offer_link,
        free_text=("reason", *(name for name in OFFER_PAGE_PREFERENCES if name.endswith("_own"))),
    ),  # fmt: skip
    Form(
        "feedback:survey",
        "supporter",
        lambda w: reverse("feedback:survey"),
        lambda w: {},  # the questions' own fields: filled in from the page (_survey_answers)
        opens=lambda w: reverse("feedback:survey_mine"),
    ),
    Form(
        "account_login",
        "public",
        lambda w: reverse("account_login"),
        lambda w: {"login": "nobody@example.org", "password": "not-the-password"},
    ),
    Form(
        "account_reset_password",
        "public",
        lambda w: reverse("account_reset_password"),
        lambda w: {"email": "nobody@example.org"},
    ),
]

# Pages that take a POST with nothing typed (a button): fuzzing their fields proves nothing.
NO_FIELDS = {
    "incidents:review_resume": "a button",
    "supporters:offer_again": "a button",
    "message_retry": "a button",
    "letter_posted": "a button",
    "letter_print": "a button; bad copy counts in its hidden field: tests/test_letters.py",
    "feedback:offer_token": "follows a link; answers no form",
    "feedback:survey_token": "follows a link; answers no form",
    "feedback:survey_opt_out": "a button: stop the messages",
    "feedback:invitation_cancel": "a button: cancel a survey (tests/test_held_surveys.py)",
    "account_logout": "a button (allauth)",
    "session_status": "a button: stay logged in",
    "supporters:public_profile_check": "two buttons: show or send back (test_public_profiles)",
    "mfa_authenticate": "allauth's code form, reached only mid-login: the MFA tests cover it",
}


@pytest.fixture
def world(team_user, review, person, consenting_person, supporter, make_supporter):
    return World(
        team_user=team_user,
        review=review,
        person=person,
        consenting_person=consenting_person,
        supporter=supporter,
        make_supporter=make_supporter,
    )


def _persona_client(persona, world, client_for):
    users = {
        "team": world.team_user,
        "supporter": world.supporter.user,
        "new_supporter": world.new_supporter.user,
        "public": None,
    }
    return client_for(users[persona])


def _client_for(form, world, client_for):
    client = _persona_client(form.persona, world, client_for)
    if form.opens is not None:
        assert client.get(form.opens(world)).status_code == 302, f"{form}: could not open"
    return client


def _posted_names(response) -> list[str]:
    """Every name the page's forms post (the three boxes of a date, a form's prefix)."""
    names = []
    context = response.context
    # A ContextList: iterating it gives contexts, its keys() the names in all of them.
    values = [context[key] for key in context.keys()] if context is not None else []  # noqa: SIM118
    for value in values:
        if not isinstance(value, django_forms.BaseForm):
            continue
        for bound in value:
            widget = bound.field.widget
            if isinstance(widget, django_forms.MultiWidget):
                names += [f"{bound.html_name}{suffix}" for suffix in widget.widgets_names]
            else:
                names.append(bound.html_name)
    return sorted(set(names))


def _survey_answers(response) -> dict:
    """Valid answers to the survey on the page: the first choice, or a few words."""
    form = response.context["form"]
    data = {}
    for bound in form:
        choices = [c for c, _ in getattr(bound.field, "choices", []) if c != ""]
        data[bound.html_name] = str(choices[0]) if choices else "It went well."
    return data


def _check_page(response, what):
    assert response.status_code < 500, f"{what}: server error {response.status_code}"
    content = response.content.decode("utf-8", "replace")
    for raw in RAW_MARKUP:
        assert raw not in content, f"{what}: markup shown unescaped"


def _post(form, world, client_for, change: dict):
    """Post the valid data with `change` applied; check the answer and what was saved."""
    cache.clear()  # rate limits: every example starts afresh
    client = _client_for(form, world, client_for)
    page = client.get((form.page or form.url)(world))
    assert page.status_code == 200, f"{form}: the form page answered {page.status_code}"
    data = form.valid(world) or (_survey_answers(page) if form.name == "feedback:survey" else {})
    data = {**data, **change}
    before = world.snapshot()
    send = client.get if form.method == "get" else client.post
    response = send(form.url(world), data)
    _check_page(response, form.name)
    if response.status_code in (302, 303):
        for persona, url in form.shows:
            viewer = _persona_client(persona, world, client_for)
            _check_page(viewer.get(url(world)), f"{form.name} shown on {url(world)}")
    elif form.method == "post":
        assert world.snapshot() == before, f"{form}: a refused post changed saved records"
    return response


@st.composite
def changes(draw, names):
    """Bad values for some of the form's names (the rest keep their valid value)."""
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
    change = {name: draw(VALUES) for name in chosen}
    for stem in {n.removesuffix("_day") for n in chosen if n.endswith("_day")}:
        if draw(st.booleans()):
            d, m, y = draw(DATES)
            change.update({f"{stem}_day": d, f"{stem}_month": m, f"{stem}_year": y})
    return change


NAMES: dict[str, list[str]] = {}


@pytest.mark.parametrize("form", FORMS, ids=str)
@hypothesis_settings(PROFILE)
@given(data=st.data())
def test_bad_input_never_breaks_a_form_page(form, data, world, client_for):
    if form.name == "feedback:survey" and world.survey_invitation is None:
        pytest.skip("the survey models are not here yet")
    if form.name not in NAMES:  # the same for every example: read from the page once
        with transaction.atomic():
            client = _client_for(form, world, client_for)
            page = client.get(form.url(world)) if form.page is None else None
            NAMES[form.name] = (page and _posted_names(page)) or list(form.valid(world))
            transaction.set_rollback(True)
    names = NAMES[form.name]
    with transaction.atomic():
        _post(form, world, client_for, data.draw(changes(names)))
        transaction.set_rollback(True)


@pytest.mark.parametrize("form", [f for f in FORMS if f.free_text], ids=str)
def test_markup_a_form_saves_is_shown_escaped(form, world, client_for):
    """The valid data with every free-text answer replaced by the script payload still saves,
    and every page showing it escapes it."""
    payload = dict.fromkeys(form.free_text, f"A {SCRIPT}")
    with transaction.atomic():
        response = _post(form, world, client_for, payload)
        assert response.status_code == 302, f"{form}: the payload was not saved"
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [("1", "1", "0001"), ("1", "1", "1899"), ("31", "12", "3000"), ("9" * 40, "1", "2025")],
)
def test_a_date_no_one_could_mean_is_refused_not_a_server_error(day, month, year):
    field = NHSDateField()
    with pytest.raises(django_forms.ValidationError):
        field.clean([day, month, year])


def _post_views():
    """(URL name, view) for every page whose view reads a POST, outside the admin."""

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = pattern.namespace
                full = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                yield from walk(pattern.url_patterns, full)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, pattern.callback

    seen = set()
    for name, view in walk(get_resolver().url_patterns):
        if name in seen:
            continue  # a later pattern of the same name is never reached (account_email)
        seen.add(name)
        view = inspect.unwrap(getattr(view, "view_class", view))
        try:
            source = inspect.getsource(view)
        except (OSError, TypeError):
            continue
        if "POST" in source or "posted(request)" in source or "def post" in source:
            yield name, view


def test_every_page_that_takes_a_post_is_in_the_bad_input_test():
    covered = {form.name for form in FORMS} | set(NO_FIELDS)
    missing = sorted(name for name, _ in _post_views() if name not in covered)
    assert missing == [], f"Add these form pages to FORMS in tests/test_bad_input.py: {missing}"


# Email headers ---------------------------------------------------------------------------------


def test_cr_lf_in_a_name_never_reaches_an_email_header(review, supporter, team_user):
    person = AffectedPersonFactory(
        review=review,
        full_name="Joan\r\nBcc: x@evil.test Whitfield",
        preferred_name="Joan\r\nBcc: x@evil.test",
        email="joan@example.com",
    )
    supporter.public_first_name = "Sam\nBcc: y@evil.test"
    supporter.save()
    offer = services.assign_supporter(
        services.open_offer(person), supporter, by=team_user, via="email"
    )
    outbox.sweep()  # the offer, to her
    services.record_answer(offer, "accepted", by=team_user)
    outbox.sweep()  # "Joan would like your support", to the supporter
    assert len(mail.outbox) >= 2  # her offer, the supporter told who she is, ...
    for email in mail.outbox:
        message = email.message()
        raw = message.as_bytes().decode()
        headers = raw.split("\n\n", 1)[0]
        assert message["Bcc"] is None and "\nBcc:" not in headers and "\nbcc:" not in headers
        assert email.recipients() == email.to and len(email.to) == 1
        assert "evil" not in email.to[0]
        assert "\n" not in email.subject and "\r" not in email.subject
    subjects = [email.subject for email in mail.outbox]
    assert "Joan Bcc: x@evil.test would like your support" in subjects  # kept, on one line
