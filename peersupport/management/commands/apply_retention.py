from django.core.management.base import BaseCommand

from peersupport.jobs import record_job_run
from peersupport.privacy import apply_retention


class Command(BaseCommand):
    help = (
        "Anonymise (never delete) every record past its retention period: people of serious "
        "incidents 20 years after the incident, of other incidents 10 years; people without a "
        "review 10 years after their support ended; supporters 6 years after they left. "
        "What Celery beat runs once a day. --dry-run lists what it would do and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be done; change nothing."
        )

    def handle(self, *args, dry_run, **options):
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
