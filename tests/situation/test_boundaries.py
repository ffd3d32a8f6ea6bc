"""The shipped governorate outlines are joined to the right p-codes (scripts/build_boundaries.py)."""

from __future__ import annotations

import json

import pytest

from incidents.situation.charts import BOUNDARIES
from reports.models import Area

pytestmark = pytest.mark.django_db


def inside(lon: float, lat: float, geometry: dict) -> bool:
    """Ray casting over the outer rings (the holes of these outlines hold no governorate's point)."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    hit = False
    for polygon in polygons:
        ring = polygon[0]
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit


def test_every_governorate_has_one_outline_and_its_point_lies_inside_it():
    features = json.loads(BOUNDARIES.read_text(encoding="utf-8"))["features"]
    by_pcode = {}
    for feature in features:
        assert feature["properties"]["pcode"] not in by_pcode
        by_pcode[feature["properties"]["pcode"]] = feature["geometry"]
    governorates = Area.objects.filter(level=1)
    assert set(by_pcode) == set(governorates.values_list("pcode", flat=True))
    for area in governorates:
        assert inside(float(area.longitude), float(area.latitude), by_pcode[area.pcode]), area.pcode


def test_the_file_says_where_it_comes_from():
    collection = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    assert "Natural Earth" in collection["source"] and "public domain" in collection["source"]
