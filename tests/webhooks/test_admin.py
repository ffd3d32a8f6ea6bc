"""Coordinators register a partner's endpoint in the admin (the secret shown once) and redeliver from the log."""

from __future__ import annotations

import pytest

from incidents.services import incident_verify
from incidents.webhooks.models import WebhookDelivery, WebhookEndpoint
from incidents.webhooks.services import webhooks_dispatch
from tests.factories import IncidentFactory, PartnerOrganisationFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


def test_a_coordinator_registers_an_endpoint_sees_the_secret_once_and_redelivers(admin_login, coordinator, receiver):
    client = admin_login(coordinator)
    partner = PartnerOrganisationFactory()
    answer = client.post(
        "/admin/webhooks/webhookendpoint/add/",
        {"organisation": partner.pk, "url": receiver.url, "events": ["incident.verified"], "contact_email": ""},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    page = answer.content.decode()
    assert endpoint.secret in page and endpoint.organisation == partner
    assert endpoint.secret not in client.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/").content.decode()

    incident_verify(incident=IncidentFactory(), by=ReviewerFactory())
    webhooks_dispatch()
    delivery = WebhookDelivery.objects.get()
    client.post(
        "/admin/webhooks/webhookdelivery/",
        {"action": "redeliver_selected", "_selected_action": [delivery.pk]},
    )
    webhooks_dispatch()
    assert len(receiver.requests) == 2
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]


def test_a_reviewer_does_not_see_webhooks(admin_login, reviewer):
    assert admin_login(reviewer).get("/admin/webhooks/webhookendpoint/").status_code == 403
