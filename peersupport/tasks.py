from celery import shared_task

from peersupport.jobs import record_job_run

HEARTBEAT = "heartbeat"


@shared_task(ignore_result=True)
def heartbeat():
    """Proves to /healthz/ that Celery beat and a worker are running."""
    record_job_run(HEARTBEAT)


@shared_task(ignore_result=True)
def send_due_messages():
    """The outbox sweep, run by beat every 30 seconds."""
    from peersupport.outbox import sweep

    sweep()
    record_job_run("send_due_messages")


@shared_task(ignore_result=True)
def apply_retention():
    """Anonymise records past their retention period (also `manage.py apply_retention`)."""
    from peersupport.privacy import apply_retention

    apply_retention()
    record_job_run("apply_retention")


@shared_task(ignore_result=True)
def send_message(message_id: int):
    """Send one message now; harmless if the sweep got there first (the claim fails)."""
    from peersupport.outbox import deliver

    deliver(message_id)


@shared_task(ignore_result=True)
def refresh_measures():
    """Keep the dashboard's cached figures fresh, so its pages answer from the cache."""
    from peersupport.measures import refresh_cached_figures

    refresh_cached_figures()
    record_job_run("refresh_measures")
