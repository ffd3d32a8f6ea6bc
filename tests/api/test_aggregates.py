"""GET /api/v1/aggregates/daily/: verified rows for partners, every row for reviewers; filters."""

from datetime import date

import pytest

from tests.factories import DailyAggregateFactory

pytestmark = pytest.mark.django_db

AGGREGATE_FIELDS = {
    "date",
    "admin1",
    "admin2",
    "category",
    "incidents",
    "killed_low",
    "killed_best",
    "killed_high",
    "injured_low",
    "injured_best",
    "injured_high",
}


def keys(response):
    assert response.status_code == 200, response.content
    return {(row["date"], row["admin2"], row["category"], row["verified"]) for row in response.json()["results"]}


def test_a_row_has_the_contract_fields(partner):
    DailyAggregateFactory()
    [row] = partner.get("/api/v1/aggregates/daily/").json()["results"]
    assert set(row) >= AGGREGATE_FIELDS
    assert row["date"] == "2025-03-07" and (row["admin1"], row["admin2"], row["category"]) == (
        "SY06",
        "SY0602",
        "killing",
    )


def test_a_partner_gets_verified_rows_only_and_a_reviewer_all(partner, reviewer_api):
    DailyAggregateFactory(verified=True)
    DailyAggregateFactory(verified=False, killed_low=40, killed_best=40, killed_high=40)
    assert keys(partner.get("/api/v1/aggregates/daily/")) == {("2025-03-07", "SY0602", "killing", True)}
    assert len(keys(reviewer_api.get("/api/v1/aggregates/daily/"))) == 2


def test_filter_aggregates_by_date_after(partner):
    DailyAggregateFactory(date=date(2025, 3, 6))
    DailyAggregateFactory(date=date(2025, 3, 7))
    assert {k[0] for k in keys(partner.get("/api/v1/aggregates/daily/?date_after=2025-03-07"))} == {"2025-03-07"}


def test_filter_aggregates_by_date_before(partner):
    DailyAggregateFactory(date=date(2025, 3, 6))
    DailyAggregateFactory(date=date(2025, 3, 7))
    assert {k[0] for k in keys(partner.get("/api/v1/aggregates/daily/?date_before=2025-03-06"))} == {"2025-03-06"}


def test_filter_aggregates_by_admin1(partner):
    DailyAggregateFactory(admin1_id="SY10", admin2_id="SY1002")
    DailyAggregateFactory()
    assert {k[1] for k in keys(partner.get("/api/v1/aggregates/daily/?admin1=SY10"))} == {"SY1002"}


def test_filter_aggregates_by_admin2(partner):
    DailyAggregateFactory(admin2_id="SY0604")
    DailyAggregateFactory(admin2_id="SY0602")
    assert {k[1] for k in keys(partner.get("/api/v1/aggregates/daily/?admin2=SY0604"))} == {"SY0604"}


def test_filter_aggregates_by_category(partner):
    DailyAggregateFactory(category_id="arson")
    DailyAggregateFactory(category_id="killing")
    DailyAggregateFactory(category_id="looting")
    found = {k[2] for k in keys(partner.get("/api/v1/aggregates/daily/?category=arson&category=looting"))}
    assert found == {"arson", "looting"}


@pytest.mark.parametrize(
    "query", ["date_after=March", "date_before=2025-02-30", "admin1=SY0602", "admin2=XX", "category=weather"]
)
def test_an_invalid_aggregate_filter_is_a_400_naming_the_parameter(partner, query):
    response = partner.get(f"/api/v1/aggregates/daily/?{query}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [query.split("=")[0]]
