"""The restore drill (`manage.py restore_drill`, `make restore-drill`, run by CI): prove on
PostgreSQL that a backup restores whole and that a restore undoes no erasure and sends no
message twice (docs/adr/0011-backup-and-restore.md).

On a scratch database: seed a little, take a pg_dump, then erase a person and send a message;
restore the dump into a fresh database and check, against the database as it was dumped, the
row count of every table, the audit log's newest rows, the grants and the triggers (the audit
log still refuses changes, the service's role may still only read and add to it). Then replay
the restore ledger and check that the erasure is applied again and the message is not due
again (a sweep sends nothing), and that a second replay changes nothing.
"""

import secrets
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from incidents.models import AffectedPerson, Consent, Organisation, PersonKind
from peersupport import audit, backups, outbox, probe
from peersupport.db_roles import NEVER_ON_APPEND_ONLY, grant_service_role
from peersupport.models import Anonymisation, Message, MessageStatus, User
from peersupport.privacy.anonymise import ANONYMISED_NAME, anonymise_person, is_anonymised
from peersupport.privacy.replay import replay_ledger


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""

    def line(self) -> str:
        return f"{'PASS' if self.ok else 'FAIL'}  {self.name}" + (
            f"\n        {self.detail}" if self.detail else ""
        )


@dataclass
class Drill:
    """The drill's checks, in order, and what it seeded."""

    say: Callable[[str], None] = print
    checks: list[Check] = field(default_factory=list)

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, bool(ok), "" if ok else detail))
        self.say(self.checks[-1].line())
        return ok

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def summary(self) -> str:
        failed = [check.name for check in self.checks if not check.ok]
        verdict = "PASSED" if self.passed else f"FAILED ({len(failed)} of {len(self.checks)})"
        return f"Restore drill {verdict}: {len(self.checks) - len(failed)} checks passed."


def seed(tag: str) -> dict:
    """Two people (one will ask to be erased), a member of staff, a message due now and a few
    audit rows."""
    organisation = Organisation.objects.create(name=f"Restore drill trust {tag}")
    people = [
        AffectedPerson.objects.create(
            organisation=organisation,
            kind=PersonKind.FAMILY,
            relationship="Mother",
            full_name=f"Drill Person {letter}",
            email=f"drill.{letter.lower()}.{tag}@example.org",
            consent_to_contact=Consent.GIVEN,
            consent_to_share=Consent.GIVEN,
        )
        for letter in "AB"
    ]
    staff = User.objects.create_user(email=f"drill.team.{tag}@example.org")
    message = Message.objects.create(
        kind=probe.KIND,
        channel="record",
        user=staff,
        due_at=timezone.now(),
        idempotency_key=f"restore-drill:{tag}",
    )
    for person in people:
        audit.record("person.created", actor=staff, obj=person)
        audit.record("person.viewed", actor=staff, obj=person)
    audit.record("message.queued", actor=staff, obj=message)
    return {"kept": people[0].pk, "erased": people[1].pk, "message": message.pk}


def _sent_count(record: Path, message: Message) -> int:
    if not record.exists():
        return 0
    return record.read_text(encoding="utf-8").splitlines().count(message.idempotency_key)


def _check_restored(drill: Drill, before: backups.Snapshot, role: str | None) -> None:
    after = backups.snapshot()
    drill.check(
        f"row counts match in all {len(before.counts)} tables",
        before.counts == after.counts,
        "; ".join(backups.differences(before.counts, after.counts)),
    )
    drill.check(
        f"the audit log's newest {len(before.newest_audit)} rows match",
        before.newest_audit == after.newest_audit and len(before.newest_audit) > 0,
        f"dumped {before.newest_audit[:1]}, restored {after.newest_audit[:1]}",
    )
    drill.check(
        "grants and default privileges match",
        before.grants == after.grants,
        "; ".join(backups.differences(before.grants, after.grants)),
    )
    drill.check(
        f"triggers match ({len(before.triggers)}, all enabled as dumped)",
        before.triggers == after.triggers,
        f"dumped {before.triggers}, restored {after.triggers}",
    )
    drill.check("the audit log still refuses changes", backups.audit_log_refuses_changes())
    if role:
        rights = backups.service_role_privileges(role)
        drill.check(
            f"the service's role {role} may only read and add to the audit log",
            rights
            == {"SELECT": True, "INSERT": True, **dict.fromkeys(NEVER_ON_APPEND_ONLY, False)},
            str(rights),
        )


def _check_replay(drill: Drill, seeded: dict, record: Path) -> None:
    erased = AffectedPerson.objects.get(pk=seeded["erased"])
    message = Message.objects.get(pk=seeded["message"])
    drill.check(
        "the backup predates the erasure and the send (restored as they were)",
        not is_anonymised(erased) and message.status == MessageStatus.PENDING,
        f"anonymised={is_anonymised(erased)}, message {message.status}",
    )
    replayed = replay_ledger()
    drill.say(f"      ledger replayed: anonymised {replayed.anonymised}, sent {replayed.sent}")
    erased.refresh_from_db()
    drill.check(
        "the erasure made after the backup is applied again",
        is_anonymised(erased) and erased.full_name == ANONYMISED_NAME and not erased.email,
        f"name kept: {erased.full_name != ANONYMISED_NAME}",
    )
    kept = AffectedPerson.objects.get(pk=seeded["kept"])
    drill.check("nobody else is anonymised", not is_anonymised(kept))
    message.refresh_from_db()
    swept = outbox.sweep()
    drill.check(
        "the message sent after the backup is not due again, and a sweep does not resend it",
        message.status == MessageStatus.SENT and _sent_count(record, message) == 1,
        f"status {message.status}, sent {_sent_count(record, message)} times, sweep {swept}",
    )
    again = replay_ledger()
    drill.check(
        "replaying the ledger a second time changes nothing",
        again.anonymised.get("applied again", 0) == 0 and again.sent.get("marked sent") == 0,
        f"anonymised {again.anonymised}, sent {again.sent}",
    )


def run_drill(source: str, workdir: Path, *, role: str | None = None, say=print) -> Drill:
    """The drill on `source`, a migrated scratch database it may change; restores into
    `<source>_restored`, which it drops afterwards. `role`, if given, is granted as `migrate`
    grants the service's role before the dump."""
    drill = Drill(say=say)
    tag = secrets.token_hex(3)
    restored = f"{source[:50]}_restored"
    dump_file = workdir / f"{source}.dump"
    record = workdir / "sent.log"
    private = override_settings(
        RESTORE_LEDGER_DIR=workdir / "ledger",
        OUTBOX_RECORD_FILE=str(record),
        OUTBOX_RECORD_FAIL_FILE="",
    )
    with private:
        with backups.use_database(source):
            if role:
                grant_service_role(connection, role)
            seeded = seed(tag)
            before = backups.snapshot()
            backups.dump(source, dump_file)
            say(f"      dumped {source} ({dump_file.stat().st_size} bytes, pg_dump -Fc)")
            anonymise_person(
                AffectedPerson.objects.get(pk=seeded["erased"]),
                reason=Anonymisation.Reason.ERASURE_REQUEST,
            )
            sent = outbox.deliver(seeded["message"])
            say(f"      after the backup: person {seeded['erased']} erased, message {sent}")
        backups.create_database(restored)
        try:
            backups.restore(restored, dump_file)
            say(f"      restored into {restored} (pg_restore --exit-on-error)")
            with backups.use_database(restored):
                _check_restored(drill, before, role)
                _check_replay(drill, seeded, record)
        finally:
            backups.drop_database(restored)
    say(drill.summary())
    return drill


@contextmanager
def scratch_database(name: str, template: str | None = None):
    """A database for the drill to change, dropped afterwards: a copy of `template`, or a new
    one with every migration applied."""
    connection.close()  # a template may have no other session
    backups.create_database(name, template=template)
    try:
        if template is None:
            with backups.use_database(name):
                call_command("migrate", interactive=False, verbosity=0)
        yield name
    finally:
        backups.drop_database(name)


@contextmanager
def scratch_role():
    """A role the drill grants as `migrate` grants the service's, dropped afterwards; None when
    this login may not create roles."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        )
        if not cursor.fetchone()[0]:
            yield None
            return
        role = f"ps_drill_app_{secrets.token_hex(4)}"
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
    try:
        yield role
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP ROLE IF EXISTS {role}")
