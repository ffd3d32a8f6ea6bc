"""GET /api/v1/incidents/: partners see verified incidents (and tombstones), redacted; filters; incremental sync."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from incidents.models import Incident
from tests.api.conftest import keyed_client
from tests.factories import (
    IncidentCasualtyFactory,
    IncidentFactory,
    MonitorFactory,
    ReportFactory,
    VerifiedIncidentFactory,
)

pytestmark = pytest.mark.django_db

INCIDENT_FIELDS = {
    "id",
    "status",
    "merged_into",
    "category",
    "occurred_from",
    "occurred_to",
    "time_precision",
    "admin1",
    "admin1_name",
    "admin2",
    "admin2_name",
    "place_name",
    "latitude",
    "longitude",
    "geo_precision",
    "title",
    "summary",
    "casualties",
    "report_count",
    "source_count",
    "sources_disagree",
    "first_reported_at",
    "updated_at",
}


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_an_incident_has_exactly_the_contract_fields(partner):
    incident = VerifiedIncidentFactory(place_name="Jableh")
    IncidentCasualtyFactory(incident=incident, best_override=5, override_note="Hospital list", low=3, best=5, high=6)
    IncidentCasualtyFactory(incident=incident, kind="injured", low=1, best=2, high=2)
    row = partner.get(f"/api/v1/incidents/{incident.pk}/").json()
    assert set(row) == INCIDENT_FIELDS
    assert row["status"] == "verified" and row["merged_into"] is None
    assert (row["admin1"], row["admin1_name"], row["admin2"], row["admin2_name"]) == (
        "SY06",
        "Lattakia",
        "SY0602",
        "Jablah",
    )
    assert row["latitude"] == 35.3611 and row["longitude"] == 35.9256
    assert row["occurred_from"] == "2025-03-07T09:00:00Z"
    assert row["casualties"] == [
        {"kind": "injured", "group": "civilian", "low": 1, "best": 2, "high": 2},
        {"kind": "killed", "group": "civilian", "low": 3, "best": 5, "high": 6},  # the reviewer's override
    ]


def test_a_partner_sees_verified_incidents_and_tombstones_of_once_verified_ones_only(partner):
    verified = VerifiedIncidentFactory()
    IncidentFactory(status="unverified")
    withdrawn = VerifiedIncidentFactory(status="withdrawn")
    merged = VerifiedIncidentFactory(status="merged", merged_into=verified)
    IncidentFactory(status="withdrawn")  # never verified: never shown
    IncidentFactory(status="merged", merged_into=verified)
    rows = {row["id"]: row for row in partner.get("/api/v1/incidents/").json()["results"]}
    assert set(rows) == {str(verified.pk), str(withdrawn.pk), str(merged.pk)}
    assert rows[str(merged.pk)]["status"] == "merged"
    assert rows[str(merged.pk)]["merged_into"] == str(verified.pk)
    assert rows[str(withdrawn.pk)]["status"] == "withdrawn"


def test_an_unverified_incident_is_the_same_404_for_a_partner_as_a_missing_one(partner):
    unverified = IncidentFactory()
    hidden = partner.get(f"/api/v1/incidents/{unverified.pk}/")
    missing = partner.get(f"/api/v1/incidents/{uuid.uuid4()}/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_a_reviewer_sees_incidents_in_every_state(reviewer_api):
    made = {str(IncidentFactory(status=state).pk) for state in ("unverified", "verified", "withdrawn")}
    assert ids(reviewer_api.get("/api/v1/incidents/")) == made


def test_a_monitor_sees_incidents_as_a_partner_does(monitor_api):
    verified = VerifiedIncidentFactory()
    IncidentFactory()
    assert ids(monitor_api.get("/api/v1/incidents/")) == {str(verified.pk)}


def test_nothing_a_partner_reads_names_a_monitor_or_a_source(partner):
    monitor = MonitorFactory(username="rana.monitor", first_name="Rana", email="rana@example.org")
    incident = VerifiedIncidentFactory(summary="Three killed at the market.")
    ReportFactory(
        monitor=monitor,
        incident=incident,
        status="verified",
        source_notes="Abu Ali, the baker, phone 0933",
        narrative="My neighbour Abu Ali saw it",
    )
    IncidentCasualtyFactory(incident=incident)
    for url in (
        "/api/v1/incidents/",
        f"/api/v1/incidents/{incident.pk}/",
        "/api/v1/incidents/?format=csv",
        "/api/v1/incidents/?format=hxl",
        "/api/v1/incidents/?format=geojson",
    ):
        response = partner.get(url)
        text = b"".join(response.streaming_content) if response.streaming else response.content
        text = text.decode()
        for secret in ("rana", "Rana", "Abu Ali", "0933", "neighbour", "source_notes", "monitor", "narrative"):
            assert secret not in text, (url, secret)


# --- filters: one test each ------------------------------------------------------------


def test_filter_incidents_by_category_repeatable(partner):
    killing = VerifiedIncidentFactory(category_id="killing")
    arson = VerifiedIncidentFactory(category_id="arson")
    VerifiedIncidentFactory(category_id="looting")
    assert ids(partner.get("/api/v1/incidents/?category=arson")) == {str(arson.pk)}
    assert ids(partner.get("/api/v1/incidents/?category=arson&category=killing")) == {str(arson.pk), str(killing.pk)}


def test_filter_incidents_by_admin1(partner):
    tartous = VerifiedIncidentFactory(admin1_id="SY10", admin2_id="SY1002")
    VerifiedIncidentFactory()
    assert ids(partner.get("/api/v1/incidents/?admin1=SY10")) == {str(tartous.pk)}


def test_filter_incidents_by_admin2(partner):
    qardaha = VerifiedIncidentFactory(admin2_id="SY0604")
    VerifiedIncidentFactory(admin2_id="SY0602")
    assert ids(partner.get("/api/v1/incidents/?admin2=SY0604")) == {str(qardaha.pk)}


def test_filter_incidents_by_occurred_after(partner):
    later = VerifiedIncidentFactory(occurred_from=datetime(2025, 3, 8, 10, tzinfo=UTC))
    VerifiedIncidentFactory(occurred_from=datetime(2025, 3, 6, 10, tzinfo=UTC))
    assert ids(partner.get("/api/v1/incidents/?occurred_after=2025-03-07")) == {str(later.pk)}
    assert ids(partner.get("/api/v1/incidents/?occurred_after=2025-03-08T13:00:00%2B03:00")) == {str(later.pk)}
    assert ids(partner.get("/api/v1/incidents/?occurred_after=2025-03-08T13:00:01%2B03:00")) == set()


def test_filter_incidents_by_occurred_before(partner):
    earlier = VerifiedIncidentFactory(occurred_from=datetime(2025, 3, 6, 10, tzinfo=UTC))
    VerifiedIncidentFactory(occurred_from=datetime(2025, 3, 8, 10, tzinfo=UTC))
    # A date means the whole day, in Asia/Damascus.
    assert ids(partner.get("/api/v1/incidents/?occurred_before=2025-03-06")) == {str(earlier.pk)}
    assert ids(partner.get("/api/v1/incidents/?occurred_before=2025-03-06T10:00:00Z")) == {str(earlier.pk)}


def test_filter_incidents_by_updated_after(partner):
    old = VerifiedIncidentFactory()
    Incident.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=2))
    recent = VerifiedIncidentFactory()
    since = (timezone.now() - timedelta(days=1)).isoformat().replace("+", "%2B")
    assert ids(partner.get(f"/api/v1/incidents/?updated_after={since}")) == {str(recent.pk)}


def test_filter_incidents_by_bbox(partner):
    jableh = VerifiedIncidentFactory(latitude=Decimal("35.3611"), longitude=Decimal("35.9256"))
    VerifiedIncidentFactory(latitude=Decimal("34.8890"), longitude=Decimal("35.8866"))  # Tartous
    VerifiedIncidentFactory(latitude=None, longitude=None)
    assert ids(partner.get("/api/v1/incidents/?bbox=35.8,35.3,36.0,35.4")) == {str(jableh.pk)}


def test_filter_incidents_by_status(partner, reviewer_api):
    verified = VerifiedIncidentFactory()
    withdrawn = VerifiedIncidentFactory(status="withdrawn")
    unverified = IncidentFactory()
    assert ids(partner.get("/api/v1/incidents/?status=withdrawn")) == {str(withdrawn.pk)}
    # A filter only narrows the scope: a partner asking for unverified gets nothing.
    assert ids(partner.get("/api/v1/incidents/?status=unverified")) == set()
    assert ids(reviewer_api.get("/api/v1/incidents/?status=unverified")) == {str(unverified.pk)}
    assert str(verified.pk) not in ids(partner.get("/api/v1/incidents/?status=merged"))


@pytest.mark.parametrize(
    "query",
    [
        "category=weather",
        "admin1=SY0602",
        "admin2=SY06",
        "occurred_after=soon",
        "occurred_before=2025-13-01",
        "updated_after=2025-03-07T25:00:00Z",
        "bbox=1,2,3",
        "bbox=a,b,c,d",
        "bbox=36,35,35,36",
        "bbox=0,0,200,10",
        "bbox=nan,0,1,1",
        "status=deleted",
    ],
)
def test_an_invalid_incident_filter_is_a_400_naming_the_parameter(partner, query):
    response = partner.get(f"/api/v1/incidents/?{query}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [query.split("=")[0]]


def test_an_export_with_an_invalid_filter_is_a_json_400(partner):
    response = partner.get("/api/v1/incidents/?format=csv&bbox=x")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "bbox" in response.json()["errors"]


# --- incremental sync -------------------------------------------------------------------


def sync(client, since=None, page_size=2):
    url = f"/api/v1/incidents/?page_size={page_size}" + (f"&updated_after={since}" if since else "")
    rows = []
    while url:
        page = client.get(url).json()
        rows += page["results"]
        url = page["next"]
    return rows


def test_a_sync_follows_next_to_the_end_in_updated_at_order_without_repeats(partner):
    made = [VerifiedIncidentFactory() for _ in range(7)]
    rows = sync(partner, page_size=3)
    assert [row["id"] for row in rows] == [str(i.pk) for i in sorted(made, key=lambda i: (i.updated_at, str(i.pk)))]


def test_incidents_with_the_same_updated_at_are_neither_skipped_nor_repeated(partner):
    made = [VerifiedIncidentFactory() for _ in range(5)]
    same = timezone.now()
    Incident.objects.filter(pk__in=[i.pk for i in made]).update(updated_at=same)
    rows = sync(partner, page_size=2)
    assert sorted(row["id"] for row in rows) == sorted(str(i.pk) for i in made)
    assert len(rows) == 5


def test_changes_during_a_sync_are_seen_at_the_end_and_nothing_is_missed(partner):
    """Merges and withdrawals during a sync come back as tombstones; no unchanged row is skipped."""
    made = [VerifiedIncidentFactory() for _ in range(6)]
    page = partner.get("/api/v1/incidents/?page_size=2").json()
    seen = [row["id"] for row in page["results"]]
    # Meanwhile: the first seen is withdrawn, one not yet seen is merged into another, a new one is verified.
    first = Incident.objects.get(pk=seen[0])
    first.status = "withdrawn"
    first.save()
    later = Incident.objects.get(pk=made[4].pk)
    later.status, later.merged_into = "merged", made[5]
    later.save()
    newcomer = VerifiedIncidentFactory()
    url = page["next"]
    versions = {row["id"]: row for row in page["results"]}
    while url:
        page = partner.get(url).json()
        for row in page["results"]:
            seen.append(row["id"])
            versions[row["id"]] = row
        url = page["next"]
    assert set(seen) == {str(i.pk) for i in [*made, newcomer]}
    assert versions[str(first.pk)]["status"] == "withdrawn"
    assert versions[str(later.pk)]["status"] == "merged"
    assert versions[str(later.pk)]["merged_into"] == str(made[5].pk)
    # Only the incident changed after it was served comes twice (its new version).
    assert [i for i in seen if seen.count(i) > 1] == [str(first.pk), str(first.pk)]


def test_an_incremental_sync_from_the_last_updated_at_gets_only_what_changed(partner):
    for _ in range(3):
        VerifiedIncidentFactory()
    first = sync(partner)
    last = first[-1]["updated_at"]
    changed = Incident.objects.get(pk=first[0]["id"])
    changed.summary = "Figures revised after the hospital list."
    changed.save()
    again = sync(partner, since=last.replace("+", "%2B"))
    # `updated_after` is inclusive: the last row of the previous sync may come again, unchanged.
    assert str(changed.pk) in {row["id"] for row in again}
    assert {row["id"] for row in again} <= {first[-1]["id"], str(changed.pk)}


def test_a_tampered_cursor_is_a_400(partner):
    assert partner.get("/api/v1/incidents/?cursor=WyJ4Il0").status_code == 400  # ["x"]
    assert partner.get("/api/v1/incidents/?cursor=WzEsMl0").status_code == 400  # [1, 2]


def test_a_user_without_a_role_sees_nothing():
    from incidents.api_keys import api_key_issue
    from tests.factories import UserFactory

    client = keyed_client(api_key_issue(name="k", scopes=["incidents:read"], user=UserFactory()).key)
    assert client.get("/api/v1/incidents/").status_code == 403


def test_a_withdrawn_incident_reaches_partners_as_a_bare_tombstone_in_every_format(partner):
    """Withdrawn because it named a witness: a partner learns it is gone, and nothing of what it said."""
    withdrawn = VerifiedIncidentFactory(
        status="withdrawn",
        title="Abu Khaled, who hides at the mill, saw the killings",
        summary="Witness named",
        place_name="the old mill",
        latitude=Decimal("35.456100"),
        longitude=Decimal("36.059400"),
    )
    detail = partner.get(f"/api/v1/incidents/{withdrawn.pk}/").json()
    assert (detail["id"], detail["status"], detail["merged_into"]) == (str(withdrawn.pk), "withdrawn", None)
    assert detail["updated_at"]
    kept = {"id", "status", "merged_into", "updated_at"}
    assert all(value in (None, []) for name, value in detail.items() if name not in kept)
    for export in ("csv", "hxl", "geojson"):
        body = b"".join(partner.get(f"/api/v1/incidents/?format={export}").streaming_content).decode()
        assert str(withdrawn.pk) in body
        assert "Abu Khaled" not in body and "mill" not in body and "35.4561" not in body, export


# --- the JSON page written by PostgreSQL (incidents/api/json_page.py) ------------------


def test_the_json_page_written_by_postgresql_is_what_the_serializer_writes(partner, reviewer_api):
    from incidents.api.serializers import IncidentSerializer

    execution = VerifiedIncidentFactory(place_name="Jableh", title='"Quoted" \\ back\\slash\nline, اللاذقية')
    IncidentCasualtyFactory(incident=execution, group="civilian", low=10, best=12, high=20)
    IncidentCasualtyFactory(
        incident=execution, group="unknown", low=1, best=3, high=3, best_override=3, override_note="x"
    )
    IncidentCasualtyFactory(incident=execution, kind="injured", low=4, best=5, high=9)
    withdrawn = VerifiedIncidentFactory(status="withdrawn", place_name="Abu Khaled's mill", summary="named")
    IncidentCasualtyFactory(incident=withdrawn)
    VerifiedIncidentFactory(status="merged", merged_into=execution)
    VerifiedIncidentFactory(
        category_id="electricity_outage", place_name="", summary="", admin2=None, latitude=None, longitude=None
    )
    VerifiedIncidentFactory(
        occurred_from=datetime(2025, 3, 7, 9, 0, 0, 123456, tzinfo=UTC),
        occurred_to=datetime(2025, 3, 9, 21, 30, tzinfo=UTC),
        first_reported_at=None,
        latitude=Decimal("35.000000"),
        longitude=Decimal("-0.500000"),
        sources_disagree=True,
    )
    IncidentFactory(title="not verified: reviewers only")
    for api, expected in ((partner, 5), (reviewer_api, 6)):
        served = api.get("/api/v1/incidents/?page_size=1000")
        assert served.status_code == 200 and served["Content-Type"] == "application/json"
        page = served.json()
        assert page["next"] is None and len(page["results"]) == expected
        ids = [row["id"] for row in page["results"]]
        ordered = {str(incident.pk): incident for incident in Incident.objects.filter(pk__in=ids)}
        assert page["results"] == [IncidentSerializer(ordered[pk]).data for pk in ids]
        # The browsable API still goes through the serializer.
        assert api.get("/api/v1/incidents/", HTTP_ACCEPT="text/html").status_code == 200


def test_the_json_page_links_to_the_next_page_as_the_serializer_path_did(partner):
    made = VerifiedIncidentFactory.create_batch(5)
    first = partner.get("/api/v1/incidents/?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"].startswith("http://testserver/api/v1/incidents/?")
    seen = [row["id"] for row in first["results"]]
    url = first["next"]
    while url:
        page = partner.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(str(incident.pk) for incident in made) and len(seen) == 5


def test_a_category_created_after_the_filters_read_the_known_ones_is_a_valid_filter_at_once(partner):
    from reports.models import Category

    assert partner.get("/api/v1/incidents/?category=killing").status_code == 200  # the known keys are read
    assert partner.get("/api/v1/incidents/?category=sniping").status_code == 400
    # Behind the ORM's back (no signal): a key not known is looked up again, never refused from the copy.
    Category.objects.bulk_create([Category(slug="sniping", group="violence", name_en="Sniping", name_ar="قنص")])
    sniping = VerifiedIncidentFactory(category_id="sniping")
    assert ids(partner.get("/api/v1/incidents/?category=sniping&category=killing")) == {str(sniping.pk)}
