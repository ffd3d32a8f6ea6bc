"""Webhooks delivered by a real Celery worker on a real Redis to real HTTP receivers on 127.0.0.1.

Signed as the standardwebhooks reference verifier accepts, each event once per
change, retried after a 500 until a 200 (by the worker's beat dispatcher),
and nothing more to an endpoint once it is revoked.
"""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from incidents.services import incident_verify
from incidents.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent
from incidents.webhooks.services import webhook_endpoint_create, webhook_endpoint_revoke, webhooks_dispatch
from tests.factories import IncidentFactory, PartnerOrganisationFactory, ReviewerFactory
from tests.webhooks.conftest import receiver, receivers  # noqa: F401 — fixtures
from tests.workers.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def webhook_worker(workers, monkeypatch):
    """A worker (with beat: the dispatcher of retries every half second) allowed to post to 127.0.0.1."""
    monkeypatch.setenv("WEBHOOKS_ALLOW_LOOPBACK", "1")
    monkeypatch.setenv("SIJIL_WEBHOOK_RETRY_BASE_SECONDS", "0.05")
    monkeypatch.setenv("SIJIL_WEBHOOK_DISPATCH_EVERY_SECONDS", "0.5")
    workers.start("hooks", beat=True)
    return workers


def endpoint_for(url: str):
    return webhook_endpoint_create(organisation=PartnerOrganisationFactory(), url=url, events=["incident.verified"])


def verify_one() -> str:
    incident = IncidentFactory()
    incident_verify(incident=incident, by=ReviewerFactory())
    return str(incident.pk)


def all_settled() -> bool:
    return not WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).exists()


def test_each_change_reaches_the_receiver_once_signed_as_the_reference_verifier_accepts(webhook_worker, receiver):  # noqa: F811
    endpoint = endpoint_for(receiver.url)
    incidents = [verify_one() for _ in range(3)]

    wait_for(all_settled, timeout=120, what=f"the deliveries\n{webhook_worker.logs()}")
    assert webhooks_dispatch() == 0  # nothing left due for the dispatcher to send again
    assert len(receiver.requests) == 3
    payloads = [Webhook(endpoint.secret).verify(r.body, r.headers) for r in receiver.requests]
    assert sorted(p["data"]["id"] for p in payloads) == sorted(incidents)
    assert {p["type"] for p in payloads} == {"incident.verified"}
    events = {e.webhook_id: str(e.subject) for e in WebhookEvent.objects.all()}
    assert {r.headers["webhook-id"]: json.loads(r.body)["data"]["id"] for r in receiver.requests} == events
    assert set(WebhookDelivery.objects.values_list("status", "attempts", "status_code")) == {("delivered", 1, 200)}


def test_a_500_is_retried_by_the_worker_with_the_same_event_and_signature_until_a_200(webhook_worker, receiver):  # noqa: F811
    endpoint = endpoint_for(receiver.url)
    receiver.answers = [(500, {}), (500, {})]
    verify_one()

    wait_for(all_settled, timeout=120, what=f"the retries\n{webhook_worker.logs()}")
    assert len(receiver.requests) == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert len({r.body for r in receiver.requests}) == 1
    for request in receiver.requests:
        Webhook(endpoint.secret).verify(request.body, request.headers)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("delivered", 3, 200)
    assert [a.status_code for a in delivery.attempt_log.order_by("at", "id")] == [500, 500, 200]


def test_nothing_reaches_an_endpoint_after_it_is_revoked(webhook_worker, receivers):  # noqa: F811
    revoked_receiver, control_receiver = receivers(), receivers()
    # The endpoint to revoke answers "come back in an hour"; the control endpoint takes every event.
    revoked_receiver.answers = [(503, {"Retry-After": "3600"})]
    revoked = endpoint_for(revoked_receiver.url)
    endpoint_for(control_receiver.url)
    verify_one()
    wait_for(
        lambda: len(revoked_receiver.requests) == 1 and len(control_receiver.requests) == 1,
        timeout=120,
        what=f"the first event at both receivers\n{webhook_worker.logs()}",
    )
    waiting = WebhookDelivery.objects.get(endpoint=revoked)
    assert (waiting.status, waiting.status_code) == ("pending", 503)

    webhook_endpoint_revoke(endpoint=revoked)
    # Due again now, were it not cancelled: the dispatcher would send it before the control's retry below.
    WebhookDelivery.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now())
    control_receiver.answers = [(500, {})]
    verify_one()
    # The control gets the new event twice (a 500, then the dispatcher's retry): the dispatcher ran since.
    wait_for(
        lambda: len(control_receiver.requests) == 3 and all_settled(),
        timeout=120,
        what=f"the control's retry\n{webhook_worker.logs()}",
    )
    assert len(revoked_receiver.requests) == 1
    assert WebhookDelivery.objects.get(pk=waiting.pk).status == DeliveryStatus.CANCELLED
    assert not WebhookDelivery.objects.filter(endpoint=revoked).exclude(pk=waiting.pk).exists()
