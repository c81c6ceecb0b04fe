import json

from django.core.management.base import BaseCommand
from django.db.models import Count

from peersupport.models import Message, MessageStatus


class Command(BaseCommand):
    help = "Count outbox messages by status."

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print JSON instead of a table."
        )

    def handle(self, *args, as_json=False, **options):
        counts = {status.value: 0 for status in MessageStatus}
        counts.update(
            dict(Message.objects.values_list("status").annotate(n=Count("id")).order_by())
        )
        if as_json:
            self.stdout.write(json.dumps(counts, sort_keys=True))
            return
        for status, count in counts.items():
            self.stdout.write(f"{status:<10} {count}")
