"""Celery tasks of alerts: thin; they take an id and call `reports.alerts.services`."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def alert_report(report_id: str) -> None:
    from reports.alerts.services import alerts_for_report

    alerts_for_report(report_id=report_id)


@shared_task(ignore_result=True)
def digest_waiting_reports() -> int:
    from reports.alerts.services import alerts_digest

    return len(alerts_digest())


def alerts_enqueue(*, report_id) -> None:
    """From `report_submit`, after commit: never fails the submission."""
    try:
        alert_report.apply_async(args=[str(report_id)], retry=False)
    except Exception as exc:
        logger.warning("Broker unreachable (%s); no alert for report %s", type(exc).__name__, report_id)
