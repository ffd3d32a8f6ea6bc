"""Reviewers' merge and split through the API, and partners' aggregates adding up to their incident list."""

import uuid
from decimal import Decimal

import pytest

from incidents.models import DailyAggregate, Incident
from incidents.services import aggregates_rebuild
from tests.factories import IncidentCasualtyFactory, IncidentFactory, ReportFactory, VerifiedIncidentFactory

pytestmark = pytest.mark.django_db


def post(client, url, **body):
    return client.post(url, data=body, format="json")


def test_a_reviewer_merges_an_incident_and_partners_see_the_tombstone(reviewer_api, partner):
    target = VerifiedIncidentFactory()
    absorbed = VerifiedIncidentFactory()
    report = ReportFactory(incident=absorbed)
    response = post(reviewer_api, f"/api/v1/incidents/{absorbed.pk}/merge/", into=str(target.pk), note="Same event")
    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(target.pk)
    assert report.__class__.objects.get(pk=report.pk).incident_id == target.pk
    tombstone = partner.get(f"/api/v1/incidents/{absorbed.pk}/").json()
    assert (tombstone["status"], tombstone["merged_into"]) == ("merged", str(target.pk))


def test_merging_into_a_missing_incident_is_a_400_naming_it(reviewer_api):
    incident = IncidentFactory()
    response = post(reviewer_api, f"/api/v1/incidents/{incident.pk}/merge/", into=str(uuid.uuid4()))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["into"]


def test_merging_an_incident_into_itself_is_refused(reviewer_api):
    incident = IncidentFactory()
    response = post(reviewer_api, f"/api/v1/incidents/{incident.pk}/merge/", into=str(incident.pk))
    assert response.status_code == 400
    assert Incident.objects.get(pk=incident.pk).status == "unverified"


def test_merging_a_tombstone_again_is_a_409(reviewer_api):
    target = IncidentFactory()
    gone = IncidentFactory(status="merged", merged_into=target)
    response = post(reviewer_api, f"/api/v1/incidents/{gone.pk}/merge/", into=str(IncidentFactory().pk))
    assert response.status_code == 409


def test_a_reviewer_splits_reports_off_into_a_new_incident(reviewer_api):
    incident = IncidentFactory()
    staying, leaving = ReportFactory(incident=incident), ReportFactory(incident=incident)
    response = post(reviewer_api, f"/api/v1/incidents/{incident.pk}/split/", report_ids=[str(leaving.pk)])
    assert response.status_code == 201, response.content
    new_id = response.json()["id"]
    assert new_id != str(incident.pk)
    assert leaving.__class__.objects.get(pk=leaving.pk).incident_id == uuid.UUID(new_id)
    assert staying.__class__.objects.get(pk=staying.pk).incident_id == incident.pk


def test_splitting_every_report_off_is_a_400(reviewer_api):
    incident = IncidentFactory()
    only = ReportFactory(incident=incident)
    response = post(reviewer_api, f"/api/v1/incidents/{incident.pk}/split/", report_ids=[str(only.pk)])
    assert response.status_code == 400
    assert "report_ids" in response.json()["errors"]


def test_partners_and_monitors_cannot_merge_or_split(partner, monitor_api):
    a, b = VerifiedIncidentFactory(), VerifiedIncidentFactory()
    for client in (partner, monitor_api):
        assert post(client, f"/api/v1/incidents/{a.pk}/merge/", into=str(b.pk)).status_code == 403
        assert post(client, f"/api/v1/incidents/{a.pk}/split/", report_ids=[str(uuid.uuid4())]).status_code == 403
    assert Incident.objects.get(pk=a.pk).status == "verified"


def test_a_partners_aggregates_add_up_to_its_incident_list(partner):
    """Verified incidents only, each once, with the incidents' own estimates."""
    for killed, injured, admin2 in ((10, 2, "SY0602"), (3, 0, "SY0602"), (7, 5, "SY0604")):
        incident = VerifiedIncidentFactory(admin2_id=admin2, latitude=Decimal("35.1"), longitude=Decimal("35.9"))
        IncidentCasualtyFactory(incident=incident, low=killed, best=killed + 1, high=killed + 4)
        IncidentCasualtyFactory(incident=incident, group="unknown", low=1, best=1, high=2)
        IncidentCasualtyFactory(incident=incident, kind="injured", low=injured, best=injured, high=injured + 1)
    unverified = IncidentFactory()
    IncidentCasualtyFactory(incident=unverified, low=100, best=100, high=100)
    survivor = Incident.objects.filter(status="verified").first()
    gone = VerifiedIncidentFactory(status="merged", merged_into=survivor)  # a tombstone: listed, never counted
    IncidentCasualtyFactory(incident=gone, low=50, best=50, high=50)
    aggregates_rebuild()
    assert DailyAggregate.objects.filter(verified=False).exists()  # the unverified one is counted, for reviewers

    incidents = [row for row in _all(partner, "/api/v1/incidents/") if row["status"] == "verified"]
    rows = _all(partner, "/api/v1/aggregates/daily/")
    assert sum(row["incidents"] for row in rows) == len(incidents) == 3
    for kind in ("killed", "injured"):
        for measure in ("low", "best", "high"):
            from_incidents = sum(c[measure] for i in incidents for c in i["casualties"] if c["kind"] == kind)
            assert sum(row[f"{kind}_{measure}"] for row in rows) == from_incidents, (kind, measure)


def _all(client, url):
    rows = []
    while url:
        page = client.get(url).json()
        rows += page["results"]
        url = page["next"]
    return rows
