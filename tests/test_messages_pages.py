"""The team's messages and letters pages, and a person's communication needs beside every
action where the team contacts them."""

import hashlib
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import tokens
from feedback.models import AccessToken
from incidents import services as incidents_services
from peersupport import outbox
from peersupport.models import AuditEvent, Letter, Message, MessageStatus
from peersupport.roles import Role
from supporters import services
from supporters.models import OfferStatus
from tests.factories import AffectedPersonFactory, ReviewFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db


def failed(person=None, *, user=None, error="No email address recorded.", kind="offer_to_person"):
    target = person or user
    return Message.objects.create(
        kind=kind,
        channel="email",
        person=person,
        user=user,
        due_at=timezone.now() - timedelta(hours=1),
        idempotency_key=f"test:{kind}:{target._meta.model_name}{target.pk}:{error}",
        status=MessageStatus.FAILED,
        attempts=5,
        last_error=error,
    )


def agreed(review, team_user, **kwargs):
    """A person who has agreed to be contacted: their offer opens now."""
    person = AffectedPersonFactory(review=review, consent_to_contact="not_asked", **kwargs)
    incidents_services.record_consent(person, "contact", "given", "phone", by=team_user)
    incidents_services.record_consent(person, "share", "given", "phone", by=team_user)
    person.refresh_from_db()
    return person


def offered_by_letter(review, team_user, supporter, **kwargs):
    """A person offered support by post: the sweep prepares their letter."""
    kwargs.setdefault("address", "1 High Street\nNorthtown\nNT1 1AA")
    person = agreed(review, team_user, preferred_channel="letter", **kwargs)
    offer = person.offers.get(status=OfferStatus.NEEDS_SUPPORTER)
    services.assign_supporter(offer, supporter, by=team_user, via="letter")
    outbox.sweep()
    return Letter.objects.get(message__person=person, message__kind="offer_to_person")


@pytest.fixture
def other_person(other_organisation):
    review = ReviewFactory(organisation=other_organisation)
    return AffectedPersonFactory(review=review, full_name="Owen Elsewhere")


# Messages -----------------------------------------------------------------------------------


def test_a_failed_message_shows_with_its_error_and_try_again_requeues_it(
    client_for, team_user, person
):
    message = failed(person, error="GOV.UK Notify refused the message (400).")
    client = client_for(team_user)
    page = client.get(reverse("messages")).content.decode()
    assert "GOV.UK Notify refused the message (400)." in page
    assert "Offer of peer support" in page and "Email" in page
    assert person.full_name in page
    assert person.email not in page  # never an address
    assert reverse("message_retry", args=[message.pk]) in page

    response = client.post(reverse("message_retry", args=[message.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("messages")
    assert "we will try to send it again" in response.content.decode()
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.attempts == 0
    assert message.due_at <= timezone.now()
    assert AuditEvent.objects.filter(
        action="message.retried", object_id=str(message.pk), actor=team_user
    ).exists()


def test_another_organisations_messages_are_not_listed_and_their_retry_is_404(
    client_for, team_user, person, other_person, other_team_user
):
    mine = failed(person, error="Ours: mailbox full.")
    theirs = failed(other_person, error="Theirs: mailbox full.")
    to_their_team = failed(user=other_team_user, kind="concern_raised", error="Theirs: alert.")
    client = client_for(team_user)
    page = client.get(reverse("messages")).content.decode()
    assert "Ours: mailbox full." in page
    assert "Theirs" not in page and other_person.full_name not in page

    assert client.post(reverse("message_retry", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("message_retry", args=[to_their_team.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == MessageStatus.FAILED
    # ...and the other organisation's team sees theirs, not ours.
    other_page = client_for(other_team_user).get(reverse("messages")).content.decode()
    assert "Theirs: mailbox full." in other_page and "Ours" not in other_page
    assert (
        client_for(other_team_user).post(reverse("message_retry", args=[mine.pk])).status_code
        == 404
    )


def test_messages_to_team_members_show_by_name_never_by_email(
    client_for, team_user, make_user, organisation
):
    colleague = make_user(Role.TEAM, "colleague@example.org", first_name="Cal", last_name="Lee")
    TeamMemberFactory(user=colleague, organisation=organisation)
    failed(user=colleague, kind="concern_raised", error="Mail server timed out.")
    page = client_for(team_user).get(reverse("messages")).content.decode()
    assert "Mail server timed out." in page and "Concern raised by a supporter" in page
    assert "Cal Lee" in page and "colleague@example.org" not in page


def test_a_restricted_reviews_people_are_left_out_for_those_not_named_on_it(
    client_for, team_user, make_user, organisation, service
):
    outsider = make_user(Role.TEAM, "outsider@example.org")
    TeamMemberFactory(user=outsider, organisation=organisation)
    restricted = ReviewFactory(
        organisation=organisation, service=service, lead_investigator=team_user, restricted=True
    )
    restricted.team_members.add(team_user)
    hidden = AffectedPersonFactory(review=restricted, full_name="Rae Restricted")
    message = failed(hidden, error="Restricted: bounced.")
    assert "Restricted: bounced." in client_for(team_user).get(reverse("messages")).content.decode()
    client = client_for(outsider)
    assert "Restricted: bounced." not in client.get(reverse("messages")).content.decode()
    assert client.post(reverse("message_retry", args=[message.pk])).status_code == 404


def test_waiting_and_recently_cancelled_messages_say_why(client_for, team_user, person):
    now = timezone.now()
    Message.objects.create(
        kind="offer_reminder",
        channel="sms",
        person=person,
        due_at=now + timedelta(hours=10),
        idempotency_key="test:waiting",
        deferred_reason="A date the person asked us to avoid.",
    )
    Message.objects.create(
        kind="no_contact_nudge",
        channel="email",
        person=person,
        due_at=now - timedelta(days=2),
        idempotency_key="test:cancelled",
        status=MessageStatus.CANCELLED,
        cancelled_reason="A contact has been recorded since.",
    )
    Message.objects.create(
        kind="no_contact_nudge",
        channel="email",
        person=person,
        due_at=now - timedelta(days=90),
        idempotency_key="test:cancelled-long-ago",
        status=MessageStatus.CANCELLED,
        cancelled_reason="Cancelled long ago.",
    )
    page = client_for(team_user).get(reverse("messages")).content.decode()
    assert "Reminder of the offer of peer support" in page and "Text message" in page
    assert "A date the person asked us to avoid." in page
    assert "A contact has been recorded since." in page
    assert "Cancelled long ago." not in page


def test_the_messages_page_is_paginated_and_keeps_the_other_lists_page(
    client_for, team_user, review, django_assert_max_num_queries
):
    for n in range(30):
        failed(AffectedPersonFactory(review=review), error=f"Problem number {n:02d}.")
    client = client_for(team_user)
    with django_assert_max_num_queries(20):
        first = client.get(reverse("messages")).content.decode()
    assert first.count("Problem number") == 25
    assert "?failed=2" in first
    second = client.get(reverse("messages") + "?failed=2&waiting=1").content.decode()
    assert second.count("Problem number") == 5
    assert "waiting=1&amp;failed=1" in second


def test_only_the_team_may_see_messages(client_for, supporter, manager_user):
    assert client_for(supporter.user).get(reverse("messages")).status_code == 403
    assert client_for(manager_user).get(reverse("letters")).status_code == 403


def test_the_team_has_messages_and_letters_in_its_navigation(client_for, team_user, supporter):
    page = client_for(team_user).get(reverse("incidents:work_queue")).content.decode()
    assert f'href="{reverse("messages")}"' in page and f'href="{reverse("letters")}"' in page
    supporter_page = client_for(supporter.user).get(reverse("supporters:my_people"))
    assert f'href="{reverse("letters")}"' not in supporter_page.content.decode()


# Letters ------------------------------------------------------------------------------------


def test_letters_to_post_are_listed_oldest_first_and_posted_ones_apart(
    client_for, team_user, review, supporter, second_supporter
):
    first = offered_by_letter(review, team_user, supporter, full_name="Ann First")
    second = offered_by_letter(review, team_user, second_supporter, full_name="Bea Second")
    Letter.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=2))
    posted = offered_by_letter(review, team_user, supporter, full_name="Cy Posted")
    Letter.objects.filter(pk=posted.pk).update(posted_at=timezone.now(), posted_by=team_user)

    page = client_for(team_user).get(reverse("letters")).content.decode()
    to_post, posted_part = page.split('id="posted"')
    assert to_post.index("Ann First") < to_post.index("Bea Second")
    assert "Cy Posted" not in to_post and "Cy Posted" in posted_part
    assert first.reference in to_post and second.reference in to_post


def test_the_printed_letter_has_the_reference_the_qr_code_and_who_to_call(
    client_for, team_user, review, supporter, organisation
):
    organisation.phone = "01632960123"
    organisation.save()
    letter = offered_by_letter(
        review,
        team_user,
        supporter,
        full_name="Joan Whitfield",
        preferred_name="Joan",
        accessible_formats=["large_print"],
    )
    assert letter.printed_at is None
    issued = []

    def issue(*args, **kwargs):
        issued.append(tokens_issue(*args, **kwargs))
        return issued[-1]

    tokens_issue = tokens.issue
    with mock.patch("feedback.tokens.issue", side_effect=issue):
        response = client_for(team_user).post(
            reverse("letter_print", args=[letter.pk]), {"copies": "0"}
        )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert re.search(r"Reference: [A-Z2-9]{4}-[A-Z2-9]{4}", page)
    assert f"Reference: {letter.reference}" in page
    assert organisation.name in page and "01632 960123" in page
    assert "Joan Whitfield" in page and "1 High Street<br>Northtown<br>NT1 1AA" in page
    assert timezone.localdate().strftime("%B %Y") in page
    assert "Dear Joan," in page and "Sam" in page
    assert "app-letter--large-print" in page
    assert re.search(r'<svg role="img" aria-label="QR code[^"]*"', page)
    assert "Scan with your phone's camera" in page
    assert "999" in page and "option 2" in page and "116 123" in page
    assert "The learning and investigations team" in page

    # The answer link is only in the QR code: never written out, never stored in plain.
    (plain,) = issued
    assert plain not in page and "/offer/t/" not in page
    stored = AccessToken.objects.get(token_hash=hashlib.sha256(plain.encode()).hexdigest())
    assert stored.purpose == "offer-answer" and stored.person == letter.message.person
    for row in AccessToken.objects.values():
        assert plain not in str(row)
    assert plain not in str(Message.objects.get(pk=letter.message_id).context)

    letter.refresh_from_db()
    assert letter.printed_at is not None and letter.printed_by == team_user
    assert letter.link_hash == stored.token_hash
    assert AuditEvent.objects.filter(
        action="letter.printed", object_id=str(letter.pk), actor=team_user
    ).exists()


def test_printing_again_keeps_the_first_printed_time(client_for, team_user, review, supporter):
    letter = offered_by_letter(review, team_user, supporter)
    client = client_for(team_user)
    client.post(reverse("letter_print", args=[letter.pk]), {"copies": "0"})
    letter.refresh_from_db()
    first = letter.printed_at
    client.post(reverse("letter_print", args=[letter.pk]), {"copies": "1"})
    letter.refresh_from_db()
    assert letter.printed_at == first and letter.copies == 2
    assert letter.last_printed_at > first


def test_a_letter_in_ordinary_print_and_without_an_answer_link_has_no_qr_code(
    client_for, team_user, review, supporter
):
    offer_letter = offered_by_letter(review, team_user, supporter)
    message = Message.objects.create(
        kind="new_supporter_to_person",
        channel="letter",
        person=offer_letter.message.person,
        cause_type="supporters.supportoffer",
        cause_id=offer_letter.message.cause_id,
        due_at=timezone.now(),
        idempotency_key="test:new-supporter-letter",
        status=MessageStatus.SENT,
    )
    letter = Letter.objects.create(message=message, reference="ABCD-EFGH")
    page = (
        client_for(team_user)
        .post(reverse("letter_print", args=[letter.pk]), {"copies": "0"})
        .content.decode()
    )
    assert "Reference: ABCD-EFGH" in page
    assert "no longer able to support you" in page
    assert '<svg role="img"' not in page and "Scan with your phone" not in page
    assert "app-letter--large-print" not in page


def test_a_letter_whose_reason_has_gone_says_so(client_for, team_user, review, supporter):
    letter = offered_by_letter(review, team_user, supporter)
    services.record_answer(letter.message.person.offers.get(), "accepted", by=team_user)
    page = client_for(team_user).get(reverse("letter", args=[letter.pk])).content.decode()
    assert "This letter may not be needed" in page


def test_marking_a_letter_posted_records_who_and_when(client_for, team_user, review, supporter):
    letter = offered_by_letter(review, team_user, supporter)
    client = client_for(team_user)
    response = client.post(reverse("letter_posted", args=[letter.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("letters")
    assert f"Letter {letter.reference} marked as posted." in response.content.decode()
    letter.refresh_from_db()
    assert letter.posted_at is not None and letter.posted_by == team_user
    assert AuditEvent.objects.filter(action="letter.posted", object_id=str(letter.pk)).exists()
    posted_at = letter.posted_at

    client.post(reverse("letter_posted", args=[letter.pk]))
    letter.refresh_from_db()
    assert letter.posted_at == posted_at
    assert AuditEvent.objects.filter(action="letter.posted").count() == 1
    assert client.get(reverse("letter_posted", args=[letter.pk])).status_code == 405


def test_another_organisations_letter_is_404(
    client_for, team_user, review, supporter, other_team_user
):
    letter = offered_by_letter(review, team_user, supporter)
    client = client_for(other_team_user)
    assert client.get(reverse("letter", args=[letter.pk])).status_code == 404
    print_it = client.post(reverse("letter_print", args=[letter.pk]), {"copies": "0"})
    assert print_it.status_code == 404
    assert client.post(reverse("letter_posted", args=[letter.pk])).status_code == 404
    assert letter.reference not in client.get(reverse("letters")).content.decode()
    letter.refresh_from_db()
    assert letter.printed_at is None and letter.posted_at is None and letter.copies == 0
    assert not AuditEvent.objects.filter(action__startswith="letter.").exists()


# Communication needs --------------------------------------------------------------------------

NEEDS = {
    "language": "Polish",
    "interpreter_needed": True,
    "accessible_formats": ["large_print", "easy_read"],
    "accessibility_needs": "Uses a hearing aid: face her when speaking.",
}


def _shows_needs(page):
    return (
        "communication needs" in page
        and "Polish" in page
        and "needs an interpreter" in page
        and "Large print, Easy read" in page
        and "Uses a hearing aid: face her when speaking." in page
    )


def test_communication_needs_show_beside_every_way_the_team_contacts_a_person(
    client_for, team_user, review, supporter
):
    person = agreed(review, team_user, **NEEDS)
    client = client_for(team_user)
    pages = {
        "person": reverse("incidents:person_detail", args=[person.pk]),
        "assign": reverse("supporters:assign", args=[person.pk, supporter.pk]),
    }
    for name, url in pages.items():
        assert _shows_needs(client.get(url).content.decode()), name

    offer = services.assign_supporter(
        person.offers.get(status=OfferStatus.NEEDS_SUPPORTER), supporter, by=team_user, via="phone"
    )
    answer_page = client.get(reverse("supporters:offer_answer", args=[offer.pk])).content.decode()
    assert _shows_needs(answer_page)


def test_communication_needs_show_on_the_letter_page(client_for, team_user, review, supporter):
    letter = offered_by_letter(review, team_user, supporter, **NEEDS)
    client = client_for(team_user)
    assert _shows_needs(client.get(reverse("letter", args=[letter.pk])).content.decode())
    printed = client.post(reverse("letter_print", args=[letter.pk]), {"copies": "0"})
    assert _shows_needs(printed.content.decode())


def test_nothing_is_shown_when_only_a_language_of_english_is_recorded(
    client_for, team_user, review
):
    person = agreed(review, team_user, language="English")
    page = client_for(team_user).get(reverse("incidents:person_detail", args=[person.pk]))
    assert "communication needs" not in page.content.decode()


def test_a_language_other_than_english_is_shown_on_its_own(client_for, team_user, review):
    person = agreed(review, team_user, language="Welsh")
    page = client_for(team_user).get(reverse("incidents:person_detail", args=[person.pk]))
    text = page.content.decode()
    assert "communication needs" in text and "needs an interpreter" not in text
