"""The words each reader sees, drawn through the real outbox: every message to a person affected,
for each kind of person (family, patient, staff), on each channel; every message to a supporter
or a member of the team. No greeting without a name, no link that is empty, points elsewhere
than SITE_URL, or opens a page its reader is refused; staff never read the family's wording,
and families and patients never read the staff's.
"""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from feedback import invitations
from incidents.models import Milestone, PersonKind, SelfReferral
from peersupport import outbox
from peersupport.channels import RecordingSMSClient
from peersupport.models import Alert, Letter, Message, MessageStatus
from peersupport.roles import Role
from supporters import supervision
from supporters.models import Concern, Contact, OfferStatus, Pool
from supporters.practice import services as practice
from tests.factories import (
    AffectedPersonFactory,
    CourseFactory,
    PeerSupporterFactory,
    SupportOfferFactory,
    TeamMemberFactory,
    TrainingRecordFactory,
)

SITE = "http://127.0.0.1:8101"
TRIM = "Trauma Risk Management (TRiM) practitioner"

# What only a family member or a patient should read, and what only a member of staff should.
FAMILY_PHRASES = (
    "learning and investigations team",
    "look into what happened",
    "been through a review like this",
    "sorry for what you are going through",
)
STAFF_PHRASES = ("staff support service", "TRiM", "colleague")

PERSON_KINDS = (PersonKind.FAMILY, PersonKind.SERVICE_USER, PersonKind.STAFF)
PERSON_MESSAGES = (
    "offer_to_person",
    "offer_reminder",
    "new_supporter_to_person",
    "survey_invitation",
    "survey_reminder",
)
CHANNELS = ("email", "sms", "letter")
URL = re.compile(r"https?://[^\s<>\"')]+")
HREF = re.compile(r'href="([^"]*)"')
EMPTY_GREETING = re.compile(r"\b(Dear|Hello)\s*,")
# "use this link:" (or "here:") must be followed at once by the link itself.
LINK_AFTER_COLON = re.compile(r"(link|here):[ \t]*\n(?!https?://)")


@pytest.fixture(autouse=True)
def site_url_and_noon(settings, time_machine):
    """Links are made from SITE_URL when the message is drawn; at noon texts may go."""
    settings.SITE_URL = SITE
    today = timezone.localdate()
    noon = timezone.datetime(
        today.year, today.month, today.day, 12, tzinfo=ZoneInfo("Europe/London")
    )
    time_machine.move_to(noon, tick=False)
    RecordingSMSClient.sent.clear()
    mail.outbox.clear()


@pytest.fixture
def lived_peer(make_supporter):
    return make_supporter("lived.peer@example.org", first_name="Sam", pool=Pool.LIVED_EXPERIENCE)


@pytest.fixture
def staff_peer(make_supporter):
    """A staff peer with current TRiM training."""
    peer = make_supporter("staff.peer@example.org", first_name="Jo", pool=Pool.STAFF)
    TrainingRecordFactory(supporter=peer, course=trim_course())
    return peer


def trim_course():
    return CourseFactory(name=TRIM, mandatory=False, valid_for_months=36)


def person_of(kind, review, **fields):
    fields.setdefault("preferred_name", "")
    return AffectedPersonFactory(
        review=review,
        kind=kind,
        full_name=f"Robin {kind.title().replace('_', '')}",
        address="1 High Street\nNorthtown\nNT1 1AA",
        **fields,
    )


def peer_for(kind, lived_peer, staff_peer):
    return staff_peer if kind == PersonKind.STAFF else lived_peer


def send(kind, channel, *, cause, person=None, user=None, context=None, rule="", anchor=None):
    """Write one message and deliver it now, as the outbox would; it must be sent."""
    key = f"test:{kind}:{channel}:{cause.pk}:{getattr(person, 'pk', '')}:{getattr(user, 'pk', '')}"
    message = outbox.enqueue(
        kind,
        channel,
        person=person,
        user=user,
        cause=cause,
        context=context,
        key=key,
        rule=rule,
        anchor=anchor,
    )
    Message.objects.filter(pk=message.pk).update(due_at=timezone.now())
    status = outbox.deliver(message.pk)
    message.refresh_from_db()
    assert status == MessageStatus.SENT, (
        kind,
        channel,
        message.cancelled_reason,
        message.last_error,
    )
    return message


def drawn(message, client_for=None, team_user=None) -> dict:
    """What the reader got: the words, and the links in them."""
    if message.channel == "email":
        (email,) = [
            e
            for e in mail.outbox
            if e.extra_headers["Message-ID"] == f"<{message.idempotency_key}@peersupport>"
        ]
        html = email.alternatives[0][0]
        return {"text": f"{email.subject}\n{email.body}", "html": html}
    if message.channel == "sms":
        (sms,) = [s for s in RecordingSMSClient.sent if s["reference"] == message.idempotency_key]
        return {"text": sms["personalisation"]["body"], "html": ""}
    if message.channel == "letter":
        letter = Letter.objects.get(message=message)
        page = client_for(team_user).post(
            reverse("letter_print", args=[letter.pk]), {"copies": "0"}
        )
        assert page.status_code == 200
        article = re.search(r"<article.*?</article>", page.content.decode(), re.S).group()
        return {"text": re.sub(r"<[^>]+>", " ", article), "html": article}
    alert = Alert.objects.get(message=message)
    return {"text": alert.text, "html": "", "link": alert.link}


def assert_well_formed(words):
    text, html = words["text"], words["html"]
    assert not EMPTY_GREETING.search(text), text
    assert not EMPTY_GREETING.search(re.sub(r"<[^>]+>", "", html)), html
    assert not LINK_AFTER_COLON.search(text), text
    for link in URL.findall(text) + HREF.findall(html):
        assert link.startswith(SITE + "/") and len(link) > len(SITE) + 1, link
    if "link" in words:
        assert words["link"].startswith("/") and len(words["link"]) > 1


def assert_right_for(reader, text):
    lowered = text.lower()
    if reader == PersonKind.STAFF:
        for phrase in FAMILY_PHRASES:
            assert phrase.lower() not in lowered, (phrase, text)
        assert "staff support service" in lowered, text
    else:
        for phrase in STAFF_PHRASES:
            assert phrase.lower() not in lowered, (phrase, text)
        if reader == PersonKind.SERVICE_USER:
            assert "been through a review like this" not in lowered, text


def cause_for(message_kind, person, supporter):
    if message_kind.startswith("survey"):
        offer = SupportOfferFactory(person=person, supporter=supporter, status=OfferStatus.CLOSED)
        return invitations.invite_person(person, offer=offer)
    status = (
        OfferStatus.ACTIVE if message_kind == "new_supporter_to_person" else OfferStatus.OFFERED
    )
    return SupportOfferFactory(
        person=person, supporter=supporter, status=status, offered_at=timezone.now()
    )


# Messages to a person affected ----------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("message_kind", PERSON_MESSAGES)
@pytest.mark.parametrize("reader", PERSON_KINDS)
def test_each_person_reads_words_for_them(
    reader, message_kind, channel, review, lived_peer, staff_peer, client_for, team_user
):
    person = person_of(reader, review)
    supporter = peer_for(reader, lived_peer, staff_peer)
    cause = cause_for(message_kind, person, supporter)
    message = send(message_kind, channel, cause=cause, person=person)
    words = drawn(message, client_for, team_user)
    assert_well_formed(words)
    assert_right_for(reader, words["text"])
    assert "Dear Robin," in words["text"]
    if message_kind == "offer_to_person":
        if reader == PersonKind.STAFF:
            assert "TRiM practitioner" in words["text"]
        elif reader == PersonKind.FAMILY:
            assert "been through a review like this" in words["text"]
        else:
            assert "been through something similar" in words["text"]


def test_the_staff_offer_comes_from_the_staff_support_service_with_a_colleague(
    review, staff_peer, lived_peer
):
    person = person_of(PersonKind.STAFF, review)
    message = send(
        "offer_to_person",
        "email",
        cause=cause_for("offer_to_person", person, staff_peer),
        person=person,
    )
    text = drawn(message)["text"]
    assert "We are the staff support service at" in text
    assert "Jo is a TRiM practitioner (a colleague trained in Trauma Risk Management" in text
    assert "The staff support service\n" in text
    assert "while we look into what happened" not in text.lower()


def test_a_staff_peer_without_current_trim_training_is_not_called_a_trim_practitioner(
    review, make_supporter
):
    lapsed = make_supporter("lapsed.peer@example.org", first_name="Lee", pool=Pool.STAFF)
    long_ago = timezone.localdate() - timedelta(days=4 * 365)
    TrainingRecordFactory(
        supporter=lapsed,
        course=trim_course(),
        completed_on=long_ago,
        expires_on=long_ago + timedelta(days=3 * 365),
    )
    person = person_of(PersonKind.STAFF, review)
    offer = cause_for("offer_to_person", person, lapsed)
    text = drawn(send("offer_to_person", "email", cause=offer, person=person))["text"]
    assert "TRiM" not in text
    assert "Lee is a colleague trained to support staff after difficult events at work" in text


def test_a_family_offered_a_staff_peer_is_not_told_they_went_through_a_review(review, staff_peer):
    person = person_of(PersonKind.FAMILY, review)
    offer = cause_for("offer_to_person", person, staff_peer)
    text = drawn(send("offer_to_person", "email", cause=offer, person=person))["text"]
    assert "Jo is a trained peer supporter." in text
    assert "been through" not in text and "TRiM" not in text and "colleague" not in text


# Who is a TRiM practitioner ------------------------------------------------------------


def test_is_trim_practitioner_only_with_current_trim_training(make_supporter):
    from supporters.wording import is_trim_practitioner

    today = timezone.localdate()
    peer = make_supporter("trim.check@example.org", pool=Pool.STAFF)
    assert not is_trim_practitioner(peer)
    trimester = CourseFactory(name="Trimester care", mandatory=False)
    TrainingRecordFactory(supporter=peer, course=trimester)
    assert not is_trim_practitioner(peer)
    expired = TrainingRecordFactory(
        supporter=peer,
        course=trim_course(),
        completed_on=today - timedelta(days=800),
        expires_on=today - timedelta(days=1),
    )
    assert not is_trim_practitioner(peer)
    expired.expires_on = today
    expired.save()
    assert is_trim_practitioner(peer)
    expired.expires_on = None
    expired.save()
    assert is_trim_practitioner(peer)
    assert not is_trim_practitioner(peer, today=today - timedelta(days=900))
    other = make_supporter("trim.lower@example.org", pool=Pool.STAFF)
    TrainingRecordFactory(supporter=other, course=CourseFactory(name="Trauma risk management"))
    assert is_trim_practitioner(other)
    assert not is_trim_practitioner(None)


# Messages to supporters and the team -----------------------------------------------------


def opens(client_for, user, words):
    """The in-app link (the same page the email links to) opens for its reader (their own
    survey's page forwards them to the survey itself)."""
    response = client_for(user).get(words["link"], follow=True)
    assert "login" not in response.request["PATH_INFO"]
    return response.status_code


def test_the_supporter_is_greeted_by_name_and_sent_to_that_persons_page(
    review, make_user, client_for, team_user, organisation
):
    user = make_user(Role.SUPPORTER, "nameless@example.org", first_name="")
    shown = PeerSupporterFactory(user=user, public_first_name="Kit", organisations=[organisation])
    unnamed = PeerSupporterFactory(organisations=[organisation])
    unnamed.user.first_name = ""
    unnamed.user.save()
    for supporter, greeting in ((shown, "Hello Kit,"), (unnamed, "Hello there,")):
        person = person_of(PersonKind.FAMILY, review)
        offer = cause_for("offer_to_person", person, supporter)
        email = drawn(send("supporter_assigned", "email", cause=offer, user=supporter.user))
        alert = drawn(send("supporter_assigned", "in_app", cause=offer, user=supporter.user))
        path = reverse("supporters:my_person", args=[offer.pk])
        assert greeting in email["text"]
        assert f"{SITE}{path}" in email["text"] and f'href="{SITE}{path}"' in email["html"]
        assert alert["link"] == path
        assert_well_formed(email)
        assert_well_formed(alert)


def test_the_assigned_supporter_can_open_the_link(review, supporter, client_for):
    person = person_of(PersonKind.FAMILY, review)
    offer = cause_for("offer_to_person", person, supporter)
    alert = drawn(send("supporter_assigned", "in_app", cause=offer, user=supporter.user))
    email = drawn(send("supporter_assigned", "email", cause=offer, user=supporter.user))
    assert "Hello Sam," in email["text"]
    assert opens(client_for, supporter.user, alert) == 200


def _staff_messages(review, supporter, team_user, organisation):
    """(kind, recipient, enqueue arguments) for every message to a supporter or the team."""
    today = timezone.localdate()
    now = timezone.now()
    person = person_of(PersonKind.STAFF, review)
    accepted = SupportOfferFactory(person=person, supporter=supporter, status=OfferStatus.ACCEPTED)
    waiting = SupportOfferFactory(
        person=person_of(PersonKind.FAMILY, review),
        supporter=None,
        status=OfferStatus.NEEDS_SUPPORTER,
    )
    offered = cause_for("offer_to_person", person_of(PersonKind.FAMILY, review), supporter)
    milestone = Milestone.objects.create(
        review=review, kind="final_meeting", due_on=today + timedelta(days=7)
    )
    concern = practice.raise_concern(accepted, supporter, kind="self_harm", details="Felt unsafe.")
    contact = Contact.objects.create(
        offer=accepted, supporter=supporter, happened_on=today, mode="phone", minutes=20
    )
    unsupervised = PeerSupporterFactory(organisations=[organisation])
    lonely = SupportOfferFactory(
        person=person_of(PersonKind.FAMILY, review),
        supporter=unsupervised,
        status=OfferStatus.ACTIVE,
    )
    record = TrainingRecordFactory(
        supporter=supporter,
        course=CourseFactory(name="Expiring course", mandatory=False),
        expires_on=today + timedelta(days=30),
    )
    survey = invitations.invite_supporter(supporter, quarter="2026-Q1")
    referral = SelfReferral.objects.create(
        organisation=organisation,
        name="Alex Morgan",
        email="alex.morgan@example.org",
        team="Ward 2",
        what_happened="A patient died on the ward.",
        contact_how="email",
    )
    me, lead = supporter.user, team_user
    since = now.isoformat()  # the contact above was recorded at that moment, not after it
    return [
        ("supporter_assigned", me, {"cause": offered}),
        ("support_accepted", me, {"cause": accepted}),
        ("staff_check_in", me, {"cause": accepted, "context": {"rule": "staff-check-in"}}),
        ("no_contact_nudge", me, {"cause": accepted, "context": {"since": since}}),
        (
            "milestone_nudge",
            me,
            {"cause": accepted, "context": {"milestone": milestone.pk, "rule": "milestone-before"}},
        ),
        ("no_supporter_alert", lead, {"cause": waiting}),
        ("no_supporter_escalation", lead, {"cause": waiting}),
        ("offer_phone_task", lead, {"cause": offered}),
        ("concern_raised", lead, {"cause": concern}),
        ("concern_escalated", lead, {"cause": concern}),
        ("supervisor_needed", lead, {"cause": lonely}),
        ("wellbeing_prompt", me, {"cause": contact}),
        (
            "wellbeing_prompt_monthly",
            me,
            {"cause": supporter, "rule": "wellbeing-monthly", "anchor": now - timedelta(days=1)},
        ),
        (
            "supervision_due",
            me,
            {"cause": supporter, "rule": supervision.RULE, "anchor": now - timedelta(days=1)},
        ),
        (
            "supervision_due",
            lead,
            {"cause": supporter, "rule": supervision.RULE, "anchor": now - timedelta(days=1)},
        ),
        ("training_expiring", me, {"cause": record}),
        ("training_expiring", lead, {"cause": record}),
        ("supporter_survey", me, {"cause": survey}),
        ("supporter_survey_reminder", me, {"cause": survey}),
        ("referral_acknowledgement", None, {"cause": referral}),
    ]


def test_every_message_to_staff_greets_by_name_with_links_from_site_url_they_can_open(
    review, make_supporter, team_user, organisation, client_for
):
    supporter = make_supporter("own.care@example.org", first_name="Sam", supervisor=team_user)
    Concern.objects.all().delete()
    for kind, user, arguments in _staff_messages(review, supporter, team_user, organisation):
        email = drawn(send(kind, "email", user=user, **arguments))
        assert_well_formed(email)
        assert re.search(r"(Hello|Dear) [A-Z][a-z]+,", email["text"]), (kind, email["text"])
        assert SITE + "/" in email["text"], kind
        if user is None:
            continue
        alert = drawn(send(kind, "in_app", user=user, **arguments))
        assert_well_formed(alert)
        assert opens(client_for, user, alert) == 200, (kind, alert["link"])


def test_a_supporter_is_told_of_their_own_supervision_and_training_as_their_own(
    make_supporter, team_user
):
    supporter = make_supporter("own.words@example.org", first_name="Sam", supervisor=team_user)
    anchor = timezone.now() - timedelta(days=1)
    arguments = {"cause": supporter, "rule": supervision.RULE, "anchor": anchor}
    mine = drawn(send("supervision_due", "in_app", user=supporter.user, **arguments))
    theirs = drawn(send("supervision_due", "in_app", user=team_user, **arguments))
    assert mine["text"].startswith("Your supervision is due")
    assert mine["link"] == reverse("supporters:my_people")
    assert "Supervision for Pat" not in mine["text"] and "Sam" in theirs["text"]
    assert theirs["link"] == reverse("oversight:supervisee", args=[supporter.pk])


def test_a_team_member_who_may_not_see_the_person_gets_no_name_and_a_page_they_can_open(
    review, make_user, organisation, client_for
):
    colleague = make_user(Role.TEAM, "not.named@example.org", first_name="Cal")
    TeamMemberFactory(user=colleague, organisation=organisation)
    review.restricted = True
    review.save()
    person = person_of(PersonKind.FAMILY, review, preferred_name="Winifred")
    waiting = SupportOfferFactory(person=person, supporter=None, status=OfferStatus.NEEDS_SUPPORTER)
    alert = drawn(send("no_supporter_alert", "in_app", cause=waiting, user=colleague))
    email = drawn(send("no_supporter_alert", "email", cause=waiting, user=colleague))
    assert "Winifred" not in alert["text"] and "Winifred" not in email["text"]
    assert alert["link"] == reverse("incidents:work_queue")
    assert opens(client_for, colleague, alert) == 200
    assert "Hello Cal," in email["text"]


def test_links_are_made_from_site_url_when_sent_even_with_a_trailing_slash(
    settings, review, supporter, team_user
):
    settings.SITE_URL = SITE + "/"
    person = person_of(PersonKind.FAMILY, review)
    offer = cause_for("offer_to_person", person, supporter)
    texts = [
        drawn(send("supporter_assigned", "email", cause=offer, user=supporter.user))["text"],
        drawn(send("offer_phone_task", "email", cause=offer, user=team_user))["text"],
        drawn(send("offer_to_person", "email", cause=offer, person=person))["text"],
    ]
    for text in texts:
        links = URL.findall(text)
        assert links, text
        for link in links:
            assert link.startswith(SITE + "/") and "8101//" not in link, link


def test_a_low_check_in_links_the_supervisor_to_its_follow_up(
    make_supporter, make_user, organisation, client_for
):
    boss = make_user(Role.TEAM, "boss@example.org", first_name="Bea")
    TeamMemberFactory(user=boss, organisation=organisation)
    supporter = make_supporter("low.day@example.org", first_name="Sam", supervisor=boss)
    checkin = practice.record_checkin(supporter, empowered=1, coping=2, wants_debrief=True)
    path = reverse("oversight:checkin_follow_up", args=[checkin.pk])
    alert = drawn(send("wellbeing_alert", "in_app", cause=checkin, user=boss))
    email = drawn(send("wellbeing_alert", "email", cause=checkin, user=boss))
    assert alert["link"] == path
    assert f"{SITE}{path}" in email["text"] and "Hello Bea," in email["text"]
    assert "Pat" not in email["text"] and "Sam" in email["text"]
    assert_well_formed(email)
    assert opens(client_for, boss, alert) == 200


# The team's preview of the offer ------------------------------------------------------------


@pytest.mark.parametrize("reader", PERSON_KINDS)
def test_the_preview_shows_a_placeholder_for_the_link_and_the_readers_words(
    reader, review, lived_peer, staff_peer, team_user, client_for
):
    person = person_of(reader, review)
    SupportOfferFactory(person=person, supporter=None, status=OfferStatus.NEEDS_SUPPORTER)
    supporter = peer_for(reader, lived_peer, staff_peer)
    page = client_for(team_user).get(reverse("supporters:assign", args=[person.pk, supporter.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "use this link:<br>[their own link, made when the email is sent]" in html
    preview = re.search(r'<div class="nhsuk-details__text">.*?</div>', html, re.S).group()
    assert not re.search(r":\s*(<br>\s*)?</p>", preview), preview
    assert_right_for(reader, preview)


# Reading level ------------------------------------------------------------------------------


def _syllables(word):
    word = word.lower().strip(".,:;!?()\"'")
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups) - (1 if word.endswith("e") and len(groups) > 1 else 0)
    return max(count, 1)


def reading_grade(text):
    """Flesch-Kincaid grade of plain text (links, numbers and the sign-off left out)."""
    text = URL.sub("", text)
    sentences = [s for s in re.split(r"[.!?:]\s", text) if re.search(r"[A-Za-z]", s)]
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", text)
    syllables = sum(_syllables(w) for w in words)
    return 0.39 * len(words) / len(sentences) + 11.8 * syllables / len(words) - 15.59


@pytest.mark.parametrize("reader", (PersonKind.FAMILY, PersonKind.SERVICE_USER))
@pytest.mark.parametrize("message_kind", PERSON_MESSAGES)
def test_family_and_patient_emails_stay_plain(reader, message_kind, review, lived_peer):
    person = person_of(reader, review)
    cause = cause_for(message_kind, person, lived_peer)
    email = drawn(send(message_kind, "email", cause=cause, person=person))
    body = email["text"].split("\n", 1)[1]
    assert reading_grade(body) <= 6.5, (message_kind, reading_grade(body))
