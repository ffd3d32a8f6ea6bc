"""Clients of the API as each kind of caller: a partner's key, a monitor's, a reviewer's, a session."""

import pytest
from rest_framework.test import APIClient

from incidents.api_keys import api_key_issue
from tests.factories import MonitorFactory, PartnerOrganisationFactory, ReviewerFactory

ALL_SCOPES = ["reports:write", "reports:read", "incidents:read", "aggregates:read"]


def keyed_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def partner_org(db):
    return PartnerOrganisationFactory()


@pytest.fixture
def partner_key(partner_org):
    return api_key_issue(name="sync", scopes=["incidents:read", "aggregates:read"], organisation=partner_org)


@pytest.fixture
def partner(partner_key):
    return keyed_client(partner_key.key)


@pytest.fixture
def monitor_user(db):
    return MonitorFactory()


@pytest.fixture
def monitor_api(monitor_user):
    return keyed_client(api_key_issue(name="phone", scopes=ALL_SCOPES, user=monitor_user).key)


@pytest.fixture
def reviewer_user(db):
    return ReviewerFactory()


@pytest.fixture
def reviewer_api(reviewer_user):
    return keyed_client(api_key_issue(name="desk", scopes=ALL_SCOPES, user=reviewer_user).key)
