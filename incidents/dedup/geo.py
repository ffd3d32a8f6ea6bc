"""Places: distances, neighbouring districts and place-name agreement, from the gazetteer file.

The gazetteer is read once from `reports.seed_data.gazetteer_records()` (the
JSON the data migration loads), so this module needs no database.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from incidents.dedup.text import word_skeleton
from reports.places import Place, PlaceIndex, normalize_name
from reports.seed_data import gazetteer_records

EARTH_RADIUS_KM = 6371.0088
# Two districts are neighbours when their representative towns are at most this
# far apart. 30.5 km makes Lattakia–Jablah–Al-Qardaha–Al-Haffa and
# Jablah–Banyas (the governorate border) neighbours, and keeps Jablah–Al-Haffa
# (31.0 km, not adjacent on the map) and Al-Qardaha–Banyas (32.1 km) apart.
NEIGHBOUR_KM = 30.5


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, dict[str, Any]]:
    """The gazetteer's areas by p-code."""
    return {record["pcode"]: record for record in gazetteer_records()}


@lru_cache(maxsize=1)
def place_index() -> PlaceIndex:
    return PlaceIndex.build(
        Place(r["pcode"], r["level"], r["parent"], (r["pcode"], r["name_en"], r["name_ar"], *r["aliases"]))
        for r in gazetteer().values()
    )


@lru_cache(maxsize=1)
def neighbouring_districts() -> dict[str, frozenset[str]]:
    """For each district, itself and the districts whose towns lie within NEIGHBOUR_KM."""
    districts = [r for r in gazetteer().values() if r["level"] == 2]
    result = {}
    for a in districts:
        near = {
            b["pcode"]
            for b in districts
            if b is a or haversine_km(a["lat"], a["lon"], b["lat"], b["lon"]) <= NEIGHBOUR_KM
        }
        result[a["pcode"]] = frozenset(near)
    return result


def district_parent(pcode: str) -> str | None:
    record = gazetteer().get(pcode)
    return record["parent"] if record else None


@lru_cache(maxsize=65536)
def resolve_place(name: str) -> tuple[str | None, bool]:
    """The p-code a place name resolves to, and whether the name *is* that area (a district's own name).

    "Jableh" is the district of Jablah itself: it says little more than the
    district. "Beit Yashout" is not in the gazetteer: it names a village, a
    finer place than any p-code.
    """
    match = place_index().resolve(name)
    if match is None:
        return None, False
    whole = match.score >= 0.9 and normalize_name(name) == match.matched
    return match.pcode, whole


@lru_cache(maxsize=65536)
def place_key(name: str) -> str:
    """A script-independent key of a place name: the consonant skeleton of its words.

    القرداحة, Al-Qardaha and Kardaha all give `krd`; البيضا and Al-Bayda `bd`;
    ارواد, Arwad and Ruad `rd` (the transliteration is `reports.places.consonant_skeleton`).
    """
    words = normalize_name(name).split()
    keys = [key for key in (word_skeleton(w) for w in words) if key]
    # A ta marbuta before another word is read t or not (جوبة برغال: Jawbat Burghal, Jawba Burghal;
    # المشيرفة الغربية: Mushayrifa al-Gharbiya): a final t or h of a word that is not the last is dropped.
    keys = [k[:-1] if i < len(keys) - 1 and len(k) > 1 and k[-1] in "th" else k for i, k in enumerate(keys)]
    return " ".join(keys)
