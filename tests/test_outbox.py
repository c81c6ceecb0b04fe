from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

from peersupport import outbox
from peersupport.channels import TemporaryError
from peersupport.models import Alert, Message, MessageStatus, TimingRule
from peersupport.timing import add_delay, due_after

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def kind():
    calls = {"check": None}
    outbox.register(
        "test_note",
        context=lambda m: {"name": "Ann O'Brien", "link": "/x/"},
        check=lambda m: calls["check"],
    )
    yield calls
    outbox.KINDS.pop("test_note", None)


@pytest.fixture
def templates(settings, tmp_path):
    folder = tmp_path / "messages"
    folder.mkdir()
    (folder / "test_note-subject.txt").write_text("Hello")
    (folder / "test_note-body.txt").write_text(
        "{% autoescape off %}Dear {{ name }}{% endautoescape %}"
    )
    (folder / "test_note-body.html").write_text("<p>Dear {{ name }}</p>")
    (folder / "test_note-alert.txt").write_text(
        "{% autoescape off %}Alert for {{ name }}{% endautoescape %}"
    )
    engine = {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    settings.TEMPLATES = [engine]  # assigned, not mutated, so the engine reloads and is restored
    return folder


def test_enqueue_is_idempotent_by_key(kind, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = outbox.enqueue("test_note", "email", person=person, cause=person.review)
        second = outbox.enqueue("test_note", "email", person=person, cause=person.review)
    assert first.pk == second.pk
    assert Message.objects.count() == 1
    assert len(callbacks) == 1  # one send queued, after commit


def test_unknown_kind_is_refused(person):
    with pytest.raises(ValueError):
        outbox.enqueue("no_such_kind", "email", person=person)


def test_sweep_sends_due_email_once_with_message_id(kind, templates, person):
    message = outbox.enqueue("test_note", "email", person=person, cause=person.review)
    assert outbox.sweep()["sent"] == 1
    assert outbox.sweep().get("sent", 0) == 0
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [person.email]
    assert sent.body == "Dear Ann O'Brien"
    assert sent.extra_headers["Message-ID"] == f"<{message.idempotency_key}@peersupport>"
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.sent_at is not None


class OneConnectionBackend(locmem.EmailBackend):
    """Counts the connections a sweep opens; refuses to send on a closed one."""

    opened = 0
    fail_on = None

    def open(self):
        if getattr(self, "is_open", False):
            return False
        self.is_open = True
        OneConnectionBackend.opened += 1
        return True

    def close(self):
        self.is_open = False

    def send_messages(self, messages):
        assert self.is_open, "sent without opening the batch's connection"
        if OneConnectionBackend.fail_on == len(mail.outbox):
            OneConnectionBackend.fail_on = None
            raise ConnectionResetError("the server dropped the connection")
        return super().send_messages(messages)


def test_a_batch_of_emails_shares_one_connection_each_marked_sent_alone(
    kind, templates, person, settings, monkeypatch
):
    settings.EMAIL_BACKEND = "tests.test_outbox.OneConnectionBackend"
    monkeypatch.setattr(OneConnectionBackend, "opened", 0)
    messages = [
        outbox.enqueue("test_note", "email", person=person, key=f"batch:{n}") for n in range(5)
    ]

    assert outbox.sweep() == {"reclaimed": 0, "sent": 5}

    assert OneConnectionBackend.opened == 1
    assert len(mail.outbox) == 5
    sent_at = {Message.objects.get(pk=m.pk).sent_at for m in messages}
    assert len(sent_at) == 5, "each message is marked sent on its own"


def test_a_dropped_connection_fails_one_email_and_the_next_opens_another(
    kind, templates, person, settings, monkeypatch
):
    settings.EMAIL_BACKEND = "tests.test_outbox.OneConnectionBackend"
    monkeypatch.setattr(OneConnectionBackend, "opened", 0)
    monkeypatch.setattr(OneConnectionBackend, "fail_on", 1)
    for n in range(3):
        outbox.enqueue("test_note", "email", person=person, key=f"drop:{n}")

    assert outbox.sweep() == {"reclaimed": 0, "sent": 2, "pending": 1}

    assert OneConnectionBackend.opened == 2
    retried = Message.objects.get(status=MessageStatus.PENDING)
    assert retried.idempotency_key == "drop:1"
    assert retried.last_error == "Email not sent: ConnectionResetError"


def test_a_message_not_yet_due_waits(kind, templates, person):
    outbox.enqueue("test_note", "email", person=person, due_at=timezone.now() + timedelta(hours=1))
    assert outbox.sweep().get("sent", 0) == 0
    assert mail.outbox == []


def test_claim_is_atomic_a_second_claim_fails(kind, person):
    message = outbox.enqueue("test_note", "email", person=person)
    assert outbox.claim(message.pk) is True
    assert outbox.claim(message.pk) is False


def test_stuck_sending_row_is_reclaimed_and_sent(kind, templates, person):
    message = outbox.enqueue("test_note", "email", person=person)
    outbox.claim(message.pk)
    Message.objects.filter(pk=message.pk).update(claimed_at=timezone.now() - timedelta(minutes=11))
    counts = outbox.sweep()
    assert counts["reclaimed"] == 1 and counts["sent"] == 1


def test_reason_no_longer_holding_cancels_with_the_reason(kind, templates, person):
    kind["check"] = "The offer is now declined."
    message = outbox.enqueue("test_note", "email", person=person)
    outbox.sweep()
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED
    assert message.cancelled_reason == "The offer is now declined."
    assert mail.outbox == []


def test_do_not_contact_cancels_at_send_time(kind, templates, person):
    message = outbox.enqueue("test_note", "email", person=person)
    person.do_not_contact = True
    person.save()
    outbox.sweep()
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED


def test_temporary_failure_retries_with_backoff_then_fails(kind, templates, person, monkeypatch):
    from peersupport.channels import EmailChannel

    def broken(self, message, *, to, context):
        raise TemporaryError("SMTP timed out")

    monkeypatch.setattr(EmailChannel, "send", broken)
    message = outbox.enqueue("test_note", "email", person=person)
    outbox.sweep()
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.attempts == 1
    assert message.due_at > timezone.now() + timedelta(seconds=50)
    for _ in range(outbox.MAX_ATTEMPTS):
        Message.objects.filter(pk=message.pk).update(due_at=timezone.now())
        outbox.sweep()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.last_error == "SMTP timed out"
    outbox.retry(message)
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.attempts == 0


def test_missing_email_address_is_a_permanent_failure(kind, templates, person):
    person.email = ""
    person.save()
    message = outbox.enqueue("test_note", "email", person=person)
    outbox.sweep()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and "No email" in message.last_error


def test_in_app_channel_creates_one_alert(kind, templates, team_user):
    message = outbox.enqueue("test_note", "in_app", user=team_user)
    outbox.sweep()
    alert = Alert.objects.get(user=team_user)
    assert alert.text == "Alert for Ann O'Brien" and alert.message == message


def test_cancel_pending_by_cause(kind, person):
    outbox.enqueue("test_note", "email", person=person, cause=person.review)
    assert outbox.cancel_pending(cause=person.review, reason="Review closed") == 1
    assert Message.objects.get().cancelled_reason == "Review closed"


def test_celery_task_delivers(kind, templates, person):
    from peersupport.outbox import send_due_messages, send_message

    message = outbox.enqueue("test_note", "email", person=person)
    send_message(message.pk)
    send_message(message.pk)
    send_due_messages()
    assert len(mail.outbox) == 1


def test_outbox_tasks_keep_the_names_beat_and_queued_work_use():
    from django.conf import settings

    from peersupport.outbox import send_due_messages, send_message

    assert send_message.name == "peersupport.tasks.send_message"
    assert send_due_messages.name == "peersupport.tasks.send_due_messages"
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert send_due_messages.name in scheduled


def test_timing_rules_are_seeded_and_editing_one_moves_the_schedule():
    start = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
    assert due_after("offer-reminder-1", start) == start + timedelta(days=5)
    TimingRule.objects.filter(key="offer-reminder-1").update(delay=3)
    assert due_after("offer-reminder-1", start) == start + timedelta(days=3)
    TimingRule.objects.filter(key="offer-reminder-1").update(enabled=False)
    assert due_after("offer-reminder-1", start) is None


def test_working_hours_skip_evenings_weekends_and_bank_holidays():
    friday_4pm = datetime(2026, 12, 24, 16, 0, tzinfo=LONDON)  # Thursday before Christmas
    # 1 hour on Thursday, then Friday 25 (Christmas) and Monday 28 (Boxing Day substitute) skipped.
    assert add_delay(friday_4pm, 4, "working_hours", "england") == datetime(
        2026, 12, 29, 12, 0, tzinfo=LONDON
    )
    saturday_night = datetime(2026, 11, 21, 23, 0, tzinfo=LONDON)
    assert add_delay(saturday_night, 4, "working_hours", "england") == datetime(
        2026, 11, 23, 13, 0, tzinfo=LONDON
    )


def test_working_days_keep_the_time_of_day():
    friday = datetime(2026, 11, 20, 15, 30, tzinfo=LONDON)
    assert add_delay(friday, 1, "working_days", "england") == datetime(
        2026, 11, 23, 15, 30, tzinfo=LONDON
    )


def test_every_plain_text_message_template_turns_html_escaping_off():
    from django.conf import settings

    folder = settings.BASE_DIR / "templates" / "messages"
    texts = sorted(folder.glob("*.txt"))
    assert texts
    for path in texts:
        content = path.read_text()
        assert content.startswith("{% autoescape off %}") and "{% endautoescape %}" in content, (
            path.name
        )


def test_outbox_commands(kind, templates, person):
    import json as jsonlib
    from io import StringIO

    from django.core.management import call_command

    outbox.enqueue("test_note", "email", person=person)
    out = StringIO()
    call_command("outbox_stats", "--json", stdout=out)
    assert jsonlib.loads(out.getvalue())["pending"] == 1
    out = StringIO()
    call_command("send_due_messages", stdout=out)
    assert out.getvalue().strip() == "reclaimed: 0, sent: 1"
    out = StringIO()
    call_command("outbox_stats", stdout=out)
    assert "sent       1" in out.getvalue()


def test_an_alert_never_links_outside_the_service(templates, team_user):
    outbox.register("test_away", context=lambda m: {"name": "x", "link": "//evil.example/"})
    (templates / "test_away-alert.txt").write_text("{% autoescape off %}Away{% endautoescape %}")
    try:
        outbox.enqueue("test_away", "in_app", user=team_user)
        outbox.sweep()
    finally:
        outbox.KINDS.pop("test_away")
    assert Alert.objects.get(user=team_user).link == ""


def test_a_missing_timing_rule_is_restored_from_the_defaults():
    TimingRule.objects.filter(key="offer-reminder-2").delete()
    start = timezone.now()
    assert due_after("offer-reminder-2", start) == start + timedelta(days=10)
    assert TimingRule.objects.filter(key="offer-reminder-2").exists()
