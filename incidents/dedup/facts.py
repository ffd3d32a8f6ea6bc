"""What the features read of one record, worked out once per record instead of once per pair.

`features.py` compares a (report, incident) pair by reading both records
afresh: the families, landmarks and perpetrators of every account of the
incident, the keys of its place names, its time span. A report is compared
with every incident of its block, and an incident with every report of the
batch whose block holds it, so the same reading was made again and again.
`report_facts` and `incident_facts` make it once per record (kept by the
record's identity: records are frozen), and `comparison_levels` gives exactly
`scoring.comparison_levels_per_pair` from them — the same levels and details,
in the same order (`tests/incidents/test_dedup_facts.py` compares the two on
every blocked pair of generated sets).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from incidents.dedup.blocking import compatible_categories
from incidents.dedup.features import (
    UNKNOWN,
    Profile,
    _area_of,
    areas_compared,
    covered_seconds,
    distance_level,
    figures_compared,
    longer_of,
    names_compared,
    parties_compared,
    places_compared,
    specific_place,
    texts_compared,
    time_level,
)
from incidents.dedup.geo import haversine_km, place_key
from incidents.dedup.records import Figure, IncidentRecord, ReportRecord
from incidents.dedup.text import family_names, landmarks, perpetrator_party


def _keys_of(name: str) -> frozenset[str]:
    """The words `text_match` ignores for a place name (not a family's): its key's words of two letters or more."""
    return frozenset(key for key in place_key(name).split() if len(key) >= 2)


def _family_keys(families: frozenset[str]) -> frozenset[str]:
    return frozenset(key for name in families for key in name.split() if len(key) >= 2)


class _Timed:
    """The time span as `time_gap` and `_covers_longer` read it."""

    __slots__ = ("covered", "end", "precision", "span_seconds", "start")

    def __init__(self, start: datetime, end: datetime | None, precision: int) -> None:
        self.start, self.end = start, (end or start)
        self.precision = precision
        self.span_seconds = (self.end - self.start).total_seconds()
        self.covered = covered_seconds(start, end, precision)


class ReportFacts(_Timed):
    """What the features read of a report as the side being placed."""

    __slots__ = (
        "area",
        "families",
        "family_keys",
        "figures",
        "landmarks",
        "named",
        "party",
        "place",
        "place_keys",
        "text",
    )

    def __init__(self, report: ReportRecord) -> None:
        super().__init__(report.occurred_from, report.occurred_to, report.time_precision)
        self.text = f"{report.title}. {report.narrative}"
        self.families = family_names(self.text)
        self.landmarks = landmarks(self.text)
        self.party = perpetrator_party(report.perpetrator)
        self.named = bool(report.place_name.strip())
        self.place = specific_place(report.place_name)
        self.area = _area_of(report.place_name, report.admin2)
        self.place_keys = _keys_of(report.place_name)
        self.family_keys = _family_keys(self.families)
        self.figures: dict[tuple[str, str], Figure] = {(f.kind, f.group): f for f in report.figures}


class IncidentFacts(_Timed):
    """What the features read of an incident (its accounts, names, places) as the side compared with."""

    __slots__ = (
        "accounts",
        "areas",
        "compared_places",
        "families",
        "family_keys",
        "landmarks",
        "parties",
        "place_keys",
        "place_names",
        "places",
        "profile",
    )

    def __init__(self, incident: IncidentRecord) -> None:
        super().__init__(incident.occurred_from, incident.occurred_to, incident.time_precision)
        texts = (*incident.titles, *incident.narratives)
        self.accounts = (*incident.narratives, *incident.titles)  # in `text_match`'s order
        self.families: frozenset[str] = frozenset().union(*(family_names(t) for t in texts))
        self.landmarks: frozenset[str] = frozenset().union(*(landmarks(t) for t in texts))
        self.parties = frozenset(p for p in (perpetrator_party(n) for n in incident.perpetrators) if p)
        self.places = [key for key in (specific_place(name) for name in incident.place_names) if key]
        self.compared_places: dict[str, tuple[str, str]] = {}  # `places_compared` by the report's key
        self.areas = {_area_of(name, incident.admin2) for name in incident.place_names}
        self.place_names = frozenset(incident.place_names)
        self.place_keys: frozenset[str] = frozenset().union(*(_keys_of(name) for name in incident.place_names))
        self.family_keys = _family_keys(self.families)
        self.profile: Profile | None = None


# By the record's id; used while the record is the same (the same object, or an equal one: a later batch reads
# the same rows again into new records). Emptied when full.
_LIMIT = 100_000
_REPORTS: dict[str, tuple[ReportRecord, ReportFacts]] = {}
_INCIDENTS: dict[str, tuple[IncidentRecord, IncidentFacts]] = {}


def _kept(cache: dict[str, tuple[Any, Any]], record: Any, make: Any) -> Any:
    """`make(record)`, kept in `cache` by the record's id while the record is the same (identical or equal)."""
    kept = cache.get(record.id)
    if kept is None or kept[0] is not record:
        if kept is not None and kept[0] == record:
            kept = cache[record.id] = (record, kept[1])  # found by identity from now on
        else:
            if len(cache) >= _LIMIT:
                cache.clear()
            kept = cache[record.id] = (record, make(record))
    return kept[1]


def report_facts(report: ReportRecord) -> ReportFacts:
    """The report's facts, made on its first comparison."""
    found: ReportFacts = _kept(_REPORTS, report, ReportFacts)
    return found


def incident_facts(incident: IncidentRecord) -> IncidentFacts:
    """The incident's facts, made on its first comparison (a batch keeps its incidents' records between reports)."""
    found: IncidentFacts = _kept(_INCIDENTS, incident, IncidentFacts)
    return found


def profile(incident: IncidentRecord) -> Profile:
    """`features.Profile.of(incident)`, from the incident's facts (made once per incident)."""
    found = incident_facts(incident)
    if found.profile is None:
        found.profile = Profile(found.families, found.landmarks, frozenset(found.places), incident)
    return found.profile


_CATEGORIES: dict[tuple[str, str], tuple[str, str]] = {}
_TOLERANCES: dict[int, float] = {}


def category_level(mine: str, theirs: str) -> tuple[str, str]:
    """`features.category_agreement` of two categories, kept per pair of categories."""
    found = _CATEGORIES.get((mine, theirs))
    if found is None:
        if mine == theirs:
            found = ("same", mine)
        elif theirs in compatible_categories(mine):
            found = ("compatible", f"{mine}~{theirs}")
        else:
            found = ("incompatible", f"{mine}≠{theirs}")
        _CATEGORIES[(mine, theirs)] = found
    return found


def time_of(mine: _Timed, theirs: _Timed) -> tuple[str, float]:
    """`features.time_gap` of two sides' facts."""
    if mine.end < theirs.start:
        gap = (theirs.start - mine.end).total_seconds() / 3600
    elif theirs.end < mine.start:
        gap = (mine.start - theirs.end).total_seconds() / 3600
    else:
        gap = 0.0
    coarser = mine.precision if mine.precision >= theirs.precision else theirs.precision
    longest = max(mine.span_seconds, theirs.span_seconds) / 3600
    return time_level(gap, coarser, longest), round(gap, 2)


def place_of(mine: ReportFacts, incident: IncidentRecord, theirs: IncidentFacts) -> tuple[str, str]:
    """`features.place_agreement` of a report and an incident, from their facts."""
    if not mine.named or not incident.place_names:
        return UNKNOWN, ""
    if mine.place and theirs.places:
        found = theirs.compared_places.get(mine.place)
        if found is None:
            found = theirs.compared_places[mine.place] = places_compared(mine.place, theirs.places)
        return found
    return areas_compared(mine.place, theirs.places, mine.area, theirs.areas)


def distance_of(report: ReportRecord, incident: IncidentRecord) -> tuple[str, float | None]:
    """`features.distance`."""
    if report.latitude is None or report.longitude is None or incident.latitude is None or incident.longitude is None:
        return UNKNOWN, None
    km = haversine_km(report.latitude, report.longitude, incident.latitude, incident.longitude)
    return distance_level(km, max(report.geo_precision, incident.geo_precision)), round(km, 3)


def figures_of(mine: ReportFacts, incident: IncidentRecord, theirs: IncidentFacts) -> tuple[str, dict[str, str]]:
    """`features.figures_agreement` from the two sides' facts."""
    if not mine.figures or not incident.figures:
        return UNKNOWN, {}
    return figures_compared(mine.figures, incident.figures, longer_of(mine.covered, theirs.covered))


def text_of(
    report: ReportRecord, mine: ReportFacts, incident: IncidentRecord, theirs: IncidentFacts
) -> tuple[str, float]:
    """`features.text_match` from the two sides' facts."""
    families = mine.families | theirs.families
    if report.place_name in families or not families.isdisjoint(theirs.place_names):
        # A place written as a family's key is ignored as the family's words: `text_match`'s own reading.
        ignore = frozenset(
            key
            for name in (report.place_name, *incident.place_names, *families)
            for key in (name.split() if name in families else place_key(name).split())
            if len(key) >= 2
        )
    else:
        ignore = mine.place_keys | theirs.place_keys | mine.family_keys | theirs.family_keys
    return texts_compared(mine.text, theirs.accounts, ignore)


def comparison_levels(report: ReportRecord, incident: IncidentRecord) -> tuple[dict[str, str], dict[str, Any]]:
    """`scoring.comparison_levels_per_pair`, from the two records' facts: the same levels and details."""
    mine, theirs = report_facts(report), incident_facts(incident)
    category_level_, category = category_level(report.category, incident.category)
    time_level_, gap_hours = time_of(mine, theirs)
    place_level, place = place_of(mine, incident, theirs)
    distance_level_, km = distance_of(report, incident)
    text_level, similarity = text_of(report, mine, incident, theirs)
    figures_level, figures = figures_of(mine, incident, theirs)
    perpetrator_level, perpetrator = parties_compared(mine.party, theirs.parties)
    family_level, family = names_compared(mine.families, theirs.families)
    landmark_level, landmark = names_compared(mine.landmarks, theirs.landmarks)
    return levels_and_details(
        category=(category_level_, category),
        time=(time_level_, gap_hours),
        place=(place_level, place),
        distance=(f"{place_level}/{distance_level_}" if km is not None else UNKNOWN, km),
        text=(text_level, similarity),
        figures=(figures_level, figures),
        perpetrator=(perpetrator_level, perpetrator),
        family=(family_level, family),
        landmark=(landmark_level, landmark),
    )


def levels_and_details(
    *,
    category: tuple[str, str],
    time: tuple[str, float],
    place: tuple[str, str],
    distance: tuple[str, float | None],
    text: tuple[str, float],
    figures: tuple[str, Any],
    perpetrator: tuple[str, str],
    family: tuple[str, str],
    landmark: tuple[str, str],
) -> tuple[dict[str, str], dict[str, Any]]:
    """A comparison's levels and the details a reviewer reads, from each feature's (level, detail): the keys and
    their order as every decision's `reasons` store them (both paths of `scoring` build them here)."""
    levels = {
        "category": category[0],
        "time": time[0],
        "location": place[0],
        "distance": distance[0],
        "text": text[0],
        "figures": figures[0],
        "perpetrator": perpetrator[0],
        "family": family[0],
        "landmark": landmark[0],
    }
    details = {
        "time_gap_hours": time[1],
        "distance_km": distance[1],
        "place_agreement": place[0],
        "place_detail": place[1],
        "text_similarity": text[1],
        "figures_agreement": figures[0],
        "figures_detail": figures[1],
        "perpetrator": perpetrator[0],
        "perpetrator_party": perpetrator[1],
        "category": category[1],
        "family": family[0],
        "family_names": family[1],
        "landmark": landmark[0],
        "landmark_detail": landmark[1],
    }
    return levels, details
