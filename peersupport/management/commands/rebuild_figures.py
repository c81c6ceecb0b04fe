"""Throw away the dashboard's stored monthly figures and count every month again from the first
with any data (peersupport.dashboard.recount). Safe to run at any time: a page reading while
it runs counts any month it lacks."""

import time

from django.core.management.base import BaseCommand

from peersupport.dashboard.recount import rebuild_figures


class Command(BaseCommand):
    help = "Count the dashboard's stored monthly figures again from scratch."

    def handle(self, *args, **options):
        started = time.perf_counter()
        counted = rebuild_figures()
        seconds = time.perf_counter() - started
        self.stdout.write(f"Counted {counted} query-months in {seconds:.1f} s.")
