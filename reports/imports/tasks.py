"""Celery tasks of bulk imports: thin; they take a job id and call `reports.imports.services`.

PostgreSQL is the record of what is left to do (a job's `status` and its
checkpoint), so a lost message loses nothing: `sweep_imports` (beat) sends
again any job no worker has shown a sign of life on for a while.
"""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def validate_import(job_id: str) -> None:
    """The preview: check every row, record the errors; the job becomes `ready`."""
    from reports.imports.services import import_validate

    import_validate(job_id=job_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_import(job_id: str) -> None:
    """Import from the checkpoint for one slice of time; send itself again while rows are left."""
    from reports.imports.models import ImportStatus
    from reports.imports.services import import_run

    job = import_run(job_id=job_id)
    if job is not None and job.status == ImportStatus.IMPORTING:
        enqueue("run_import", job_id)


@shared_task(ignore_result=True)
def sweep_imports() -> int:
    """Beat: send again the jobs whose worker went quiet (killed mid-file, message lost)."""
    from reports.imports.services import imports_sweep

    return imports_sweep(enqueue=enqueue)


TASKS = {"validate_import": validate_import, "run_import": run_import}


def enqueue(task: str, job_id) -> None:
    """Send a job to a worker; if the broker is down, the sweeper sends it later."""
    try:
        TASKS[task].apply_async(args=[str(job_id)], retry=False)
    except Exception as exc:
        logger.warning("Broker unreachable (%s); import %s left for the sweeper", type(exc).__name__, job_id)
