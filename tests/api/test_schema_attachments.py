"""Attachments are served with the content type the schema documents for them (schemathesis checks it).

The schemathesis run over every operation (test_schemathesis.py) only meets attachments that do not
exist; here a real photo or PDF is uploaded through the API and fetched through the schema's own
operation, with schemathesis' content-type, body and status checks.
"""

import pytest
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from incidents.api_keys import api_key_issue
from tests.api.conftest import ALL_SCOPES, keyed_client
from tests.api.test_schemathesis import keep_connection, schema  # noqa: F401 — the fixture, asked for by name
from tests.factories import ReportFactory, ReviewerFactory
from tests.reports.attachment_files import jpeg_with_gps, pdf_with_author, png_with_text, webp_with_gps

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance, status_code_conformance]


@pytest.mark.parametrize(
    ("make", "content_type"),
    [
        (jpeg_with_gps, "image/jpeg"),
        (png_with_text, "image/png"),
        (webp_with_gps, "image/webp"),
        (pdf_with_author, "application/pdf"),
    ],
)
@pytest.mark.parametrize("role", ["monitor", "reviewer"])
def test_an_attachment_is_served_as_the_schema_says(request, monitor_user, make, content_type, role):
    from django.core.files.uploadedfile import SimpleUploadedFile

    report = ReportFactory(monitor=monitor_user)
    monitor_key = api_key_issue(name="phone", scopes=ALL_SCOPES, user=monitor_user).key
    upload = keyed_client(monitor_key).post(
        f"/api/v1/reports/{report.pk}/attachments/",
        {"file": SimpleUploadedFile("x", make(), content_type="application/octet-stream")},
        format="multipart",
    )
    assert upload.status_code == 201, upload.content
    # After the test client's request (which puts back Django's closing of connections around requests).
    request.getfixturevalue("keep_connection")
    key = (
        monitor_key if role == "monitor" else api_key_issue(name="desk", scopes=ALL_SCOPES, user=ReviewerFactory()).key
    )
    case = schema["/api/v1/attachments/{id}/"]["GET"].Case(
        path_parameters={"id": upload.json()["id"]}, headers={"Authorization": f"Bearer {key}"}
    )
    response = case.call_and_validate(checks=CHECKS)
    assert {name.lower(): value for name, value in response.headers.items()}["content-type"] == [content_type]
