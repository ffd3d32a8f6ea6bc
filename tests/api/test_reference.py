"""Categories and areas: the reference data every client needs."""

import pytest

pytestmark = pytest.mark.django_db

CONTRACT_SLUGS = {
    "looting",
    "arson",
    "property_destruction",
    "killing",
    "execution",
    "injury",
    "abduction",
    "arbitrary_detention",
    "detainee_mistreatment",
    "armed_clash",
    "ambush",
    "shelling",
    "displacement",
    "electricity_outage",
    "water_outage",
    "telecom_outage",
}


def everything(client, url):
    rows = []
    while url:
        page = client.get(url).json()
        rows += page["results"]
        url = page["next"]
    return rows


def test_categories_carry_the_contract_slugs_and_their_acled_types(partner):
    categories = {row["slug"]: row for row in everything(partner, "/api/v1/categories/")}
    assert set(categories) >= CONTRACT_SLUGS
    assert categories["execution"]["acled_event_type"] == "Violence against civilians"
    assert categories["water_outage"]["is_outage"] and categories["water_outage"]["service"] == "water"


def test_areas_are_the_gazetteer_with_p_codes(partner):
    areas = {row["pcode"]: row for row in everything(partner, "/api/v1/areas/?page_size=10")}
    assert areas["SY06"]["level"] == 1 and areas["SY06"]["parent"] is None
    assert areas["SY0602"]["parent"] == "SY06" and areas["SY0602"]["name_ar"]
    assert "SY0601" not in areas  # p-codes are irregular
