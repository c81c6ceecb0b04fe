from celery import shared_task

from feedback.invitations import invite_supporters_for_quarter
from peersupport.jobs import record_job_run


@shared_task(ignore_result=True)
def send_supporter_surveys():
    """The quarterly supporters' survey, run by beat on the 1st of January, April, July and
    October; idempotent per supporter per quarter, so a repeat run invites nobody twice."""

    invite_supporters_for_quarter()
    record_job_run("send_supporter_surveys")
