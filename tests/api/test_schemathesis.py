"""Schemathesis against our own OpenAPI schema: each operation, as each role, no 500 and no schema violation.

Bounded: a few examples per operation and role (`SCHEMATHESIS_EXAMPLES`, default 10), in-process
through the WSGI application on the test database.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from incidents.api_keys import api_key_issue
from tests.factories import (
    DailyAggregateFactory,
    IncidentCasualtyFactory,
    MonitorFactory,
    PartnerOrganisationFactory,
    ReportFactory,
    ReviewerFactory,
    VerifiedIncidentFactory,
)

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
ALL_SCOPES = ["reports:write", "reports:read", "incidents:read", "aggregates:read"]


@pytest.fixture
def keep_connection():
    """The WSGI handler closes the database connection around each request; the test's transaction needs it."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def bearer(request, db, keep_connection):
    """A key of the role under test, and some data for it to see."""
    IncidentCasualtyFactory()
    VerifiedIncidentFactory(status="withdrawn")  # a bare tombstone in the lists
    DailyAggregateFactory()
    role = request.param
    if role == "partner":
        key = api_key_issue(
            name="k", scopes=["incidents:read", "aggregates:read"], organisation=PartnerOrganisationFactory()
        )
    else:
        user = MonitorFactory() if role == "monitor" else ReviewerFactory()
        ReportFactory(monitor=user if role == "monitor" else MonitorFactory())
        key = api_key_issue(name="k", scopes=ALL_SCOPES, user=user)
    return {"Authorization": f"Bearer {key.key}"}


@pytest.mark.slow
@pytest.mark.parametrize("bearer", ["partner", "monitor", "reviewer"], indirect=True)
@schema.exclude(path_regex=r"/(schema|docs)/").parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
)
def test_the_api_honours_its_schema_for_every_role(case, bearer):
    case.call_and_validate(
        headers=bearer,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance],
    )
