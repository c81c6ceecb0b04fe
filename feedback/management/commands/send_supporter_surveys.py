from datetime import date

from django.core.management.base import BaseCommand, CommandError

from feedback.invitations import invite_supporters_for_quarter, quarter_of
from peersupport.jobs import record_job_run


class Command(BaseCommand):
    help = (
        "Invite every active peer supporter to this quarter's supporters' survey (what Celery "
        "beat runs on the 1st of January, April, July and October). Safe to run again: nobody "
        "is invited twice in a quarter."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            dest="on",
            help="Act as if today were this date (YYYY-MM-DD), to pick the quarter.",
        )

    def handle(self, *args, on=None, **options):
        try:
            today = _parse(on)
        except ValueError as error:
            raise CommandError(f"--date must be YYYY-MM-DD: {error}") from None
        invited = invite_supporters_for_quarter(today)
        record_job_run("send_supporter_surveys")
        label = quarter_of(today)[1] if today else "this quarter"
        self.stdout.write(f"Supporters invited to the survey for {label}: {invited}.")


def _parse(text):
    return date.fromisoformat(text) if text else None
