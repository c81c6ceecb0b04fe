import secrets
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from peersupport.backups import BackupError
from peersupport.privacy.drill import run_drill, scratch_database, scratch_role


class Command(BaseCommand):
    help = (
        "The restore drill, on PostgreSQL (what CI runs as `make restore-drill`): on a scratch "
        "database beside DATABASE_URL's, seed a little, pg_dump it, then erase a person and send "
        "a message; restore the dump into a fresh database, compare row counts per table, the "
        "audit log's newest rows, grants and triggers, replay the restore ledger and check the "
        "erasure is applied again and the message is not sent twice. Prints PASS or FAIL for "
        "each check and exits non-zero if any failed. DATABASE_URL's own database is not "
        "touched; the scratch databases (and role) are dropped afterwards."
    )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The restore drill needs PostgreSQL: set DATABASE_URL.")
        source = f"{connection.settings_dict['NAME'][:40]}_drill_{secrets.token_hex(3)}"
        with tempfile.TemporaryDirectory() as workdir:
            try:
                with scratch_role() as made:
                    role = settings.DATABASE_APP_ROLE or made
                    if role is None:
                        self.stdout.write("      no service role to grant: grants not checked")
                    with scratch_database(source):
                        drill = run_drill(source, Path(workdir), role=role, say=self.stdout.write)
            except BackupError as error:
                raise CommandError(f"Restore drill FAILED: {error}") from error
        if not drill.passed:
            raise CommandError(drill.summary())
