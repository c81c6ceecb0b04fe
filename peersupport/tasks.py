"""The Celery tasks, wired here for `autodiscover_tasks` (part of the composition root, with
peersupport.celery). Each layer keeps its own work; this module only names it for beat."""

from celery import shared_task

from peersupport.dashboard.recount import recount_every_month, refresh_figures
from peersupport.jobs import record_job_run
from peersupport.outbox import send_due_messages, send_message
from peersupport.privacy.retention import apply_retention as apply_retention_now

__all__ = [
    "apply_retention",
    "heartbeat",
    "recount_measures",
    "refresh_measures",
    "send_due_messages",
    "send_message",
]

HEARTBEAT = "heartbeat"


@shared_task(ignore_result=True)
def heartbeat():
    """Proves to /healthz/ that Celery beat and a worker are running."""
    record_job_run(HEARTBEAT)


@shared_task(ignore_result=True)
def apply_retention():
    """Anonymise records past their retention period (also `manage.py apply_retention`)."""
    apply_retention_now()
    record_job_run("apply_retention")


@shared_task(ignore_result=True)
def refresh_measures():
    """Recount the dashboard's open months and those a change has moved, so its pages read
    current stored figures (peersupport.dashboard.stored)."""
    refresh_figures()
    record_job_run("refresh_measures")


@shared_task(ignore_result=True)
def recount_measures():
    """Recount every stored month of the dashboard's figures, once a night."""
    recount_every_month()
    record_job_run("recount_measures")
