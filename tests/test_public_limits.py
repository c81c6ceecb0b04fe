"""The public forms and token pages: one atomic rate limiter (peersupport.ratelimit), proved with
requests that arrive together, on the local-memory cache and on Redis; and hints written in
the administration site shown as text, never as markup."""

import os
import threading
import time
import uuid
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from feedback.invitations import survey_url
from feedback.models import Invitation
from incidents import views_public
from incidents.models import SelfReferral
from peersupport import ratelimit
from supporters import services
from supporters.models import CloseReason, OfferStatus
from tests.conftest import skip_or_fail

FORM = reverse("public:referral_form")
SURVEY_PAGE = reverse("feedback:survey")
TOGETHER = 12
LIMIT = 5


def _redis_location():
    return os.environ.get("CACHE_URL") or "redis://127.0.0.1:6379/1"


@pytest.fixture(params=["locmem", "redis"])
def each_cache(request):
    """The test runs once on the local-memory cache and once on Redis (the CI and compose
    cache); each run has its own keys, so nothing else in the cache is touched."""
    prefix = f"test-limits-{uuid.uuid4().hex}"
    if request.param == "locmem":
        backend = {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": prefix,
        }
    else:
        import redis

        try:
            redis.Redis.from_url(_redis_location(), socket_connect_timeout=1).ping()
        except redis.RedisError as error:
            skip_or_fail(f"Redis is not reachable at {_redis_location()}: {error}")
        backend = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_location(),
            "KEY_PREFIX": prefix,
        }
    with override_settings(CACHES={"default": backend}):
        yield request.param


def _together(count, work):
    """Run `work(i)` on `count` threads released at the same moment; their results in order."""
    start = threading.Barrier(count)
    results = [None] * count
    errors = []

    def run(index):
        try:
            start.wait()
            results[index] = work(index)
        except Exception as error:  # reported below, so a thread's failure fails the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


# The limiter itself ------------------------------------------------------------------------


def test_requests_arriving_together_get_exactly_the_limit_through(each_cache, settings):
    settings.PUBLIC_LIMIT_FOR_TEST = LIMIT
    rule = ratelimit.Rule("together", setting="PUBLIC_LIMIT_FOR_TEST", default=1)
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.20")
    attempts = _together(TOGETHER, lambda _: ratelimit.hit(request, rule))
    assert sorted(attempt.count for attempt in attempts) == list(range(1, TOGETHER + 1))
    assert sum(attempt.allowed for attempt in attempts) == LIMIT


def test_the_key_holds_a_keyed_hash_of_the_address_behind_our_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    rule = ratelimit.Rule("proxied", setting="UNSET_LIMIT", default=1)
    factory = RequestFactory()
    through_proxy = factory.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9"
    )
    same_client = factory.get("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="203.0.113.9")
    other_client = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.10")
    key = ratelimit.key(through_proxy, rule)
    assert "203.0.113.9" not in key and "10.0.0.2" not in key
    assert key == ratelimit.key(same_client, rule)  # the client's address, not the proxy's
    assert key != ratelimit.key(other_client, rule)


@pytest.mark.django_db
def test_a_request_given_back_does_not_count(settings):
    cache.clear()
    settings.PUBLIC_LIMIT_FOR_TEST = 1
    rule = ratelimit.Rule("given-back", setting="PUBLIC_LIMIT_FOR_TEST", default=1)
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.21")
    ratelimit.hit(request, rule).give_back()
    assert ratelimit.hit(request, rule).allowed
    assert not ratelimit.hit(request, rule).allowed


# The request-for-support form, posted together ---------------------------------------------


def _answers(index):
    return {
        "name": f"Jordan Ashby {index}",
        "email": f"jordan.ashby.{index}@example.nhs.uk",
        "phone": "",
        "team": "Ward 7",
        "what_happened": "A patient I was caring for died unexpectedly on a night shift.",
        "event_date_day": "",
        "event_date_month": "",
        "event_date_year": "",
        "contact_how": "email",
        "contact_when": "Weekdays after 5pm",
        "website": "",
    }


@pytest.mark.django_db(transaction=True)
def test_twelve_requests_for_support_posted_together_let_exactly_five_through(
    each_cache, organisation, settings
):
    """On today's main the limit was read before the work and counted after it, so every
    request that arrived while others were being saved went through."""
    settings.REFERRALS_PER_HOUR = LIMIT
    saved = []
    lock = threading.Lock()

    def slow_save(**data):
        time.sleep(0.3)  # a busy database: the others arrive while this one is being saved
        with lock:
            saved.append(data)

    def post(index):
        return Client().post(FORM, _answers(index), REMOTE_ADDR="203.0.113.30")

    with mock.patch.object(views_public, "submit_referral", slow_save):
        statuses = _together(TOGETHER, lambda index: post(index).status_code)
    assert sorted(statuses) == [302] * LIMIT + [429] * (TOGETHER - LIMIT)
    assert len(saved) == LIMIT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_form_saves_no_more_than_the_limit_when_posted_together(organisation, settings):
    """The same, with the real save, on PostgreSQL (SQLite's in-memory test database locks
    whole tables against writes from other threads)."""
    if connection.vendor != "postgresql":
        skip_or_fail("writes from several threads need PostgreSQL")
    cache.clear()
    settings.REFERRALS_PER_HOUR = LIMIT

    def post(index):
        return Client().post(FORM, _answers(index), REMOTE_ADDR="203.0.113.31")

    statuses = _together(TOGETHER, lambda index: post(index).status_code)
    assert statuses.count(302) == LIMIT
    assert SelfReferral.objects.count() == LIMIT


# Token pages, opened together --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_token_pages_opened_together_get_exactly_the_limit_through(each_cache, settings):
    settings.TOKEN_PAGES_PER_HOUR = LIMIT
    guess = reverse("feedback:offer_token", args=["a-guessed-token"])
    statuses = _together(
        TOGETHER, lambda _: Client().get(guess, REMOTE_ADDR="203.0.113.32").status_code
    )
    assert sorted(statuses) == [404] * LIMIT + [429] * (TOGETHER - LIMIT)


# Hints written in the administration site --------------------------------------------------


@pytest.fixture
def survey_client(client, consenting_person, supporter, team_user):
    """A browser that opened Joan's survey link, her support having closed."""
    cache.clear()
    waiting = consenting_person.offers.get(status=OfferStatus.NEEDS_SUPPORTER)
    offer = services.assign_supporter(waiting, supporter, by=team_user, via="phone")
    offer = services.record_answer(offer, "accepted", by=team_user)
    services.close_support(offer, CloseReason.PERSONS_CHOICE, by=team_user)
    invitation = Invitation.objects.get(offer=offer)
    link = survey_url(invitation)[len(django_settings.SITE_URL.rstrip("/")) :]
    assert client.get(link).status_code == 302
    client.invitation = invitation
    return client


MARKUP = '<a href="https://evil.example">x</a><script>alert(1)</script>'


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["satisfaction", "comments"])  # radios, and a text box
def test_a_question_hint_is_shown_as_text_never_as_markup(survey_client, code):
    version = survey_client.invitation.questionnaire.current_version
    version.questions.filter(code=code).update(hint=f"Before {MARKUP} after")
    page = survey_client.get(SURVEY_PAGE).content.decode()
    assert "Before &lt;a href=&quot;https://evil.example&quot;&gt;x&lt;/a&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; after" in page
    assert 'href="https://evil.example"' not in page
    assert "<script>alert(1)" not in page


def test_no_help_text_in_our_forms_relies_on_markup():
    """Help texts are shown escaped, so none may be written as markup (Django's own, such as
    the password rules, are marked safe where they are made and still show as lists)."""
    from django.apps import apps

    ours = {"incidents", "supporters", "feedback", "peersupport"}
    with_markup = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in ours
        for field in model._meta.get_fields()
        if "<" in str(getattr(field, "help_text", ""))
    ]
    assert with_markup == []
