"""Backups and restore (issue 17): the restore ledger keeps, outside the database and without
personal data, the erasures and sent messages a restore must not undo; the drill proves on
PostgreSQL that a dump restores whole (rows, the audit log's newest rows, grants, triggers) and
that replaying the ledger applies the erasure again and sends nothing twice."""

import io
import json
import logging
import os
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from incidents.models import AffectedPerson
from peersupport import outbox, probe, restore_ledger
from peersupport.models import Anonymisation, Message, MessageStatus
from peersupport.privacy.anonymise import anonymise_person, is_anonymised
from peersupport.privacy.drill import run_drill, scratch_database, scratch_role
from peersupport.privacy.replay import reapply_anonymisation, replay_ledger
from tests.conftest import skip_or_fail
from tests.factories import AffectedPersonFactory, UserFactory


@pytest.fixture
def ledger(settings, tmp_path):
    settings.RESTORE_LEDGER_DIR = tmp_path / "ledger"
    settings.OUTBOX_RECORD_FILE = str(tmp_path / "sent.log")
    settings.OUTBOX_RECORD_FAIL_FILE = ""
    return tmp_path / "ledger"


def ledger_text(directory) -> str:
    return "".join(path.read_text() for path in sorted(directory.glob("ledger-*.jsonl")))


def due_probe(key="probe:1") -> Message:
    return Message.objects.create(
        kind=probe.KIND,
        channel="record",
        user=UserFactory(),
        due_at=timezone.now(),
        idempotency_key=key,
    )


@pytest.mark.django_db
def test_an_erasure_is_in_the_ledger_by_ids_and_times_only(
    ledger, django_capture_on_commit_callbacks
):
    person = AffectedPersonFactory(full_name="Alison Example", email="alison@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        anonymise_person(person, reason=Anonymisation.Reason.ERASURE_REQUEST)
    text = ledger_text(ledger)
    (entry,) = [json.loads(line) for line in text.splitlines()]
    assert entry["event"] == "anonymised"
    assert entry["type"] == "incidents.affectedperson"
    assert entry["id"] == str(person.pk)
    assert entry["reason"] == "erasure_request"
    assert set(entry) == {"at", "event", "type", "id", "reason", "created"}
    for personal in ("Alison", "Example", "alison@example.com", "+447700900123", "Mother"):
        assert personal not in text


@pytest.mark.django_db
def test_an_erasure_rolled_back_is_not_in_the_ledger(ledger):
    person = AffectedPersonFactory()
    anonymise_person(person, reason=Anonymisation.Reason.ERASURE_REQUEST)  # never commits
    assert not ledger.exists() or ledger_text(ledger) == ""


@pytest.mark.django_db
def test_a_sent_message_is_in_the_ledger_by_id_and_a_digest_of_its_key(ledger):
    message = due_probe("probe:offer:p42")
    assert outbox.deliver(message.pk) == MessageStatus.SENT
    (entry,) = [json.loads(line) for line in ledger_text(ledger).splitlines()]
    assert entry["event"] == "sent"
    assert entry["id"] == message.pk
    assert entry["key"] == restore_ledger.key_digest("probe:offer:p42")
    assert "p42" not in ledger_text(ledger)


@pytest.mark.django_db
def test_a_ledger_that_cannot_be_written_never_stops_a_send(ledger, caplog):
    ledger.parent.mkdir(exist_ok=True)
    ledger.write_text("a file where the directory should be")
    message = due_probe()
    with caplog.at_level(logging.ERROR, logger="peersupport.restore_ledger"):
        assert outbox.deliver(message.pk) == MessageStatus.SENT
    assert "restore ledger was not written" in caplog.text


@pytest.mark.django_db
def test_replay_marks_a_message_sent_after_the_backup_as_sent(ledger):
    message = due_probe()
    restore_ledger.record_sent(message)  # as if sent after the backup the database came from
    done = replay_ledger()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert done.sent["marked sent"] == 1
    assert outbox.claim_due().ids == []
    assert replay_ledger().sent["marked sent"] == 0


@pytest.mark.django_db
def test_replay_finds_a_sent_message_queued_again_under_another_id(ledger):
    first = due_probe("probe:again")
    restore_ledger.record_sent(first)
    first.delete()  # the restored database never had it; the replay queues it again
    again = due_probe("probe:again")
    assert again.pk != first.pk
    assert replay_ledger().sent["marked sent"] == 1
    again.refresh_from_db()
    assert again.status == MessageStatus.SENT


@pytest.mark.django_db
def test_replay_applies_an_erasure_again_only_to_the_same_record(ledger):
    person = AffectedPersonFactory()
    entry = {
        "event": "anonymised",
        "type": "incidents.affectedperson",
        "id": str(person.pk),
        "reason": "erasure_request",
        "created": (person.created_at - timedelta(days=3)).isoformat(),
    }
    assert reapply_anonymisation(entry) == "a different record has this id"
    assert not is_anonymised(person)
    entry["created"] = person.created_at.isoformat()
    assert reapply_anonymisation(entry) == "applied again"
    assert AffectedPerson.objects.get(pk=person.pk).full_name == "Anonymised person"
    assert reapply_anonymisation(entry) == "already anonymised"
    assert reapply_anonymisation({**entry, "id": "999999"}) == "not in this database"


@pytest.mark.django_db
def test_a_damaged_line_is_skipped(ledger):
    restore_ledger.record_sent(due_probe())
    path = next(ledger.glob("ledger-*.jsonl"))
    with path.open("a") as handle:
        handle.write('{"event": "sent", "id": 7, "ke')
    assert [entry["event"] for entry in restore_ledger.entries()] == ["sent"]


def test_months_older_than_every_backup_are_pruned(ledger, settings):
    settings.BACKUP_KEEP_DAYS = 35
    ledger.mkdir(parents=True)
    now = timezone.now()
    old = (now - timedelta(days=100)).strftime("%Y-%m")
    current = now.strftime("%Y-%m")
    for month in (old, current):
        (ledger / f"ledger-{month}.jsonl").write_text("")
    assert restore_ledger.prune() == [f"ledger-{old}.jsonl"]
    assert (ledger / f"ledger-{current}.jsonl").exists()


@pytest.mark.django_db
def test_the_replay_command_says_what_it_did(ledger):
    restore_ledger.record_sent(due_probe())
    out = io.StringIO()
    call_command("replay_ledger", stdout=out)
    assert "sent messages marked sent: 1" in out.getvalue()
    with pytest.raises(CommandError, match="--since must be a date and time"):
        call_command("replay_ledger", since="yesterday")


def on_postgresql():
    if connection.vendor != "postgresql":
        skip_or_fail("the restore drill needs PostgreSQL (pg_dump and pg_restore)")


def others_off(database: str) -> None:
    """PostgreSQL copies a template only while nobody else is connected to it. The browser
    tests' live server keeps a session open for the whole run; it reconnects when next asked
    (the settings check a connection's health before each request)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )


def drill(tmp_path, lines):
    """The drill's core on a copy of the test database, restored into a fresh one."""
    source = f"{connection.settings_dict['NAME'][:30]}_drill_{os.urandom(3).hex()}"
    others_off(connection.settings_dict["NAME"])
    with (
        scratch_role() as role,
        scratch_database(source, template=connection.settings_dict["NAME"]),
    ):
        return run_drill(source, tmp_path, role=role, say=lines.append)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_restore_drill_passes(tmp_path):
    on_postgresql()
    lines = []
    result = drill(tmp_path, lines)
    assert result.passed, "\n".join(lines)
    assert len(result.checks) >= 10
    assert lines[-1].startswith("Restore drill PASSED")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_the_ledger_the_drill_fails(tmp_path, monkeypatch):
    on_postgresql()
    monkeypatch.setattr(restore_ledger, "_append", lambda entry, **options: None)
    lines = []
    result = drill(tmp_path, lines)
    failed = {check.name for check in result.checks if not check.ok}
    assert "the erasure made after the backup is applied again" in failed
    assert any("not due again" in name for name in failed)
    assert lines[-1].startswith("Restore drill FAILED")
