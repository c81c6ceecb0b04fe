"""A person answers their offer of support from a link: the token module, the public pages,
the rate limit, and keeping tokens out of the logs."""

import hashlib
import logging
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from feedback import tokens
from feedback.logging import RedactTokens
from feedback.models import AccessToken
from feedback.offer_links import OFFER_ANSWER, offer_answer_url
from feedback.views import TOKEN_SESSION_KEY
from supporters import services
from supporters.models import OfferStatus

pytestmark = pytest.mark.django_db

ANSWER = reverse("feedback:offer_answer")
THANKS = reverse("feedback:offer_thanks")
EXPIRED = "Contact the team about your offer of support"


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def offer(consenting_person, supporter, team_user):
    waiting = consenting_person.offers.get(status=OfferStatus.NEEDS_SUPPORTER)
    return services.assign_supporter(waiting, supporter, by=team_user, via="phone")


def path_of(url):
    assert url.startswith(settings.SITE_URL)
    return url[len(settings.SITE_URL.rstrip("/")) :]


def plain_of(url):
    return path_of(url).rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def link(offer):
    return path_of(offer_answer_url(offer))


@pytest.fixture
def opened(client, link):
    """A browser that has followed the link and is on the answer page."""
    response = client.get(link)
    assert response.status_code == 302
    return client


def answer_data(answer="accepted", reason="", when=None):
    day, month, year = ("", "", "") if when is None else (when.day, when.month, when.year)
    return {
        "answer": answer,
        "reason": reason,
        "contact_again_on_day": day,
        "contact_again_on_month": month,
        "contact_again_on_year": year,
    }


# The token module ------------------------------------------------------------------------------


def test_tokens_are_long_random_and_stored_only_as_a_hash(offer):
    first = tokens.issue(OFFER_ANSWER, offer, person=offer.person)
    second = tokens.issue(OFFER_ANSWER, offer, person=offer.person)
    assert first != second
    assert len(first) >= 43  # 32 random bytes: 256 bits
    rows = list(AccessToken.objects.values())
    assert len(rows) == 2
    for row in rows:
        assert first not in str(row) and second not in str(row)
    assert {row["token_hash"] for row in rows} == {
        hashlib.sha256(plain.encode()).hexdigest() for plain in (first, second)
    }
    token = tokens.find(OFFER_ANSWER, first)
    assert (token.object_type, token.object_id) == ("supporters.supportoffer", str(offer.pk))
    assert token.person == offer.person


def test_a_token_can_be_used_once(offer):
    plain = tokens.issue(OFFER_ANSWER, offer)
    token = tokens.find(OFFER_ANSWER, plain)
    assert tokens.use(token) is True
    assert token.used_at is not None
    assert tokens.find(OFFER_ANSWER, plain) is None
    assert tokens.use(token) is False


def test_when_two_requests_race_only_one_uses_the_token(offer):
    plain = tokens.issue(OFFER_ANSWER, offer)
    one, other = tokens.find(OFFER_ANSWER, plain), tokens.find(OFFER_ANSWER, plain)
    assert [tokens.use(one), tokens.use(other)] == [True, False]


def test_a_token_expires(offer):
    plain = tokens.issue(OFFER_ANSWER, offer, ttl=timedelta(days=28))
    with time_machine.travel(timezone.now() + timedelta(days=27, hours=23)):
        assert tokens.find(OFFER_ANSWER, plain) is not None
    with time_machine.travel(timezone.now() + timedelta(days=28, minutes=1)):
        assert tokens.find(OFFER_ANSWER, plain) is None
        token = AccessToken.objects.get()
        assert tokens.use(token) is False


def test_a_token_for_another_purpose_is_refused(offer):
    plain = tokens.issue("survey", offer)
    assert tokens.find(OFFER_ANSWER, plain) is None
    assert tokens.find("survey", plain) is not None


@pytest.mark.parametrize("nonsense", ["", "x" * 10_000, None, 12345])
def test_nonsense_is_not_a_token(offer, nonsense):
    tokens.issue(OFFER_ANSWER, offer)
    assert tokens.find(OFFER_ANSWER, nonsense) is None
    assert tokens.lookup(nonsense) is None


def test_find_by_id_refuses_anything_but_a_usable_token(offer):
    token = tokens.find(OFFER_ANSWER, tokens.issue(OFFER_ANSWER, offer))
    assert tokens.find_by_id(OFFER_ANSWER, token.pk) == token
    assert tokens.find_by_id(OFFER_ANSWER, str(token.pk)) is None
    assert tokens.find_by_id("survey", token.pk) is None
    tokens.use(token)
    assert tokens.find_by_id(OFFER_ANSWER, token.pk) is None


def test_usable_leaves_out_used_expired_and_other_purposes(offer):
    fresh = tokens.find(OFFER_ANSWER, tokens.issue(OFFER_ANSWER, offer))
    used = tokens.find(OFFER_ANSWER, tokens.issue(OFFER_ANSWER, offer))
    tokens.use(used)
    tokens.issue(OFFER_ANSWER, offer, ttl=timedelta(seconds=-1))
    tokens.issue("survey", offer)
    assert list(AccessToken.objects.usable(OFFER_ANSWER)) == [fresh]


def test_offer_link_is_absolute_and_bound_to_the_offer_and_its_person(offer):
    url = offer_answer_url(offer)
    assert url.startswith(settings.SITE_URL + "/offer/t/")
    token = tokens.find(OFFER_ANSWER, plain_of(url))
    assert token.person_id == offer.person_id
    assert token.object_id == str(offer.pk)
    assert token.expires_at > timezone.now() + timedelta(days=27)


# Opening the link ------------------------------------------------------------------------------


def test_opening_the_link_moves_to_a_page_without_the_token(client, link):
    plain = link.rstrip("/").rsplit("/", 1)[-1]
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == ANSWER
    assert plain not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer"
    session = SessionStore(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)
    token = AccessToken.objects.get()
    assert session[TOKEN_SESSION_KEY] == token.pk
    assert plain not in str(dict(session.items()))
    # Email scanners open links too: opening it does not use it up.
    token.refresh_from_db()
    assert token.used_at is None
    assert client.get(link).status_code == 302


def test_answer_page_says_who_is_asking_and_why_but_nothing_about_the_review(
    opened, offer, organisation
):
    response = opened.get(ANSWER)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    content = response.content.decode()
    assert organisation.name in content
    assert "Sam" in content  # the supporter's first name
    assert "Yes, I would like support" in content
    assert "0300 123 4567" in content
    assert "116 123" in content
    review = offer.person.review
    assert review.reference not in content
    assert review.summary not in content
    assert offer.person.full_name not in content


# Answering -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer, status, next_step",
    [
        ("accepted", OfferStatus.ACCEPTED, "Your peer supporter will contact you soon"),
        ("declined", OfferStatus.DECLINED, "We will not contact you again about this offer"),
        ("later", OfferStatus.LATER, "We will not contact you about peer support before"),
    ],
)
def test_each_answer_updates_the_offer_and_says_what_happens_next(
    opened, offer, answer, status, next_step
):
    response = opened.post(ANSWER, answer_data(answer))
    assert response.status_code == 302 and response["Location"] == THANKS
    offer.refresh_from_db()
    assert offer.status == status
    assert offer.answered_at is not None
    change = offer.status_changes.last()
    assert (change.from_status, change.to_status, change.changed_by) == (
        OfferStatus.OFFERED,
        status,
        None,
    )
    # The link is not used up: the person may come back and change their answer.
    assert AccessToken.objects.get().used_at is None
    session = SessionStore(session_key=opened.cookies[settings.SESSION_COOKIE_NAME].value)
    assert TOKEN_SESSION_KEY not in session
    thanks = opened.get(THANKS)
    assert thanks.status_code == 200
    assert next_step in thanks.content.decode()


def test_declining_keeps_the_reason_the_person_gave(opened, offer):
    opened.post(ANSWER, answer_data("declined", reason="  I have   support from my family  "))
    offer.refresh_from_db()
    assert offer.decline_reason == "I have support from my family"


def test_later_keeps_the_date_the_person_chose(opened, offer):
    when = timezone.localdate() + timedelta(days=60)
    opened.post(ANSWER, answer_data("later", when=when))
    offer.refresh_from_db()
    assert offer.contact_again_on == when
    assert f"{when.day} {when:%B %Y}" in opened.get(THANKS).content.decode()


def test_later_without_a_date_means_in_4_weeks(opened, offer):
    opened.post(ANSWER, answer_data("later"))
    offer.refresh_from_db()
    assert offer.contact_again_on == timezone.localdate() + timedelta(days=28)


def test_a_box_the_answer_does_not_use_is_ignored(opened, offer):
    data = answer_data("accepted", reason="not used")
    data.update(contact_again_on_day="99", contact_again_on_month="x")
    assert opened.post(ANSWER, data).status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and offer.decline_reason == ""


def test_the_answer_given_by_the_team_can_be_changed_by_the_person(opened, offer, team_user):
    services.record_answer(offer, "declined", by=team_user)
    page = opened.get(ANSWER).content.decode()
    assert "Change your answer about peer support" in page and "no, thank you" in page
    response = opened.post(ANSWER, answer_data("accepted"))
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and offer.closed_at is None


def test_the_offer_changing_between_page_and_answer_is_refused_and_the_token_kept(
    opened, offer, team_user, monkeypatch
):
    """The race: the page loaded while the offer waited, then the team answered it."""
    from feedback import views

    real = views.record_answer

    def team_got_there_first(offer_row, *args, **kwargs):
        services.record_answer(offer_row, "declined", by=team_user)
        return real(offer_row, *args, **kwargs)

    monkeypatch.setattr(views, "record_answer", team_got_there_first)
    response = opened.post(ANSWER, answer_data("accepted"))
    assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED  # the whole answer rolled back
    assert AccessToken.objects.get().used_at is None


@pytest.mark.parametrize(
    "days, message",
    [
        (0, "must be in the future"),
        (-3, "must be in the future"),
        (366, "must be within the next year"),
    ],
)
def test_a_later_date_must_be_in_the_next_year(opened, offer, days, message):
    when = timezone.localdate() + timedelta(days=days)
    response = opened.post(ANSWER, answer_data("later", when=when))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "nhsuk-error-summary" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED
    assert AccessToken.objects.get().used_at is None


def test_a_date_a_year_ahead_is_accepted(opened, offer):
    when = timezone.localdate() + timedelta(days=365)
    assert opened.post(ANSWER, answer_data("later", when=when)).status_code == 302


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Select yes, no, or contact me later"),
        ({"answer": "maybe"}, "Select"),
        (
            {"answer": "later", "contact_again_on_day": "31", "contact_again_on_month": "2"},
            "Date must include a year",
        ),
        (
            {
                "answer": "later",
                "contact_again_on_day": "31",
                "contact_again_on_month": "2",
                "contact_again_on_year": "2030",
            },
            "Date must be a real date",
        ),
        ({"answer": "declined", "reason": "x" * 301}, "300 characters or fewer"),
    ],
)
def test_bad_answers_are_explained_never_a_server_error(opened, offer, data, message):
    response = opened.post(ANSWER, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED


# Links that do not work ------------------------------------------------------------------------


def test_an_unknown_link_gets_the_kind_page_with_phone_numbers(client, organisation):
    response = client.get(reverse("feedback:offer_token", args=["not-a-real-token"]))
    assert response.status_code == 404
    content = response.content.decode()
    assert EXPIRED in content
    assert organisation.name in content and "0300 123 4567" in content
    assert "116 123" in content
    assert response["Referrer-Policy"] == "no-referrer"


def test_an_expired_link_gets_the_kind_page_with_the_organisations_number(
    client, link, organisation, other_organisation
):
    other_organisation.phone = "0300 999 8888"
    other_organisation.save()
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        response = client.get(link)
    assert response.status_code == 404
    content = response.content.decode()
    assert EXPIRED in content
    assert "0300 123 4567" in content
    assert "0300 999 8888" not in content  # only the person's own organisation


def test_a_revoked_link_gets_the_kind_page(client, link):
    tokens.revoke(AccessToken.objects.get().token_hash)
    response = client.get(link)
    assert response.status_code == 404
    assert EXPIRED in response.content.decode()


def test_a_link_that_expires_after_opening_stops_working(opened, offer):
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        response = opened.post(ANSWER, answer_data("accepted"))
    assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED


def test_the_answer_page_without_a_link_gets_the_kind_page(client, offer):
    for response in (client.get(ANSWER), client.post(ANSWER, answer_data())):
        assert response.status_code == 404
        assert EXPIRED in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED


def test_a_token_for_another_persons_offer_is_refused(opened, offer, person):
    token = AccessToken.objects.get()
    token.person = person
    token.save()
    response = opened.get(ANSWER)
    assert response.status_code == 404


def test_the_token_page_only_answers_get(client, link):
    assert client.post(link).status_code == 405


def test_the_thanks_page_without_an_answer_is_a_plain_thank_you(client):
    response = client.get(THANKS)
    assert response.status_code == 200
    assert "We have your answer" in response.content.decode()


# Rate limit ------------------------------------------------------------------------------------


def test_too_many_token_pages_from_one_address_get_a_kind_429(client, link, settings):
    settings.TOKEN_PAGES_PER_HOUR = 3
    unknown = reverse("feedback:offer_token", args=["guess"])
    for _ in range(3):
        assert client.get(unknown).status_code == 404
    response = client.get(link)
    assert response.status_code == 429
    assert "Please try again later" in response.content.decode()
    assert "0300 123 4567" in response.content.decode()
    assert client.get(ANSWER).status_code == 429
    other_address = client.get(link, REMOTE_ADDR="203.0.113.9")
    assert other_address.status_code == 302
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert client.get(link).status_code == 302


def test_the_rate_limit_keeps_only_a_hash_of_the_address(client, rf):
    from feedback.public_pages import TOKEN_PAGES
    from peersupport import ratelimit

    request = rf.get("/", REMOTE_ADDR="203.0.113.9")
    assert "203.0.113.9" not in ratelimit.key(request, TOKEN_PAGES)


# Logs ------------------------------------------------------------------------------------------


def test_tokens_never_reach_the_logs(client, caplog):
    plain = "Zm9vYmFyLXNlY3JldC10b2tlbi10aGF0LWlzLW5vdC1yZWFs"
    with caplog.at_level(logging.INFO):
        response = client.get(reverse("feedback:offer_token", args=[plain]))
    assert response.status_code == 404
    assert "Not Found: /offer/t/[redacted]/" in caplog.text  # the 404 was logged
    assert plain not in caplog.text
    for record in caplog.records:
        assert plain not in record.getMessage()


@pytest.mark.parametrize(
    "msg, args",
    [
        ("Not Found: %s", ("/offer/t/SECRET123/",)),
        ('"%s" %s %s', ("GET /survey/t/SECRET123/?x=1 HTTP/1.1", "404", "179")),
        ("Forbidden: /offer/t/SECRET123/", ()),
        ("%(path)s", ({"path": "/t/SECRET123"},)),
    ],
)
def test_the_filter_redacts_any_token_path(msg, args):
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, msg, args, None)
    assert RedactTokens().filter(record) is True
    text = record.getMessage()
    assert "SECRET123" not in text and "[redacted]" in text


def test_every_configured_handler_redacts_tokens():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_tokens" in handler.get("filters", []), name
    for name in ("django.request", "django.server"):
        assert any(isinstance(f, RedactTokens) for f in logging.getLogger(name).filters), name
