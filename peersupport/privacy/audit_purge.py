"""The audit log's own retention (`retention.RETENTION_YEARS["audit"]`): the one deletion the
audit log allows, and only to the database owner (`purge_audit`, `manage.py apply_retention
--audit`)."""

from datetime import date, datetime

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from peersupport import audit
from peersupport.models import AuditEvent
from peersupport.privacy.retention import add_years, retention_years


class AuditPurgeRefused(Exception):
    """The database refused to let this role delete audit rows: only the owner may."""


def audit_purge_cutoff(today: date | None = None) -> date:
    """Audit rows from before this day are past their retention."""
    return add_years(today or timezone.localdate(), -retention_years("audit"))


def purge_audit(*, today: date | None = None, dry_run: bool = False) -> tuple[date, int]:
    """Delete the audit rows past their retention; returns the cut-off day and how many.

    The one deletion the audit log allows, and only to the tables' owner: on PostgreSQL the
    append-only trigger is switched off for this transaction alone, which only the owner may
    do, so run with the owner's DATABASE_URL. The service's role is refused (AuditPurgeRefused).
    """
    cutoff = audit_purge_cutoff(today)
    start = timezone.make_aware(datetime.combine(cutoff, datetime.min.time()))
    old = AuditEvent.objects.filter(at__lt=start)
    if dry_run:
        return cutoff, old.count()
    trigger = "peersupport_auditevent_append_only"
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"ALTER TABLE peersupport_auditevent DISABLE TRIGGER {trigger}")
            deleted, _ = old.delete()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"ALTER TABLE peersupport_auditevent ENABLE TRIGGER {trigger}")
            audit.record("audit.purged", before=cutoff.isoformat(), rows=deleted)
    except DatabaseError as error:
        if getattr(error.__cause__, "pgcode", None) == "42501":  # insufficient_privilege
            raise AuditPurgeRefused(
                "Only the database owner may delete audit rows: run this with the owner's "
                "DATABASE_URL, not the service's (README.md, 'Database roles')."
            ) from error
        raise
    return cutoff, deleted
