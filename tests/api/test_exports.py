"""?format=csv|hxl|geojson on incidents and aggregates: streamed, scoped and filtered like the JSON list."""

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest

from tests.factories import DailyAggregateFactory, IncidentCasualtyFactory, IncidentFactory, VerifiedIncidentFactory

pytestmark = pytest.mark.django_db

HXL_TAGS = [
    "#event+id",
    "#date+start",
    "#date+end",
    "#adm1+code",
    "#adm1+name",
    "#adm2+code",
    "#adm2+name",
    "#loc+name",
    "#geo+lat",
    "#geo+lon",
    "#event+type",
    "#event+type+sub",
    "#affected+killed+min",
    "#affected+killed",
    "#affected+killed+max",
    "#affected+injured",
    "#meta+source+num",
    "#status",
    "#date+updated",
]


def content(response) -> str:
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.fixture
def execution():
    incident = VerifiedIncidentFactory(
        category_id="execution",
        occurred_from=datetime(2025, 3, 7, 22, 30, tzinfo=UTC),  # 8 March in Damascus
        place_name="Al-Mukhtariya, 'quoted, place'",
    )
    IncidentCasualtyFactory(incident=incident, group="civilian", low=10, best=12, high=20)
    IncidentCasualtyFactory(
        incident=incident, group="unknown", low=1, best=3, high=3, best_override=3, override_note="n"
    )
    IncidentCasualtyFactory(incident=incident, kind="injured", low=4, best=5, high=9)
    return incident


def test_the_hxl_export_has_the_header_then_the_hashtag_row_of_product_md(partner, execution):
    rows = list(csv.reader(io.StringIO(content(partner.get("/api/v1/incidents/?format=hxl")))))
    assert rows[1] == HXL_TAGS
    assert len(rows[0]) == len(HXL_TAGS) and rows[0][0] == "id"
    record = dict(zip(HXL_TAGS, rows[2], strict=True))
    assert record["#event+id"] == str(execution.pk)
    assert record["#date+start"] == "2025-03-08"
    assert record["#event+type"] == "Violence against civilians" and record["#event+type+sub"] == "Attack"
    assert (record["#affected+killed+min"], record["#affected+killed"], record["#affected+killed+max"]) == (
        "11",
        "15",
        "23",
    )
    assert record["#affected+injured"] == "5"
    assert record["#loc+name"] == "Al-Mukhtariya, 'quoted, place'"
    assert (record["#adm1+code"], record["#adm2+code"], record["#status"]) == ("SY06", "SY0602", "verified")
    assert len(rows) == 3


def test_the_csv_export_has_one_header_and_one_row_per_incident(partner, execution):
    response = partner.get("/api/v1/incidents/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(content(response))))
    assert [row["id"] for row in rows] == [str(execution.pk)]
    assert rows[0]["killed_best"] == "15" and rows[0]["category"] == "execution"


def test_the_geojson_export_is_a_valid_feature_collection(partner, execution):
    VerifiedIncidentFactory(latitude=None, longitude=None)
    response = partner.get("/api/v1/incidents/?format=geojson")
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(content(response))
    assert collection["type"] == "FeatureCollection"
    features = {feature["properties"]["id"]: feature for feature in collection["features"]}
    point = features[str(execution.pk)]
    assert point["type"] == "Feature"
    assert point["geometry"] == {"type": "Point", "coordinates": [35.9256, 35.3611]}  # lon, lat
    assert point["properties"]["killed_best"] == 15
    assert [f["geometry"] for f in features.values()].count(None) == 1


def test_an_empty_geojson_export_is_still_valid(partner):
    assert json.loads(content(partner.get("/api/v1/incidents/?format=geojson"))) == {
        "type": "FeatureCollection",
        "features": [],
    }


def test_an_export_holds_what_the_json_list_holds_scoped_and_filtered(partner):
    wanted = VerifiedIncidentFactory(category_id="arson")
    VerifiedIncidentFactory(category_id="looting")
    IncidentFactory(category_id="arson")  # unverified: not a partner's
    rows = list(csv.DictReader(io.StringIO(content(partner.get("/api/v1/incidents/?format=csv&category=arson")))))
    assert [row["id"] for row in rows] == [str(wanted.pk)]


def test_an_export_is_not_paged_and_streams_in_chunks(partner):
    made = VerifiedIncidentFactory.create_batch(1203)
    response = partner.get("/api/v1/incidents/?format=csv&page_size=1")
    chunks = list(response.streaming_content)
    assert len(chunks) >= 3  # header, then rows in batches: written as they are read
    rows = list(csv.DictReader(io.StringIO(b"".join(chunks).decode())))
    assert len(rows) == len(made)


def test_the_accept_header_also_selects_an_export(partner, execution):
    response = partner.get("/api/v1/incidents/", HTTP_ACCEPT="application/geo+json")
    assert json.loads(content(response))["type"] == "FeatureCollection"


def test_a_detail_has_no_export_format(partner, execution):
    response = partner.get(f"/api/v1/incidents/{execution.pk}/?format=csv")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["format"]


def test_the_aggregate_exports(partner):
    DailyAggregateFactory(date=date(2025, 3, 7), killed_low=3, killed_best=4, killed_high=6)
    DailyAggregateFactory(date=date(2025, 3, 7), verified=False, killed_low=50, killed_best=50, killed_high=50)
    hxl = list(csv.reader(io.StringIO(content(partner.get("/api/v1/aggregates/daily/?format=hxl")))))
    assert hxl[1][:3] == ["#date", "#adm1+code", "#adm1+name"]
    assert len(hxl) == 3 and hxl[2][0] == "2025-03-07"
    rows = list(csv.DictReader(io.StringIO(content(partner.get("/api/v1/aggregates/daily/?format=csv")))))
    assert [(row["killed_best"], row["verified"]) for row in rows] == [("4", "true")]
    collection = json.loads(content(partner.get("/api/v1/aggregates/daily/?format=geojson")))
    [feature] = collection["features"]
    assert feature["geometry"]["type"] == "Point" and feature["properties"]["admin2"] == "SY0602"


@pytest.mark.parametrize(
    "written", ['=HYPERLINK("http://evil.example/","click")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
)
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_exported_as_text(partner, written):
    incident = VerifiedIncidentFactory(title=written, place_name=written, summary=written, longitude=-0.5)
    IncidentCasualtyFactory(incident=incident, low=2, best=3, high=4)
    rows = list(csv.DictReader(io.StringIO(content(partner.get("/api/v1/incidents/?format=csv")))))
    [row] = rows
    assert row["title"] == row["place_name"] == row["summary"] == "'" + written
    # Numbers stay numbers: a negative coordinate and the counts are written as they are.
    assert (row["longitude"], row["killed_low"], row["killed_best"]) == ("-0.500000", "2", "3")
    hxl = list(csv.reader(io.StringIO(content(partner.get("/api/v1/incidents/?format=hxl")))))
    record = dict(zip(HXL_TAGS, hxl[2], strict=True))
    assert record["#loc+name"] == "'" + written and record["#geo+lon"] == "-0.500000"


def test_text_that_only_contains_a_formula_sign_later_is_left_alone(partner):
    VerifiedIncidentFactory(title="Shelling of Baniyas = 3 dead", place_name="Al-Qardaha")
    [row] = csv.DictReader(io.StringIO(content(partner.get("/api/v1/incidents/?format=csv"))))
    assert (row["title"], row["place_name"]) == ("Shelling of Baniyas = 3 dead", "Al-Qardaha")


@pytest.mark.parametrize(
    ("fmt", "media_type"), [("hxl", "text/csv"), ("csv", "text/csv"), ("geojson", "application/geo+json")]
)
def test_the_format_the_url_names_wins_over_an_accept_header_asking_for_json(partner, execution, fmt, media_type):
    response = partner.get(f"/api/v1/incidents/?format={fmt}", HTTP_ACCEPT="application/json")
    assert response["Content-Type"].startswith(media_type)
    assert str(execution.pk) in content(response)
    aggregates = partner.get(f"/api/v1/aggregates/daily/?format={fmt}", HTTP_ACCEPT="application/json")
    assert aggregates.status_code == 200 and aggregates["Content-Type"].startswith(media_type)


def test_json_named_in_the_url_wins_over_an_accept_header_asking_for_csv(partner, execution):
    response = partner.get("/api/v1/incidents/?format=json", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response.json()["results"][0]["id"] == str(execution.pk)


def test_an_unknown_format_in_the_url_is_still_a_400_whatever_the_accept_header(partner, execution):
    response = partner.get("/api/v1/incidents/?format=xlsx", HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["format"]


def test_the_csv_and_hxl_formatted_by_postgresql_hold_what_the_python_writer_writes(partner, execution):
    """COPY's output (incidents/api/copy_export.py) against the Python writer the SQLite demo keeps."""
    from incidents.api.exports import INCIDENT_COLUMNS, csv_lines, incident_export_rows
    from incidents.api.permissions import Viewer
    from incidents.api.selectors import incidents_visible

    VerifiedIncidentFactory(status="withdrawn", title="=cmd")  # a tombstone
    VerifiedIncidentFactory(category_id="electricity_outage", place_name="", summary="", latitude=None, longitude=None)
    VerifiedIncidentFactory(
        title="@SUM(1)", occurred_from=datetime(2025, 3, 7, 9, 0, 0, 123456, tzinfo=UTC), first_reported_at=None
    )
    for fmt in ("csv", "hxl"):
        served = list(csv.reader(io.StringIO(content(partner.get(f"/api/v1/incidents/?format={fmt}")))))
        python = "".join(
            csv_lines(
                incident_export_rows(incidents_visible(viewer=Viewer.PARTNER)), INCIDENT_COLUMNS, hxl=fmt == "hxl"
            )
        )
        assert served == list(csv.reader(io.StringIO(python)))
        assert len(served) == (5 if fmt == "csv" else 6)


def test_the_geojson_formatted_by_postgresql_holds_what_the_python_writer_writes(partner, execution):
    """COPY's one Feature a line (incidents/api/copy_export.py) against the Python writer the SQLite demo keeps."""
    from incidents.api.exports import INCIDENT_COLUMNS, geojson_chunks, incident_export_rows, incident_point
    from incidents.api.permissions import Viewer
    from incidents.api.selectors import incidents_visible

    VerifiedIncidentFactory(status="withdrawn", title="=cmd", place_name="Abu Khaled's mill")  # a tombstone
    VerifiedIncidentFactory(status="merged", merged_into=execution)  # another
    VerifiedIncidentFactory(category_id="electricity_outage", place_name="", summary="", latitude=None, longitude=None)
    VerifiedIncidentFactory(
        title='"Quoted" \\ back\\slash, tab\t, line\nbreak, \x01\x02 and اللاذقية',
        occurred_from=datetime(2025, 3, 7, 9, 0, 0, 123456, tzinfo=UTC),
        occurred_to=datetime(2025, 3, 9, 21, 30, tzinfo=UTC),
        first_reported_at=None,
        latitude="35.000000",
        longitude="-0.500000",
    )
    response = partner.get("/api/v1/incidents/?format=geojson")
    assert response["Content-Type"] == "application/geo+json"
    served = json.loads(content(response))
    python = json.loads(
        "".join(
            geojson_chunks(
                incident_export_rows(incidents_visible(viewer=Viewer.PARTNER)), INCIDENT_COLUMNS, point=incident_point
            )
        )
    )
    assert served == python
    assert len(served["features"]) == 5
    [merged] = [f for f in served["features"] if f["properties"]["status"] == "merged"]
    assert merged["properties"]["merged_into"] == str(execution.pk)
    [tombstone] = [f for f in served["features"] if f["properties"]["status"] == "withdrawn"]
    assert tombstone["geometry"] is None and tombstone["properties"]["place_name"] is None


def test_a_geojson_export_of_one_incident_is_valid(partner, execution):
    collection = json.loads(content(partner.get("/api/v1/incidents/?format=geojson")))
    assert [feature["properties"]["id"] for feature in collection["features"]] == [str(execution.pk)]


def test_the_aggregates_geojson_formatted_by_postgresql_holds_what_the_python_writer_writes(partner):
    from incidents.api.exports import AGGREGATE_COLUMNS, aggregate_export_rows, aggregate_point, geojson_chunks
    from incidents.api.permissions import Viewer
    from incidents.api.selectors import aggregates_visible

    DailyAggregateFactory(date=date(2025, 3, 7), killed_low=3, killed_best=4, killed_high=6)
    DailyAggregateFactory(date=date(2025, 3, 8), admin2=None, category_id="arson")  # at the governorate's point
    served = json.loads(content(partner.get("/api/v1/aggregates/daily/?format=geojson")))
    rows = aggregate_export_rows(aggregates_visible(viewer=Viewer.PARTNER))
    python = json.loads("".join(geojson_chunks(rows, AGGREGATE_COLUMNS, point=aggregate_point)))
    assert served == python
    assert [f["properties"]["admin2"] for f in served["features"]] == ["SY0602", None]
