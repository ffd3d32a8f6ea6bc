"""Celery tasks of the situation room: thin, they take an id and call the service."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def generate_situation_report(report_id: str) -> bool:
    """Generate one situation report; a second delivery of the same task finds it claimed and does nothing."""
    from incidents.situation.services import situation_report_generate

    return situation_report_generate(report_id=report_id)
