import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def use_site_url_for(addrport: str) -> str:
    """Emailed links point at the address served here, unless SITE_URL was given.

    Set for this process (the web app) and in the environment the worker inherits, so a link
    in a message sent by either opens the service that sent it.
    """
    if not os.environ.get("SITE_URL"):
        host = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        os.environ["SITE_URL"] = f"http://{host}"
        settings.SITE_URL = os.environ["SITE_URL"]
    return settings.SITE_URL


class Command(BaseCommand):
    help = (
        "Run the web app and a Celery worker with beat together, for development. "
        "Ctrl-C stops both."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        site_url = use_site_url_for(addrport)
        worker = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "peersupport",
                "worker",
                "--beat",
                "--pool=solo",
                "--loglevel=INFO",
                "--schedule",
                settings.CELERY_BEAT_SCHEDULE_FILENAME,
            ]
        )
        # A SIGTERM (a terminal closed, a process manager) stops the worker too, like Ctrl-C.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        self.stdout.write(
            self.style.SUCCESS(
                f"Serving on http://{addrport}/ (Ctrl-C to stop); emailed links use {site_url}"
            )
        )
        try:
            # The autoreloader would re-run this command and start a second worker.
            call_command("runserver", addrport, use_reloader=False)
        except KeyboardInterrupt:
            pass
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
