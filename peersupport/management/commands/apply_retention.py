from django.core.management.base import BaseCommand, CommandError

from peersupport.jobs import record_job_run
from peersupport.privacy.audit_purge import AuditPurgeRefused, purge_audit
from peersupport.privacy.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Anonymise (never delete) every record past its retention period: people of serious "
        "incidents 20 years after the incident, of other incidents 10 years; people without a "
        "review 10 years after their support ended; supporters 6 years after they left. "
        "What Celery beat runs once a day. --dry-run lists what it would do and changes nothing. "
        "--audit instead deletes the audit rows past the audit log's own retention (20 years): "
        "run it with the database owner's DATABASE_URL, since the service's role may not."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be done; change nothing."
        )
        parser.add_argument(
            "--audit",
            action="store_true",
            help="Delete audit rows past their retention (as the database owner) and nothing else.",
        )

    def handle(self, *args, dry_run, audit, **options):
        if audit:
            self._purge_audit(dry_run)
            return
        found = apply_retention(dry_run=dry_run)
        for item in found:
            if item.kept_because:
                outcome = f"kept for now: {item.kept_because}"
            else:
                outcome = "would be anonymised" if dry_run else "anonymised"
            # Record types and ids only: never a name in the output.
            self.stdout.write(f"{item.describe()}: {outcome}")
        if not found:
            self.stdout.write("Nothing is past its retention period.")
        elif dry_run:
            self.stdout.write(f"Dry run: {len(found)} records found, nothing changed.")
        if not dry_run:
            record_job_run("apply_retention")

    def _purge_audit(self, dry_run):
        try:
            cutoff, rows = purge_audit(dry_run=dry_run)
        except AuditPurgeRefused as refused:
            raise CommandError(str(refused)) from refused
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(f"Audit rows from before {cutoff:%d %B %Y}: {rows} {verb}.")
