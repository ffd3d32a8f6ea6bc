"""POST/GET /api/v1/reports/: the contract's fields, idempotent submission, scoping, filters."""

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client

from incidents.api_keys import api_key_issue
from reports.models import Report
from tests.api.conftest import ALL_SCOPES, keyed_client
from tests.factories import IncidentFactory, MonitorFactory, ReportFactory

pytestmark = pytest.mark.django_db

REPORT_FIELDS = {
    "id",
    "category",
    "occurred_at",
    "occurred_until",
    "time_precision",
    "admin1",
    "admin2",
    "place_name",
    "latitude",
    "longitude",
    "geo_precision",
    "title",
    "narrative",
    "language",
    "casualties",
    "perpetrator",
    "source_type",
    "source_reliability",
    "info_credibility",
    "service",
    "outage_restored_at",
    "status",
    "review_note",
    "incident",
    "received_at",
}


def body(**overrides):
    data = {
        "id": str(uuid.uuid4()),
        "category": "execution",
        "occurred_at": "2025-03-07T09:30:00+03:00",
        "admin1": "SY06",
        "place_name": "Al-Qardaha",
        "latitude": 35.4545,
        "longitude": 35.9991,
        "title": "Three men shot outside their homes",
        "narrative": "Witnesses in hiding describe gunmen going house to house.",
        "language": "en",
        "source_type": "eyewitness",
        "source_reliability": "B",
        "info_credibility": 2,
        "source_notes": "Cousin of one victim; reachable through the Jableh network only.",
        "casualties": [{"kind": "killed", "group": "civilian", "low": 3, "high": 4}],
    }
    data.update(overrides)
    return data


def post(client, data):
    return client.post("/api/v1/reports/", data=json.dumps(data), content_type="application/json")


def test_a_new_report_is_created_and_read_back_with_the_contract_fields(monitor_api):
    data = body()
    response = post(monitor_api, data)
    assert response.status_code == 201, response.json()
    report = response.json()
    assert set(report) == REPORT_FIELDS
    assert report["id"] == data["id"]
    assert report["occurred_at"] == "2025-03-07T06:30:00Z"
    assert report["admin2"] == "SY0604"  # resolved from the place name
    assert report["latitude"] == 35.4545 and report["geo_precision"] == 1
    assert report["casualties"] == [{"kind": "killed", "group": "civilian", "low": 3, "high": 4, "scope": "incident"}]
    assert report["status"] == "submitted" and report["incident"] is None and report["review_note"] is None
    assert response["Location"] == f"/api/v1/reports/{data['id']}/"
    assert Report.objects.get(pk=data["id"]).source_notes.startswith("Cousin")


def test_the_confidential_source_notes_are_never_returned(monitor_api, reviewer_api):
    data = body()
    post(monitor_api, data)
    for client in (monitor_api, reviewer_api):
        text = client.get(f"/api/v1/reports/{data['id']}/").content.decode()
        assert "Cousin" not in text and "source_notes" not in text
        assert "Cousin" not in client.get("/api/v1/reports/").content.decode()


def test_replayed_submission_returns_200_with_the_same_body_as_the_first_answer(monitor_api):
    data = body()
    first = post(monitor_api, data)
    # The same instant written in UTC, keys in another order: the same submission.
    replay = post(monitor_api, {**dict(reversed(list(data.items()))), "occurred_at": "2025-03-07T06:30:00Z"})
    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json() == first.json()
    assert Report.objects.count() == 1


def test_the_same_id_with_another_body_is_409_and_changes_nothing(monitor_api):
    data = body()
    post(monitor_api, data)
    response = post(monitor_api, {**data, "title": "Something else"})
    assert response.status_code == 409
    assert set(response.json()["errors"]) == {"id"}
    assert Report.objects.get(pk=data["id"]).title == "Three men shot outside their homes"


def test_another_monitor_reusing_an_id_is_409(monitor_api):
    data = body()
    post(monitor_api, data)
    other = keyed_client(api_key_issue(name="x", scopes=ALL_SCOPES, user=MonitorFactory()).key)
    assert post(other, data).status_code == 409


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id": "not-a-uuid"}, "id"),
        ({"occurred_at": "2025-03-07T09:30:00"}, "occurred_at"),  # no offset
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": 1741329000}, "occurred_at"),
        ({"category": "weather"}, "category"),
        ({"admin1": "SY.14"}, "admin1"),
        ({"admin2": "SY1002"}, "admin2"),
        ({"latitude": "north"}, "latitude"),
        ({"latitude": 91}, "latitude"),
        ({"longitude": None}, "longitude"),
        ({"time_precision": 4}, "time_precision"),
        ({"info_credibility": "very"}, "info_credibility"),
        ({"source_type": "rumour"}, "source_type"),
        ({"title": "x" * 201}, "title"),
        ({"title": ""}, "title"),
        ({"language": "not a tag!"}, "language"),
        ({"service": "water"}, "service"),
        ({"casualties": [{"kind": "killed", "group": "civilian", "low": 5, "high": 2}]}, "casualties"),
        ({"casualties": [{"kind": "eaten", "group": "civilian", "low": 1, "high": 2}]}, "casualties.0.kind"),
        ({"casualties": [{"kind": "killed", "group": "civilian", "low": -1, "high": 2}]}, "casualties.0.low"),
        ({"casualties": "three"}, "casualties"),
        ({"colour": "red"}, "colour"),
        ({"title": "a\x00b"}, "title"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_stored(monitor_api, overrides, field):
    response = post(monitor_api, body(**overrides))
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Must be between -90 and 90."), ("ar", "يجب أن يكون بين -90 و90.")],
)
def test_a_coordinate_out_of_range_says_the_range_in_the_callers_language(monitor_api, language, message):
    response = monitor_api.post(
        "/api/v1/reports/", data=json.dumps(body(latitude=91)), content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"]["latitude"] == [message]


def test_a_missing_required_field_is_named(monitor_api):
    data = body()
    del data["source_type"], data["title"]
    response = post(monitor_api, data)
    assert response.status_code == 400
    assert {"source_type", "title"} <= set(response.json()["errors"])


@pytest.mark.parametrize(
    "raw",
    [b"{", b"[]", b'"text"', b"null", b'{"id": NaN}', b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000],
)
def test_a_body_that_is_not_a_json_object_is_a_400(monitor_api, raw):
    response = monitor_api.post("/api/v1/reports/", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert "errors" in response.json()


def test_a_huge_body_is_refused_with_413(monitor_api, settings):
    settings.API_MAX_JSON_BYTES = 10_000
    response = post(monitor_api, body(narrative="x" * 20_000))
    assert response.status_code == 413
    assert Report.objects.count() == 0


def test_a_form_encoded_body_is_415(monitor_api):
    response = monitor_api.post("/api/v1/reports/", data={"title": "x"}, format="multipart")
    assert response.status_code == 415


def test_only_monitors_submit(reviewer_api, partner):
    assert post(reviewer_api, body()).status_code == 403
    assert post(partner, body()).status_code == 403


def test_a_monitor_lists_only_its_own_reports_and_a_reviewer_all(monitor_api, monitor_user, reviewer_api):
    own = ReportFactory(monitor=monitor_user)
    ReportFactory()
    assert [r["id"] for r in monitor_api.get("/api/v1/reports/").json()["results"]] == [str(own.pk)]
    assert len(reviewer_api.get("/api/v1/reports/").json()["results"]) == 2


def test_another_monitors_report_is_the_same_404_as_a_missing_one(monitor_api):
    others = ReportFactory()
    hidden = monitor_api.get(f"/api/v1/reports/{others.pk}/")
    missing = monitor_api.get(f"/api/v1/reports/{uuid.uuid4()}/")
    malformed = monitor_api.get("/api/v1/reports/not-a-uuid/")
    assert hidden.status_code == missing.status_code == malformed.status_code == 404
    assert hidden.content == missing.content == malformed.content


def test_a_partner_never_reads_reports(partner):
    report = ReportFactory()
    assert partner.get("/api/v1/reports/").status_code == 403
    assert partner.get(f"/api/v1/reports/{report.pk}/").status_code == 403


def test_the_review_state_and_note_are_shown_to_the_monitor(monitor_api, monitor_user):
    report = ReportFactory(monitor=monitor_user, status="needs_info", review_note="Which street?")
    data = monitor_api.get(f"/api/v1/reports/{report.pk}/").json()
    assert (data["status"], data["review_note"]) == ("needs_info", "Which street?")


# --- filters: one test each, and a 400 naming the parameter for a bad value --------------


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_filter_reports_by_status(reviewer_api):
    verified = ReportFactory(status="verified")
    ReportFactory(status="submitted")
    assert ids(reviewer_api.get("/api/v1/reports/?status=verified")) == {str(verified.pk)}


def test_filter_reports_by_category(reviewer_api):
    arson = ReportFactory(category_id="arson")
    ReportFactory(category_id="killing")
    assert ids(reviewer_api.get("/api/v1/reports/?category=arson")) == {str(arson.pk)}


def test_filter_reports_by_admin1(reviewer_api):
    tartous = ReportFactory(admin1_id="SY10", admin2_id="SY1002")
    ReportFactory()
    assert ids(reviewer_api.get("/api/v1/reports/?admin1=SY10")) == {str(tartous.pk)}


def test_filter_reports_by_incident(reviewer_api):
    incident = IncidentFactory()
    grouped = ReportFactory(incident=incident)
    ReportFactory()
    assert ids(reviewer_api.get(f"/api/v1/reports/?incident={incident.pk}")) == {str(grouped.pk)}


def test_filter_reports_by_submitted_after(reviewer_api):
    old = ReportFactory()
    Report.objects.filter(pk=old.pk).update(received_at=datetime(2025, 3, 1, tzinfo=UTC))
    new = ReportFactory()
    assert ids(reviewer_api.get("/api/v1/reports/?submitted_after=2025-03-05")) == {str(new.pk)}


def test_a_filter_only_narrows_a_monitors_scope(monitor_api):
    ReportFactory(status="verified")  # another monitor's
    assert ids(monitor_api.get("/api/v1/reports/?status=verified")) == set()


@pytest.mark.parametrize(
    "query",
    [
        "status=lost",
        "category=weather",
        "admin1=SY99",
        "incident=not-a-uuid",
        "submitted_after=last-week",
        "page_size=0",
        "cursor=%%%",
    ],
)
def test_an_invalid_report_filter_is_a_400_naming_the_parameter(reviewer_api, query):
    response = reviewer_api.get(f"/api/v1/reports/?{query}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [query.split("=")[0]]


def test_reports_are_paged_with_a_next_link_to_the_end(reviewer_api):
    created = {str(ReportFactory().pk) for _ in range(7)}
    seen, url = [], "/api/v1/reports/?page_size=3"
    while url:
        page = reviewer_api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(created) and len(seen) == 7


@pytest.mark.django_db(transaction=True)
def test_a_hundred_concurrent_identical_submissions_store_one_report():
    monitor = MonitorFactory()
    key = api_key_issue(name="phone", scopes=ALL_SCOPES, user=monitor).key
    data = json.dumps(body())
    threads_count, per_thread = 25, 4  # 100 submissions; 25 connections at once
    barrier = threading.Barrier(threads_count)
    statuses: list[int] = []
    bodies: list[str] = []

    def submit():
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        try:
            barrier.wait()
            for _ in range(per_thread):
                response = client.post("/api/v1/reports/", data=data, content_type="application/json")
                statuses.append(response.status_code)
                payload = response.json()
                payload.pop("status")
                payload.pop("incident")  # set by the pipeline (in-process here) once the first one is processed
                bodies.append(json.dumps(payload, sort_keys=True))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 99 + [201]
    assert len(set(bodies)) == 1
    assert Report.objects.count() == 1


def test_times_are_read_back_in_utc_whatever_the_offset_sent(monitor_api):
    data = body(occurred_at="2025-03-07T23:30:00-02:00", occurred_until="2025-03-08T02:00:00+00:00")
    report = post(monitor_api, data).json()
    assert report["occurred_at"] == "2025-03-08T01:30:00Z"
    assert report["occurred_until"] == "2025-03-08T02:00:00Z"
    assert datetime.fromisoformat(report["received_at"]) > datetime.now(UTC) - timedelta(minutes=5)


def test_a_new_submission_is_written_without_reading_the_report_table_and_in_few_round_trips(monitor_api):
    """No existence check before the insert, no re-read after the commit; one look-up for both areas."""
    import uuid

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monitor_api.get("/api/v1/categories/")
    body = {
        "id": str(uuid.uuid4()),
        "category": "looting",
        "occurred_at": "2025-03-07T09:30:00+03:00",
        "admin1": "SY06",
        "admin2": "SY0602",
        "title": "Shops looted on the main street",
        "source_type": "eyewitness",
        "casualties": [{"kind": "injured", "group": "civilian", "low": 1, "high": 2}],
    }
    with CaptureQueriesContext(connection) as queries:
        response = monitor_api.post("/api/v1/reports/", body, format="json")
    assert response.status_code == 201
    statements = [query["sql"] for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]]
    assert not [sql for sql in statements if sql.startswith("SELECT") and 'FROM "reports_report"' in sql]
    assert len([sql for sql in statements if 'FROM "reports_area"' in sql]) == 1
    assert len(statements) <= 7  # key, role, category, areas; the report, its history row, its casualties


def test_a_submission_from_a_key_already_seen_is_the_key_and_three_inserts(monitor_api):
    """The key's look-up brings its user's roles; categories and areas come from the process's copy."""
    from django.test.utils import CaptureQueriesContext

    assert post(monitor_api, body()).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        response = post(monitor_api, body())
    assert response.status_code == 201
    statements = [query["sql"] for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]]
    assert [sql.split(" ", 3)[:3] for sql in statements] == [
        ["SELECT", 'k."id",', 'k."name",'],  # incidents/api_keys.py: _find_statement
        ["INSERT", "INTO", '"reports_report"'],
        ["INSERT", "INTO", '"reports_historicalreport"'],
        ["INSERT", "INTO", '"reports_reportcasualty"'],
    ]


def test_a_role_taken_away_counts_at_the_next_request_of_its_key(monitor_api, monitor_user):
    assert post(monitor_api, body()).status_code == 201
    monitor_user.groups.clear()
    assert post(monitor_api, body()).status_code == 403
