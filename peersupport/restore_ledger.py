"""The restore ledger: what a restore from an older backup must not undo, kept outside the
database (docs/adr/0011-backup-and-restore.md).

Two events, appended as JSON lines to a file a month under `RESTORE_LEDGER_DIR`:

- `anonymised`: a person, request for support or supporter lost their identity
  (peersupport.privacy.anonymise), written when that change commits;
- `sent`: a message left the service, written the moment the channel accepted it, before the
  row is marked sent, so even a crash in between is remembered.

Each entry holds ids, kinds and times only: the object's type and id, the reason code and the
time the object was created (so a replay never touches a different record that reused the id),
or the message's id and a SHA-256 of its idempotency key. No name, address or free text.

`replay_sent` marks the messages that the ledger says were sent as sent again in a restored
database; the anonymisations are applied again by `peersupport.privacy.replay`, which calls it.
A ledger that cannot be written never stops an anonymisation or a send: the failure is logged
as an error, for the team to take a fresh backup.
"""

import hashlib
import json
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from peersupport.models import Message, MessageStatus

logger = logging.getLogger(__name__)

ANONYMISED = "anonymised"
SENT = "sent"


def ledger_dir() -> Path:
    return Path(settings.RESTORE_LEDGER_DIR)


def key_digest(key: str) -> str:
    """A message's idempotency key as the ledger holds it: a digest, never the key itself."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _append(entry: dict, *, sync: bool = True) -> None:
    """One line, appended with a single write (O_APPEND), so that web, worker and beat
    processes writing at once never interleave; synced to disk unless `sync` is off."""
    entry = {"at": timezone.now().isoformat(), **entry}
    line = (json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
    try:
        directory = ledger_dir()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"ledger-{timezone.now():%Y-%m}.jsonl"
        handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(handle, line)
            if sync:
                os.fsync(handle)
        finally:
            os.close(handle)
    except OSError as error:
        logger.error(
            "The restore ledger was not written (%s %s): %s. Take a fresh backup.",
            entry.get("event"),
            entry.get("type", "message"),
            error.__class__.__name__,
        )


def record_anonymised(obj, reason: str) -> None:
    """Remember, once the transaction commits, that `obj` was anonymised and why."""
    created = getattr(obj, "created_at", None)
    entry = {
        "event": ANONYMISED,
        "type": obj._meta.label_lower,
        "id": str(obj.pk),
        "reason": str(reason),
        "created": created.isoformat() if created else None,
    }
    transaction.on_commit(lambda: _append(entry))


def record_sent(message: Message) -> None:
    """Remember that `message` left the service (called as soon as its channel accepted it).
    Not synced: an fsync per message would slow the outbox by a fifth, and a killed process
    loses nothing already written; only a crash of the host can lose the last few seconds."""
    _append(
        {"event": SENT, "id": message.pk, "key": key_digest(message.idempotency_key)}, sync=False
    )


def entries(since: datetime | None = None) -> Iterator[dict]:
    """Every entry, oldest first (from `since`, if given). A line cut short by a crash while it
    was written is skipped."""
    found = []
    for path in sorted(ledger_dir().glob("ledger-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
                entry["at"] = datetime.fromisoformat(entry["at"])
            except (ValueError, KeyError, TypeError):
                logger.warning("A damaged line in %s was skipped.", path.name)
                continue
            if since is None or entry["at"] >= since:
                found.append(entry)
    found.sort(key=lambda entry: entry["at"])
    return iter(found)


def _unsent_by_digest(sent: list[dict]) -> dict[str, int]:
    """The unsent messages a ledger entry may name: the same id, or made since the first entry
    (queued again by a replayed anonymisation)."""
    unsent = Message.objects.exclude(status=MessageStatus.SENT).filter(
        Q(pk__in=[entry["id"] for entry in sent])
        | Q(created_at__gte=min(entry["at"] for entry in sent))
    )
    return {key_digest(key): pk for pk, key in unsent.values_list("pk", "idempotency_key")}


def _sent_here(entry: dict) -> bool:
    sent = Message.objects.filter(pk=entry["id"], status=MessageStatus.SENT)
    return any(
        key_digest(key) == entry["key"] for key in sent.values_list("idempotency_key", flat=True)
    )


def replay_sent(sent: list[dict]) -> dict[str, int]:
    """Mark as sent every message the ledger says was sent that the database still holds as
    unsent (waiting, sending, failed or cancelled). Matched by its key's digest, so a message
    made again with a different id (by a replayed anonymisation) is found too."""
    outcomes = {"marked sent": 0, "already sent": 0, "not in this database": 0}
    unsent = _unsent_by_digest(sent) if sent else {}
    for entry in sent:
        pk = unsent.pop(entry["key"], None)
        if pk is not None:
            Message.objects.filter(pk=pk).update(
                status=MessageStatus.SENT, sent_at=entry["at"], claimed_at=None, last_error=""
            )
            outcomes["marked sent"] += 1
        elif _sent_here(entry):
            outcomes["already sent"] += 1
        else:
            outcomes["not in this database"] += 1
    return outcomes


def prune(keep_days: int | None = None) -> list[str]:
    """Delete the monthly files whose last day is older than the oldest backup kept
    (BACKUP_KEEP_DAYS): no restore can need them. Run with the daily retention job."""
    keep_days = settings.BACKUP_KEEP_DAYS if keep_days is None else keep_days
    cutoff = timezone.now() - timedelta(days=keep_days)
    removed = []
    for path in sorted(ledger_dir().glob("ledger-*.jsonl")):
        try:
            month = datetime.strptime(path.stem.removeprefix("ledger-"), "%Y-%m")
        except ValueError:
            continue
        next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        if next_month.replace(tzinfo=UTC) < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed
