"""The demo register (reports/demo.py) through the real pipeline, and the API's own sums to compare with."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from incidents.api_keys import api_key_issue
from incidents.models import Incident
from tests.api.conftest import keyed_client, partner, partner_key, partner_org  # noqa: F401 — fixtures shared with the API's tests
from tests.factories import PartnerOrganisationFactory, ReviewerFactory

PERIOD = {"date_from": "2025-03-06", "date_to": "2025-03-10"}


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    """The coast, 6–10 March 2025: 41 reports through the pipeline, some verified, a cumulative claim, outages."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    assert Incident.objects.filter(status="verified").exists()


@pytest.fixture
def partner_api(db):
    key = api_key_issue(
        name="sync", scopes=["incidents:read", "aggregates:read"], organisation=PartnerOrganisationFactory()
    )
    return keyed_client(key.key)


@pytest.fixture
def reviewer_api(db):
    key = api_key_issue(name="desk", scopes=["incidents:read", "aggregates:read"], user=ReviewerFactory())
    return keyed_client(key.key)


def all_pages(client, url: str, params: dict) -> list[dict]:
    rows, response = [], client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if not body.get("next"):
            return rows
        response = client.get(body["next"])


def api_params(filters: dict) -> tuple[dict, dict]:
    """The dashboard's filters as the incidents and the aggregates endpoints spell them."""
    incidents = {"occurred_after": filters["date_from"], "occurred_before": filters["date_to"], "page_size": 1000}
    aggregates = {"date_after": filters["date_from"], "date_before": filters["date_to"], "page_size": 1000}
    for name in ("admin1", "admin2"):
        if filters.get(name):
            incidents[name] = aggregates[name] = filters[name]
    if filters.get("category"):
        incidents["category"] = aggregates["category"] = filters["category"]
    return incidents, aggregates


def incident_sums(incidents: list[dict]) -> dict:
    """What a list of incidents adds up to: their number and, per kind, low/best/high over every group."""
    live = [i for i in incidents if i["status"] in ("verified", "unverified")]
    sums: dict = {"incidents": len(live)}
    for kind in ("killed", "injured", "abducted", "detained"):
        sums[kind] = {
            end: sum(c[end] for i in live for c in i["casualties"] if c["kind"] == kind)
            for end in ("low", "best", "high")
        }
    return sums
