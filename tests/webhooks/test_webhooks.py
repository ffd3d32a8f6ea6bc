"""Webhooks to a real receiver on 127.0.0.1: signed (checked by the standardwebhooks reference verifier),
one event per change, retried after a 500, Retry-After honoured, nothing after revocation, SSRF refused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from incidents.api_keys import api_key_issue
from incidents.services import incident_verify, incident_withdraw
from incidents.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from incidents.webhooks.services import (
    webhook_deliver,
    webhook_endpoint_create,
    webhook_endpoint_rotate_secret,
    webhooks_deliver,
    webhooks_dispatch,
)
from tests.api.conftest import keyed_client
from tests.factories import IncidentFactory, PartnerOrganisationFactory, ReviewerFactory

pytestmark = pytest.mark.django_db

INCIDENT_EVENTS = ["incident.verified", "incident.updated", "incident.merged", "incident.withdrawn"]


@pytest.fixture
def partner_org(db):
    return PartnerOrganisationFactory()


@pytest.fixture
def partner_api(partner_org):
    return keyed_client(api_key_issue(name="hooks", scopes=["webhooks:manage"], organisation=partner_org).key)


@pytest.fixture
def fast_retries(settings):
    settings.SIJIL_WEBHOOK_RETRY_BASE_SECONDS = 0.001


def deliver_due() -> int:
    """What the beat dispatcher and the worker do (tasks run in-process in the unit tests)."""
    return webhooks_dispatch()


def register(partner_api, receiver, events=INCIDENT_EVENTS) -> dict:
    answer = partner_api.post("/api/v1/webhooks/", {"url": receiver.url, "events": events}, format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()


def verified_change():
    incident = IncidentFactory()
    incident_verify(incident=incident, by=ReviewerFactory())
    return incident


def test_a_change_reaches_the_receiver_once_signed_as_the_reference_verifier_accepts(partner_api, receiver):
    endpoint = register(partner_api, receiver)
    assert endpoint["secret"].startswith("whsec_")
    incident = verified_change()
    assert deliver_due() == 1
    assert deliver_due() == 0
    (request,) = receiver.requests
    payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "incident.verified"
    assert payload["data"] == {
        "id": str(incident.pk),
        "status": "verified",
        "merged_into": None,
        "updated_at": payload["data"]["updated_at"],
        "url": f"/api/v1/incidents/{incident.pk}/",
    }
    assert request.headers["webhook-id"] == WebhookEvent.objects.get(type="incident.verified").webhook_id
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint["secret"]).verify(request.body + b" ", request.headers)


def test_a_500_is_retried_with_the_same_event_id_until_a_200(partner_api, receiver, fast_retries):
    register(partner_api, receiver)
    receiver.answers = [(500, {}), (500, {})]
    verified_change()
    for _ in range(3):
        deliver_due()
        WebhookDelivery.objects.filter(status="pending").update(next_attempt_at=timezone.now())
    assert [r.headers["webhook-id"] for r in receiver.requests] == [receiver.requests[0].headers["webhook-id"]] * 3
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.status_code) == (DeliveryStatus.DELIVERED, 3, 200)
    assert [a.status_code for a in delivery.attempt_log.order_by("at", "id")] == [500, 500, 200]
    assert len({r.body for r in receiver.requests}) == 1  # the same bytes, not re-read between retries


def test_retry_after_on_429_sets_the_next_attempt(partner_api, receiver):
    register(partner_api, receiver)
    receiver.answers = [(429, {"Retry-After": "120"})]
    verified_change()
    deliver_due()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending"
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 100 < wait <= 120
    assert deliver_due() == 0


def test_a_410_disables_the_endpoint(partner_api, receiver):
    register(partner_api, receiver)
    receiver.answers = [(410, {})]
    verified_change()
    deliver_due()
    endpoint = WebhookEndpoint.objects.get()
    assert not endpoint.is_active and "410" in endpoint.disabled_reason
    verified_change()
    deliver_due()
    assert len(receiver.requests) == 1


def test_nothing_reaches_a_revoked_endpoint(partner_api, receiver):
    endpoint = register(partner_api, receiver)
    receiver.answers = [(503, {})]
    verified_change()
    deliver_due()
    assert partner_api.delete(f"/api/v1/webhooks/{endpoint['id']}/").status_code == 204
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    verified_change()
    deliver_due()
    assert len(receiver.requests) == 1
    assert partner_api.get("/api/v1/webhooks/").json()["results"] == []


def test_unverified_changes_send_nothing_and_a_withdrawal_sends_its_tombstone(partner_api, receiver):
    register(partner_api, receiver)
    unverified = IncidentFactory()
    incident_withdraw(incident=unverified, by=ReviewerFactory(), note="never happened")
    assert deliver_due() == 0
    verified = verified_change()
    incident_withdraw(incident=verified, by=ReviewerFactory(), note="misattributed")
    deliver_due()
    assert [json.loads(r.body)["type"] for r in receiver.requests] == ["incident.verified", "incident.withdrawn"]
    assert json.loads(receiver.requests[1].body)["data"]["status"] == "withdrawn"


def test_aggregates_updated_names_the_days_and_areas(partner_api, receiver):
    register(partner_api, receiver, events=["aggregates.updated"])
    incident = verified_change()
    deliver_due()
    (request,) = receiver.requests
    data = json.loads(request.body)["data"]
    assert data["admin1"] == [incident.admin1_id] and data["url"] == "/api/v1/aggregates/daily/"


def test_during_a_rotation_both_secrets_verify(partner_api, receiver):
    old = register(partner_api, receiver)["secret"]
    new = webhook_endpoint_rotate_secret(endpoint=WebhookEndpoint.objects.get())
    verified_change()
    deliver_due()
    (request,) = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(request.body, request.headers)
    Webhook(new).verify(request.body, request.headers)


def test_the_delivery_log_and_redelivery_through_the_api(partner_api, receiver):
    endpoint = register(partner_api, receiver)
    verified_change()
    deliver_due()
    log = partner_api.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries/").json()
    assert [(d["event"], d["attempts"], d["status_code"]) for d in log] == [("incident.verified", 1, 200)]
    assert log[0]["event_id"] == receiver.requests[0].headers["webhook-id"]
    answer = partner_api.post(f"/api/v1/webhooks/{endpoint['id']}/deliveries/{log[0]['id']}/redeliver/")
    assert answer.status_code == 202
    deliver_due()
    assert [r.headers["webhook-id"] for r in receiver.requests] == [log[0]["event_id"]] * 2


def test_another_partners_endpoint_is_a_404_and_the_secret_is_shown_once(partner_api, receiver):
    endpoint = register(partner_api, receiver)
    assert "secret" not in partner_api.get("/api/v1/webhooks/").json()["results"][0]
    other = keyed_client(
        api_key_issue(name="x", scopes=["webhooks:manage"], organisation=PartnerOrganisationFactory()).key
    )
    assert other.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries/").status_code == 404
    assert other.delete(f"/api/v1/webhooks/{endpoint['id']}/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "http://example.org/hook",
        "ftp://example.org/hook",
    ],
)
def test_private_loopback_and_plain_http_urls_are_refused_in_production(settings, partner_org, url):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_create(organisation=partner_org, url=url, events=["incident.verified"])
    assert "url" in refused.value.message_dict


def test_a_bad_registration_is_a_400_naming_the_field(partner_api, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    answer = partner_api.post(
        "/api/v1/webhooks/", {"url": "http://127.0.0.1:9/x", "events": ["incident.exploded"]}, format="json"
    )
    assert answer.status_code == 400 and set(answer.json()["errors"]) == {"events.0"}
    answer = partner_api.post(
        "/api/v1/webhooks/", {"url": "http://127.0.0.1:9/x", "events": ["incident.verified"]}, format="json"
    )
    assert answer.status_code == 400 and "url" in answer.json()["errors"]


def test_a_key_without_webhooks_manage_is_refused(partner_org, receiver):
    reader = keyed_client(api_key_issue(name="r", scopes=["incidents:read"], organisation=partner_org).key)
    assert reader.get("/api/v1/webhooks/").status_code == 403


def test_a_delivery_given_up_after_a_day_disables_the_endpoint_after_a_day_of_failures(partner_api, receiver):
    register(partner_api, receiver)
    receiver.answers = [(500, {})]
    verified_change()
    long_ago = timezone.now() - timedelta(hours=25)
    WebhookDelivery.objects.update(created_at=long_ago)
    WebhookEndpoint.objects.update(failing_since=long_ago)
    deliver_due()
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED
    assert not WebhookEndpoint.objects.get().is_active


def test_deliveries_to_one_receiver_reuse_one_kept_connection(partner_api, receiver):
    register(partner_api, receiver)
    for _ in range(3):
        verified_change()
    deliver_due()
    assert len(receiver.requests) == 3
    assert len({r.peer for r in receiver.requests}) == 1


def test_the_address_is_checked_again_at_each_delivery_even_with_a_kept_connection(partner_api, receiver, settings):
    register(partner_api, receiver)
    verified_change()
    deliver_due()
    assert len(receiver.requests) == 1  # a connection to 127.0.0.1 is now kept
    settings.WEBHOOKS_ALLOW_LOOPBACK = False  # as in production: loopback is refused
    verified_change()
    deliver_due()
    assert len(receiver.requests) == 1
    refused = WebhookDelivery.objects.filter(status="pending").get()
    assert refused.status_code is None and "private or local" in refused.last_error


def test_one_delivery_sent_alone_leaves_the_others_due(partner_api, receiver):
    register(partner_api, receiver)
    verified_change()  # no worker in these tests: both deliveries wait
    verified_change()
    first, second = WebhookDelivery.objects.order_by("pk")
    assert webhook_deliver(delivery_id=first.pk).pk == first.pk
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get(pk=second.pk).status == DeliveryStatus.PENDING
    assert webhooks_deliver() and len(receiver.requests) == 2
