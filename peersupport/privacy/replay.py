"""After a restore: apply again what the restore ledger (peersupport.restore_ledger) says happened
since the backup, before the service starts (docs/adr/0011-backup-and-restore.md).

Anonymisations are applied again, each only if the record in the restored database is the one
anonymised (same type, id and creation time) and is not anonymised already; then every message
the ledger says was sent is marked sent, so the sweep never sends it a second time. All in one
transaction: messages that the replayed anonymisations queue go out (or are found already
sent) only once it commits. Replaying twice changes nothing the second time.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from incidents.models import AffectedPerson, SelfReferral
from peersupport import audit, restore_ledger
from peersupport.models import Anonymisation
from peersupport.privacy.anonymise import (
    anonymise_person,
    anonymise_referral,
    anonymise_supporter,
    is_anonymised,
)
from supporters.models import PeerSupporter

ANONYMISERS = {
    "incidents.affectedperson": (AffectedPerson, anonymise_person),
    "incidents.selfreferral": (SelfReferral, anonymise_referral),
    "supporters.peersupporter": (PeerSupporter, anonymise_supporter),
}


@dataclass
class Replayed:
    """What a replay did, by outcome."""

    anonymised: dict[str, int] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.anonymised[outcome] = self.anonymised.get(outcome, 0) + 1


def _same_record(obj, entry: dict) -> bool:
    created = getattr(obj, "created_at", None)
    if entry.get("created") is None or created is None:
        return True
    return created == datetime.fromisoformat(entry["created"])


def reapply_anonymisation(entry: dict) -> str:
    """One ledger entry applied again; returns what happened."""
    model, anonymise = ANONYMISERS.get(entry["type"], (None, None))
    if model is None:
        return "unknown kind of record"
    obj = model.objects.filter(pk=entry["id"]).first()
    if obj is None:
        return "not in this database"
    if not _same_record(obj, entry):
        return "a different record has this id"
    if is_anonymised(obj):
        return "already anonymised"
    reason = entry["reason"] if entry["reason"] in Anonymisation.Reason.values else "retention"
    anonymise(obj, reason=reason)
    return "applied again"


@transaction.atomic
def replay_ledger(since: datetime | None = None) -> Replayed:
    """Apply the ledger (from `since`, if given) to this database. Audited."""
    done = Replayed()
    sent = []
    for entry in restore_ledger.entries(since):
        if entry["event"] == restore_ledger.ANONYMISED:
            done.count(reapply_anonymisation(entry))
        elif entry["event"] == restore_ledger.SENT:
            sent.append(entry)
    done.sent = restore_ledger.replay_sent(sent)
    audit.record(
        "restore.ledger_replayed",
        since=since.isoformat() if since else None,
        anonymised=done.anonymised,
        sent=done.sent,
    )
    return done
