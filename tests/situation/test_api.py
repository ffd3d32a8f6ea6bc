"""`/api/v1/situation-reports/`: the published reports, as "Contract additions" in the product design gives them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from incidents.api_keys import api_key_issue
from incidents.situation.models import SituationReport, SituationReportStatus
from incidents.situation.services import SituationReportError, situation_report_publish
from tests.api.conftest import keyed_client

pytestmark = pytest.mark.django_db
LIST = "/api/v1/situation-reports/"


def ready(coordinator, **fields) -> SituationReport:
    values = {
        "requested_by": coordinator,
        "period_start": dt.date(2025, 3, 6),
        "period_end": dt.date(2025, 3, 10),
        "areas": ["SY06", "SY10"],
        "language": "ar",
        "status": SituationReportStatus.DONE,
        "cut_off": timezone.now(),
        "html": "<!doctype html><html lang=ar><title>تقرير الوضع</title><p>internal: all reported</p></html>",
        "pdf": b"%PDF-1.7 frozen, internal",
        "partner_html": "<!doctype html><html lang=ar><title>تقرير الوضع</title><p>verified only</p></html>",
        "partner_pdf": b"%PDF-1.7 frozen",
        "figures": {"tiles": {}},
    }
    values.update(fields)
    return SituationReport.objects.create(**values)


def test_partners_list_only_published_reports_with_the_contract_fields(partner, coordinator):
    published = situation_report_publish(report=ready(coordinator), by=coordinator)
    ready(coordinator, language="en")  # ready, not published
    SituationReport.objects.create(
        requested_by=coordinator, period_start=dt.date(2025, 3, 6), period_end=dt.date(2025, 3, 10), language="en"
    )
    body = partner.get(LIST).json()
    assert [row["id"] for row in body["results"]] == [str(published.pk)]
    row = body["results"][0]
    assert set(row) == {
        "id", "period_start", "period_end", "cut_off", "areas", "language", "published_at", "html_url", "pdf_url"
    }  # fmt: skip
    assert row["areas"] == ["SY06", "SY10"] and row["language"] == "ar" and row["period_start"] == "2025-03-06"
    assert row["cut_off"].endswith("Z") and row["published_at"].endswith("Z")
    assert partner.get(f"{LIST}{published.pk}/").json() == row
    # The partners' copy (verified only), never the coordinators' one.
    html = partner.get(row["html_url"])
    assert html.status_code == 200 and "تقرير الوضع" in html.content.decode()
    assert "verified only" in html.content.decode() and "internal" not in html.content.decode()
    pdf = partner.get(row["pdf_url"])
    assert pdf["Content-Type"] == "application/pdf" and pdf.content == b"%PDF-1.7 frozen"


def test_a_report_without_a_partners_copy_is_neither_published_nor_listed(partner, coordinator):
    """A report made before there were two copies has only the coordinators' one: partners never get it."""
    old = ready(coordinator, partner_html="", partner_pdf=b"")
    with pytest.raises(SituationReportError):
        situation_report_publish(report=old, by=coordinator)
    SituationReport.objects.filter(pk=old.pk).update(published_at=timezone.now(), published_by=coordinator)
    assert partner.get(LIST).json()["results"] == []
    assert partner.get(f"{LIST}{old.pk}/html/").status_code == 404


def test_an_unpublished_report_does_not_exist_for_a_partner(partner, coordinator):
    hidden = ready(coordinator)
    for url in (f"{LIST}{hidden.pk}/", f"{LIST}{hidden.pk}/html/", f"{LIST}{hidden.pk}/pdf/", f"{LIST}not-an-id/"):
        assert partner.get(url).status_code == 404, url


def test_a_key_without_incidents_read_is_refused(partner_org, coordinator):
    situation_report_publish(report=ready(coordinator), by=coordinator)
    key = api_key_issue(name="agg", scopes=["aggregates:read"], organisation=partner_org)
    assert keyed_client(key.key).get(LIST).status_code == 403


def test_an_anonymous_caller_is_refused(client):
    assert client.get(LIST).status_code in (401, 403)


def test_only_a_ready_report_can_be_published_and_publishing_twice_changes_nothing(coordinator):
    queued = SituationReport.objects.create(
        requested_by=coordinator, period_start=dt.date(2025, 3, 6), period_end=dt.date(2025, 3, 10), language="en"
    )
    with pytest.raises(SituationReportError):
        situation_report_publish(report=queued, by=coordinator)
    report = situation_report_publish(report=ready(coordinator), by=coordinator)
    first = report.published_at
    assert situation_report_publish(report=report, by=coordinator).published_at == first


def test_the_schema_documents_the_endpoint(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert "/api/v1/situation-reports/" in schema.content.decode()


def test_a_coordinator_publishes_from_the_report_page_and_a_reviewer_may_not(admin_login, coordinator, partner):
    from django.urls import reverse

    from tests.factories import ReviewerFactory

    report = ready(coordinator)
    url = reverse("situation:report-publish", args=[report.pk])
    assert admin_login(ReviewerFactory()).post(url).status_code == 403
    assert partner.get(LIST).json()["results"] == []
    response = admin_login(coordinator).post(url)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.published_at is not None and report.published_by == coordinator
    assert [row["id"] for row in partner.get(LIST).json()["results"]] == [str(report.pk)]
