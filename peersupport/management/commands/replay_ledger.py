from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from peersupport.privacy.replay import replay_ledger


class Command(BaseCommand):
    help = (
        "Run once after restoring a backup, before web, worker and beat start: apply again the "
        "anonymisations the restore ledger (RESTORE_LEDGER_DIR) recorded, and mark as sent the "
        "messages it says were sent, so that none goes twice. Safe to run again: what is already "
        "done is left alone. --since limits it to entries from that time (the backup's)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            help="Only entries from this time, e.g. 2026-12-03T02:00:00Z (default: all).",
        )

    def handle(self, *args, since=None, **options):
        when = None
        if since:
            try:
                when = datetime.fromisoformat(since)
            except ValueError as error:
                raise CommandError(f"--since must be a date and time, not {since!r}.") from error
            if timezone.is_naive(when):
                when = timezone.make_aware(when, timezone.get_current_timezone())
        done = replay_ledger(when)
        for outcome, count in done.anonymised.items():
            self.stdout.write(f"anonymisations {outcome}: {count}")
        for outcome, count in done.sent.items():
            self.stdout.write(f"sent messages {outcome}: {count}")
        if not done.anonymised and not any(done.sent.values()):
            self.stdout.write("The ledger holds nothing to replay.")
