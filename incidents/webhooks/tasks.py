"""Celery tasks of webhooks: thin; the state is the delivery row (`incidents.webhooks.services`)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_webhooks(delivery_ids: list[int]) -> None:
    """Claim these deliveries (and others due, up to a batch), send them, record the outcomes."""
    from incidents.webhooks.services import webhooks_deliver

    webhooks_deliver(delivery_ids=delivery_ids)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    """One delivery (messages queued before batches existed)."""
    from incidents.webhooks.services import webhooks_deliver

    webhooks_deliver(delivery_ids=[delivery_id])


@shared_task(ignore_result=True)
def dispatch_webhooks() -> int:
    """Beat: the retries that are due, and any first attempt whose message was lost."""
    from incidents.webhooks.services import webhooks_dispatch

    return webhooks_dispatch()


def enqueue_deliveries(delivery_ids: list[int]) -> None:
    """After commit: if the broker is down, the dispatcher (beat) finds the deliveries due later."""
    try:
        deliver_webhooks.apply_async(args=[list(delivery_ids)], retry=False)
    except Exception as exc:
        logger.warning(
            "Broker unreachable (%s); %d webhook deliveries left for the dispatcher",
            type(exc).__name__,
            len(delivery_ids),
        )
