"""Celery tasks: thin; they take ids, re-fetch, and call a service."""

import logging

from celery import shared_task
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def process_report(report_id: str) -> None:
    from incidents.services import report_process

    report_process(report_id=report_id)


def enqueue_report(report_id) -> None:
    """Ask a worker to process a report; if the broker is down, the sweeper will find it later.

    The report is already committed with `processing_state=pending`, which is
    the record of work to do: losing this message loses nothing.
    """
    try:
        process_report.apply_async(args=[str(report_id)], retry=False)
    except OperationalError:
        logger.warning("Broker unreachable; report %s left for the sweeper", report_id)
