"""From a submission (the `data` of `reports.services.report_submit`) to the matcher's ReportRecord."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from incidents.dedup.geo import place_index
from incidents.dedup.records import Figure, ReportRecord


def report_record(*, report_id: str, data: dict[str, Any]) -> ReportRecord:
    """The matcher's view of a submitted report.

    Mirrors what `report_submit` stores: an empty district is filled in from a
    place name that names one (within the governorate), geo precision defaults
    to 1 with coordinates and 2 without, and only incident-scope figures are kept
    (cumulative claims never enter matching or estimates).
    """
    admin1 = data["admin1"]
    admin2 = data.get("admin2") or None
    place_name = data.get("place_name") or ""
    if admin2 is None and place_name:
        admin2 = _district_named(place_name, admin1)
    latitude, longitude = data.get("latitude"), data.get("longitude")
    geo_precision = data.get("geo_precision") or (1 if latitude is not None else 2)
    figures = tuple(
        Figure(kind=row["kind"], group=row["group"], low=int(row["low"]), high=int(row["high"]))
        for row in data.get("casualties") or ()
        if (row.get("scope") or "incident") == "incident"
    )
    return ReportRecord(
        id=str(report_id),
        category=data["category"],
        occurred_from=data["occurred_at"],
        occurred_to=data.get("occurred_until"),
        time_precision=int(data.get("time_precision") or 1),
        admin1=admin1,
        admin2=admin2,
        place_name=place_name,
        latitude=float(latitude) if latitude is not None else None,
        longitude=float(longitude) if longitude is not None else None,
        geo_precision=int(geo_precision),
        title=data["title"],
        narrative=data.get("narrative") or "",
        figures=figures,
        perpetrator=data.get("perpetrator") or "",
        language=data.get("language") or "",
    )


@lru_cache(maxsize=65536)
def _district_named(place_name: str, admin1: str) -> str | None:
    match = place_index().resolve(place_name, within=admin1)
    return match.pcode if match is not None and match.level == 2 else None
