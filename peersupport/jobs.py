"""Bookkeeping for periodic jobs: each job records that it ran."""

from django.utils import timezone

from peersupport.models import JobRun


def record_job_run(name: str) -> None:
    """Note that a periodic job ran now; idempotent, one row per job."""
    JobRun.objects.update_or_create(name=name, defaults={"last_run_at": timezone.now()})


def seconds_since_last_run(name: str) -> int | None:
    last = JobRun.objects.filter(name=name).values_list("last_run_at", flat=True).first()
    return None if last is None else int((timezone.now() - last).total_seconds())
