from django.core.management.base import BaseCommand

from peersupport.outbox import sweep


class Command(BaseCommand):
    help = "Send every due message in the outbox now (what Celery beat does every few seconds)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, limit, **options):
        counts = sweep(limit=limit)
        summary = ", ".join(f"{status}: {count}" for status, count in sorted(counts.items()))
        self.stdout.write(summary or "Nothing was due.")
