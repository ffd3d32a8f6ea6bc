"""The dashboard's figures are the register's: they equal what the partner API adds up to for the same filters."""

from __future__ import annotations

import pytest

from incidents.models import DuplicateCandidate
from reports.models import Report, ReportCasualty
from tests.factories import ReportCasualtyFactory, ReportFactory, area, category
from tests.situation.conftest import PERIOD, all_pages, api_params, incident_sums

pytestmark = pytest.mark.django_db
DASHBOARD = "/admin/situation/"

FILTERS = [
    PERIOD,
    {**PERIOD, "admin1": "SY10"},
    {**PERIOD, "admin1": "SY06", "admin2": "SY0602"},
    {**PERIOD, "category": ["killing", "execution", "ambush"]},
    {"date_from": "2025-03-07", "date_to": "2025-03-08"},
]


def dashboard(client, filters: dict):
    response = client.get(DASHBOARD, filters)
    assert response.status_code == 200, response.content[:2000]
    return response


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "-".join(str(v) for v in f.values()))
def test_verified_figures_equal_what_the_partner_api_adds_up_to(demo, admin_login, coordinator, partner_api, filters):
    figures = dashboard(admin_login(coordinator), filters).context["figures"]
    incident_params, aggregate_params = api_params(filters)
    from_incidents = incident_sums(all_pages(partner_api, "/api/v1/incidents/", incident_params))
    rows = all_pages(partner_api, "/api/v1/aggregates/daily/", aggregate_params)
    verified = figures["tiles"]["verified"]
    assert verified["incidents"] > 0 if filters == PERIOD else True
    assert verified["incidents"] == from_incidents["incidents"] == sum(r["incidents"] for r in rows)
    for kind in ("killed", "injured"):
        assert verified[kind] == from_incidents[kind]
        assert verified[kind] == {end: sum(r[f"{kind}_{end}"] for r in rows) for end in ("low", "best", "high")}
    for kind in ("abducted", "detained"):
        assert verified[kind] == from_incidents[kind]
    # The per-day and per-area figures add up to the same, for the verified state.
    shown = dashboard(admin_login(coordinator), {**filters, "state": "verified"}).context["figures"]
    assert sum(day["incidents_total"] for day in shown["days"]) == verified["incidents"]
    assert sum(day["killed_best"] for day in shown["days"]) == verified["killed"]["best"]
    assert sum(g["incidents"] for g in shown["governorates"]) == verified["incidents"]
    assert sum(d["killed_best"] for d in shown["districts"]) == verified["killed"]["best"]


@pytest.mark.parametrize("filters", FILTERS[:3], ids=["coast", "tartous", "jableh"])
def test_all_reported_figures_equal_the_verified_and_unverified_incidents_estimates(
    demo, admin_login, coordinator, reviewer_api, filters
):
    figures = dashboard(admin_login(coordinator), filters).context["figures"]
    incident_params, _ = api_params(filters)
    incidents = [
        incident
        for status in ("verified", "unverified")
        for incident in all_pages(reviewer_api, "/api/v1/incidents/", {**incident_params, "status": status})
    ]
    expected = incident_sums(incidents)
    everything = figures["tiles"]["all"]
    assert everything["incidents"] == expected["incidents"] > figures["tiles"]["verified"]["incidents"]
    for kind in ("killed", "injured", "abducted", "detained"):
        assert everything[kind] == expected[kind], kind


def test_the_coasts_march_is_shown_by_default_with_the_demo_figures(demo, admin_login, coordinator):
    page = dashboard(admin_login(coordinator), {})
    figures = page.context["figures"]
    assert figures["period"] == {"start": "2025-03-06", "end": "2025-03-10"}
    assert figures["tiles"]["verified"]["incidents"] == 4
    assert f'data-figure="killed-verified">{figures["tiles"]["verified"]["killed"]["best"]}<' in page.text
    assert {g["pcode"] for g in figures["governorates"]} == {"SY06", "SY10"}
    # The map's points: every incident of the period (fewer than the map's limit), fetched by the map's script.
    points = admin_login(coordinator).get(page.context["map_data"]["pointsUrl"]).json()["points"]
    # 21: the third account of the Jableh arson ("Arson of homes in north Jablah", an hour later, no point) is
    # put to a reviewer beside the other two (0.926, under the join threshold) rather than joined.
    assert len(points) == figures["tiles"]["all"]["incidents"] == 21
    assert page.context["map_total"] == page.context["map_shown"] == "21"
    third = Report.objects.get(title="Arson of homes in north Jablah")
    joined = Report.objects.get(title="Houses set on fire in northern Jableh")
    assert DuplicateCandidate.objects.filter(
        report=third, incident_id=joined.incident_id, decision=DuplicateCandidate.Decision.PENDING
    ).exists()


@pytest.mark.parametrize("state", ["", "verified", "unverified"])
def test_the_maps_points_are_the_incidents_of_the_filters_and_the_state_shown(
    demo, admin_login, coordinator, reviewer_api, state
):
    client = admin_login(coordinator)
    query = {**PERIOD, "admin1": "SY06", "state": state}
    incident_params, _ = api_params(query)
    statuses = [state] if state else ["verified", "unverified"]
    expected = {
        incident["id"]: incident
        for status in statuses
        for incident in all_pages(reviewer_api, "/api/v1/incidents/", {**incident_params, "status": status})
    }
    points = client.get("/admin/situation/points.json", query).json()["points"]
    assert {point["id"] for point in points} == set(expected) and points
    for point in points:
        incident = expected[point["id"]]
        assert point["verified"] == (incident["status"] == "verified")
        killed = sum(c["best"] for c in incident["casualties"] if c["kind"] == "killed")
        assert point["killed"] == killed
        assert point["approximate"] == (incident["latitude"] is None)
    # Newest first.
    dates = [point["date"] for point in points]
    assert dates == sorted(dates, reverse=True)


def test_the_maps_points_refuse_a_bad_filter_naming_it(db, admin_login, coordinator):
    response = admin_login(coordinator).get("/admin/situation/points.json", {**PERIOD, "state": "maybe"})
    assert response.status_code == 400 and "state" in response.json()["errors"]


def test_a_cumulative_claim_is_listed_apart_and_never_enters_a_figure(demo, admin_login, coordinator):
    client = admin_login(coordinator)
    before = dashboard(client, PERIOD).context["figures"]
    claim = ReportFactory(
        category=category("killing"),
        occurred_at=Report.objects.order_by("occurred_at").first().occurred_at,
        admin1=area("SY10"),
        admin2=None,
        status="verified",
    )
    ReportCasualtyFactory(report=claim, kind="killed", group="civilian", low=5000, high=5000, scope="cumulative")
    after = dashboard(client, PERIOD).context["figures"]
    assert after["tiles"] == before["tiles"]
    assert after["days"] == before["days"] and after["governorates"] == before["governorates"]
    listed = {(c["low"], c["high"], c["admin1"]) for c in after["cumulative"]}
    assert {(5000, 5000, "SY10"), (1225, 1225, "SY06")} <= listed
    assert ReportCasualty.objects.filter(scope="cumulative").count() == len(after["cumulative"])
    page = dashboard(client, PERIOD)
    assert "5,000" in page.text and "Cumulative claims" in page.text


def test_outages_active_at_the_end_of_the_period_and_restored_ones_with_their_durations(demo, admin_login, coordinator):
    figures = dashboard(admin_login(coordinator), PERIOD).context["figures"]
    by_service = {(o["service"], o["active"]) for o in figures["outages"]}
    # The demo: electricity cut on the 7th and restored on the 9th, water restored on the 10th, telecom never.
    assert by_service == {("electricity", False), ("water", False), ("telecom", True)}
    electricity = next(o for o in figures["outages"] if o["service"] == "electricity")
    assert electricity["hours"] == 59.0 and electricity["verified"]
    telecom = next(o for o in figures["outages"] if o["service"] == "telecom")
    # Measured to the end of the period (10 March, midnight in Damascus), not to today.
    assert telecom["hours"] == 64.0 and telecom["restored_at"] is None
    assert figures["tiles"]["all"]["outages_active"] == 1 and figures["tiles"]["verified"]["outages_active"] == 0
    # The state chosen narrows the lists, never the tiles (which show both states side by side).
    verified_only = dashboard(admin_login(coordinator), {**PERIOD, "state": "verified"}).context["figures"]
    assert verified_only["tiles"] == figures["tiles"]
    assert verified_only["outages"] == [o for o in figures["outages"] if o["verified"]] != figures["outages"]
    # On 8 March the electricity was still cut: active at that day's end.
    earlier = dashboard(admin_login(coordinator), {"date_from": "2025-03-06", "date_to": "2025-03-08"})
    assert earlier.context["figures"]["tiles"]["verified"]["outages_active"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date_from": "2025-13-01", "date_to": "2025-03-10"}, "date_from"),
        ({"date_from": "2025-03-10", "date_to": "2025-03-01"}, "date_to"),
        ({**PERIOD, "admin1": "SY10", "admin2": "SY0602"}, "admin2"),
        ({**PERIOD, "category": "no-such-category"}, "category"),
        ({**PERIOD, "state": "maybe"}, "state"),
        ({"date_from": "2015-01-01", "date_to": "2025-03-10"}, "date_to"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(db, admin_login, coordinator, query, field):
    response = admin_login(coordinator).get(DASHBOARD, query)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert f'id="error-{field}"' in response.text


def test_the_outages_are_counted_in_full_and_listed_the_longest_active_and_the_latest_restored_first(demo):
    import datetime as dt

    from django.utils import timezone

    from incidents.situation.selectors import SituationFilters, outages

    filters = SituationFilters(date_from=dt.date(2025, 3, 6), date_to=dt.date(2025, 3, 10))
    counts, listed = outages(filters, now=timezone.now(), listed=1)
    # Every outage counts (electricity and water restored, telecom active); one of each kind is listed.
    assert sum(row["count"] for row in counts) == 3 and sum(row["count"] for row in counts if row["active"]) == 1
    assert [(o["service"], o["active"]) for o in listed] == [("telecom", True), ("water", False)]
