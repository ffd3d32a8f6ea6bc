"""The features that compare a report with an incident, each reduced to a level.

Every function returns `(level, value)`: the level indexes the m/u table of
`weights.py`; the value is what a reviewer reads in the reasons (hours,
kilometres, a similarity). A level of "unknown" means the feature cannot be
judged (no coordinates, no place name, no figures) and weighs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from incidents.dedup.blocking import compatible_categories, time_tolerance
from incidents.dedup.geo import haversine_km, place_key, resolve_place
from incidents.dedup.records import Figure, IncidentRecord, ReportRecord
from incidents.dedup.text import Compared, compared_texts, family_names, landmarks, perpetrator_party
from reports.places import normalize_name

UNKNOWN = "unknown"


def _span(start: datetime, end: datetime | None) -> tuple[datetime, datetime]:
    return start, (end or start)


def time_gap(report: ReportRecord, incident: IncidentRecord) -> tuple[str, float]:
    """Hours between the report's time span and the incident's (0 when they overlap), judged against the tolerance.

    Two accounts dated to the hour say most when they agree: `same_hour`
    (≤ 1.5 h apart), `close` (≤ 4 h), `hours_apart` (≤ 12 h), `half_day`
    (≤ 18 h: two accounts of one event can each be hours off, one giving UTC
    for local time, another "last night", and so lie up to some 20 h apart),
    `within_tolerance` (beyond that, up to the tolerance of the coarser
    precision, TIME_TOLERANCE). When either gives only the day (or a long
    span): `same_day` when the spans overlap, `next_day` when they do not but
    are within 12 h (two dates a day apart, or an hour just outside the
    other's day: a different day is weaker evidence than the same one). When
    either is known only to the week or the month the level is `vague`;
    beyond the tolerance, `far`.
    """
    r_start, r_end = _span(report.occurred_from, report.occurred_to)
    i_start, i_end = _span(incident.occurred_from, incident.occurred_to)
    if r_end < i_start:
        gap = (i_start - r_end).total_seconds() / 3600
    elif i_end < r_start:
        gap = (r_start - i_end).total_seconds() / 3600
    else:
        gap = 0.0
    coarser = max(report.time_precision, incident.time_precision)
    longest = max((r_end - r_start).total_seconds(), (i_end - i_start).total_seconds()) / 3600
    return time_level(gap, coarser, longest), round(gap, 2)


def time_level(gap: float, coarser: int, longest: float) -> str:
    """`time_gap`'s level: `gap` hours apart, the coarser precision of the two, the longest span in hours."""
    tolerance = time_tolerance(coarser).total_seconds() / 3600
    if gap > tolerance:
        level = "far"
    elif coarser > 1:
        level = "vague"
    elif longest > 6:
        # One of them gives only the day (or a long span). "The 7th" (00:00–23:59) and "the 8th" are a
        # minute apart: a gap of any length is another day.
        level = "same_day" if gap == 0 else "next_day" if gap <= 12 else "within_tolerance"
    elif gap > 18:
        level = "within_tolerance"
    elif gap > 12:
        level = "half_day"  # to the hour, 12 to 18 hours apart
    elif gap > 4:
        level = "hours_apart"  # both give the hour, 4 to 12 hours apart
    elif gap > 1.5:
        level = "close"
    else:
        level = "same_hour"
    return level


# Kilometres within which two points of a given geo precision may be the same spot.
GEO_SCALE_KM = {1: 1.0, 2: 5.0, 3: 20.0}


def distance(report: ReportRecord, incident: IncidentRecord) -> tuple[str, float | None]:
    """Kilometres between the two points, judged against the coarser geo precision; unknown without coordinates."""
    if None in (report.latitude, report.longitude, incident.latitude, incident.longitude):
        return UNKNOWN, None
    km = haversine_km(report.latitude, report.longitude, incident.latitude, incident.longitude)  # type: ignore[arg-type]
    return distance_level(km, max(report.geo_precision, incident.geo_precision)), round(km, 3)


def distance_level(km: float, coarser: int) -> str:
    """`distance`'s level: `km` apart, `coarser` the coarser geo precision of the two."""
    ratio = km / GEO_SCALE_KM.get(coarser, 20.0)
    if ratio <= 0.5:
        return "same_spot"
    if ratio <= 2:
        return "near"
    if ratio <= 6:
        return "same_area"
    return "far"


_SPLIT = re.compile(r"[,،;/]| - ")
_LOCATIVE_TEXT = """
near in at outside around of the village town city island district countryside rural neighbourhood neighborhood area
centre center east west north south eastern western northern southern
قرب في حي قريه بلده مدينه جزيره منطقه محيط ضواحي جوار مركز ريف شرق غرب شمال جنوب
"""
LOCATIVE_WORDS = frozenset(_LOCATIVE_TEXT.split())


@lru_cache(maxsize=65536)
def specific_place(name: str) -> str:
    """The part of a place name finer than a district, as a skeleton key ("" when the name is only a district).

    "Beit Yashout, Jableh" gives the key of "Beit Yashout"; "near Jableh" gives "".
    """
    parts = []
    for part in _SPLIT.split(name or ""):
        words = [w for w in normalize_name(part).split() if w not in LOCATIVE_WORDS]
        if not words:
            continue
        phrase = " ".join(words)
        pcode, whole = resolve_place(phrase)
        if pcode is not None and whole:
            continue  # the name of a district or governorate
        parts.append(place_key(phrase))
    return " ".join(p for p in parts if p)


@lru_cache(maxsize=65536)
def place_similarity(a: str, b: str) -> float:
    """How alike two place keys (`specific_place`) are, 0–100; 85 or more is the same place.

    Keys of one name in any script or spelling are mostly identical
    (consonant skeletons); rapidfuzz's ratio allows a letter's difference in
    longer names. A name with a qualifier the other omits (Raml al-Janubi,
    حي الرمل) is the same place when what they share is a name of three
    consonants or more — not a two-letter word (Arab al-Mulk is not Rabia).
    """
    if a == b:
        return 100.0
    score = fuzz.ratio(a, b) if min(len(a), len(b)) >= 4 else 0.0
    words_a, words_b = set(a.split()), set(b.split())
    shared = words_a & words_b
    if shared and shared in (words_a, words_b) and len("".join(shared)) >= 3:
        score = max(score, 90.0)
    return score


def place_agreement(report: ReportRecord, incident: IncidentRecord) -> tuple[str, str]:
    """Whether the place names agree after normalisation and alias resolution.

    `same`: the same village or neighbourhood however it is spelled or written
    (Latin or Arabic). `same_town`: both name only the same district town.
    `compatible`: one of them names only the district the other lies in.
    `different`: two different places. `unknown`: a name is missing.
    """
    if not report.place_name.strip() or not incident.place_names:
        return UNKNOWN, ""
    mine = specific_place(report.place_name)
    theirs = [specific_place(name) for name in incident.place_names]
    specific = [key for key in theirs if key]
    if mine and specific:
        return places_compared(mine, specific)
    # At least one side names only a district (or a governorate): do they agree on it?
    report_area = _area_of(report.place_name, report.admin2)
    incident_areas = {_area_of(name, incident.admin2) for name in incident.place_names}
    return areas_compared(mine, specific, report_area, incident_areas)


def places_compared(mine: str, specific: Sequence[str]) -> tuple[str, str]:
    """`place_agreement` when both sides name a place finer than a district: `specific`, the incident's keys."""
    best = max(place_similarity(mine, key) for key in specific)
    if best >= 85:
        return "same", f"{best:.0f}"
    return "different", f"{best:.0f}"


def areas_compared(
    mine: str, specific: Sequence[str], report_area: str | None, incident_areas: AbstractSet[str | None]
) -> tuple[str, str]:
    """`place_agreement` when a side names only a district (or a governorate): do the districts agree?"""
    if report_area and report_area in incident_areas:
        # Both name only the district town ("Jableh", "ريف جبلة"): the same town, a large place.
        return ("same_town" if not mine and not specific else "compatible"), report_area
    if report_area and len(incident_areas) > (None in incident_areas):  # an area other than None
        return "different", report_area
    return UNKNOWN, ""


def _area_of(name: str, admin2: str | None) -> str | None:
    pcode, _ = resolve_place(name)
    return pcode or admin2


def _text(title: str, narrative: str) -> str:
    return f"{title}. {narrative}"


def text_match(report: ReportRecord, incident: IncidentRecord) -> tuple[str, float]:
    """The best similarity of the report's title and narrative with any account already in the incident.

    Levels are split by script: two English accounts of one event share
    wording; an Arabic and an English one share only names, so their
    similarity means less and their dissimilarity nothing.
    """
    mine = _text(report.title, report.narrative)
    # Place and family names are features of their own: text compares the rest.
    families = family_names(mine).union(*(family_names(t) for t in (*incident.titles, *incident.narratives)))
    ignore = frozenset(
        key
        for name in (report.place_name, *incident.place_names, *families)
        for key in (name.split() if name in families else place_key(name).split())
        if len(key) >= 2
    )
    # Titles and narratives are kept distinct, not paired, in the summary: each is an account of its own.
    return texts_compared(mine, (*incident.narratives, *incident.titles), ignore)


def texts_compared(mine: str, accounts: Iterable[str], ignore: frozenset[str]) -> tuple[str, float]:
    """`text_match` of the report's "title. narrative" with the incident's accounts, given the words to ignore."""
    me = Compared.of(mine, ignore)
    if not me.words:
        return UNKNOWN, 0.0
    best, best_same_script, compared = 0.0, False, False
    for theirs in accounts:
        other = Compared.of(theirs, ignore)
        if not other.words:
            continue
        compared = True
        similarity = compared_texts(me, other)
        same_script = other.arabic == me.arabic
        if (similarity, same_script) > (best, best_same_script):
            best, best_same_script = similarity, same_script
    if not compared:
        return UNKNOWN, 0.0
    if best_same_script:
        level = "same_high" if best >= 0.75 else "same_mid" if best >= 0.55 else "same_low"
    else:
        level = "cross_match" if best >= 0.3 else "cross_none"
    return level, round(best, 3)


def family_agreement(report: ReportRecord, incident: IncidentRecord) -> tuple[str, str]:
    """Whether the accounts name the same family of victims or owners ("the Haddad family", "عائلة حداد").

    The strongest detail a monitor gives; compared by consonant skeleton, so
    across scripts. Unknown when either names none.
    """
    mine = family_names(f"{report.title}. {report.narrative}")
    theirs: set[str] = set()
    for text in (*incident.titles, *incident.narratives):
        theirs |= family_names(text)
    return names_compared(mine, theirs)


def landmark_agreement(report: ReportRecord, incident: IncidentRecord) -> tuple[str, str]:
    """Whether the accounts place the event by the same landmark (the bakery, الفرن), in either language."""
    mine = landmarks(f"{report.title}. {report.narrative}")
    theirs = frozenset().union(*(landmarks(t) for t in (*incident.titles, *incident.narratives)))
    return names_compared(mine, theirs)


def names_compared(mine: AbstractSet[str], theirs: AbstractSet[str]) -> tuple[str, str]:
    """The family (or landmark) level of the report's names against the incident's, and the names it rests on."""
    if not mine or not theirs:
        return UNKNOWN, ""
    shared = mine & theirs
    return ("same" if shared else "different"), " ".join(sorted(shared or mine))


def _ranges_agree(a: Figure, b: Figure) -> str:
    if a.low == b.low and a.high == b.high:
        return "equal"
    if a.low <= b.high and b.low <= a.high:
        return "overlap"
    low, high = (a, b) if a.high < b.low else (b, a)
    # Conflicting counts of one event are common: 12 against 15 or 20. 3 against 40 is another event.
    if high.low <= low.high * 1.5 + 1:
        return "close"
    if high.low <= low.high * 2.5 + 2:
        return "apart"
    return "conflict"


def figures_agreement(report: ReportRecord, incident: IncidentRecord) -> tuple[str, dict[str, str]]:
    """Whether the casualty figures of the same kind and group agree, taking the best of the incident's figures."""
    mine = {(f.kind, f.group): f for f in report.figures}
    if not mine or not incident.figures:
        return UNKNOWN, {}
    # A count over a longer time (a post about "this week" against an account of one day) includes the
    # shorter one's: a higher figure on the longer side is no evidence that the events differ.
    return figures_compared(mine, incident.figures, _covers_longer(report, incident))


_VERDICT_RANK = {"equal": 0, "overlap": 1, "close": 2, "wider": 3, "apart": 4, "conflict": 5}
_VERDICT_LEVEL = {
    "equal": "equal",
    "overlap": "agree",
    "close": "close",
    "wider": UNKNOWN,
    "apart": "apart",
    "conflict": "conflict",
}


def figures_compared(
    mine: Mapping[tuple[str, str], Figure], figures: Sequence[Figure], longer: str | None
) -> tuple[str, dict[str, str]]:
    """`figures_agreement` of the report's figures by (kind, group), the incident's, and `_covers_longer`."""
    verdicts: dict[str, str] = {}
    rank = _VERDICT_RANK
    for figure in figures:
        key = (figure.kind, figure.group)
        if key in mine:
            verdict = _ranges_agree(mine[key], figure)
            if verdict in ("apart", "conflict") and longer == ("report" if mine[key].low > figure.high else "incident"):
                verdict = "wider"
            name = f"{key[0]}/{key[1]}"
            if name not in verdicts or rank[verdict] < rank[verdicts[name]]:
                verdicts[name] = verdict
    if not verdicts:
        return UNKNOWN, {}
    worst = max(verdicts.values(), key=rank.__getitem__)
    return _VERDICT_LEVEL[worst], verdicts


def _covers_longer(report: ReportRecord, incident: IncidentRecord) -> str | None:
    """Which side's figures cover a longer time ("report" or "incident"): a coarser precision, a wider window."""
    mine = covered_seconds(report.occurred_from, report.occurred_to, report.time_precision)
    theirs = covered_seconds(incident.occurred_from, incident.occurred_to, incident.time_precision)
    return longer_of(mine, theirs)


def covered_seconds(start: datetime, end: datetime | None, precision: int) -> float:
    """The time a side's figures cover, in seconds: its window, or a week or month for a coarser precision."""
    window = ((end or start) - start).total_seconds()
    return max(window, {1: 0.0, 2: 6 * 86400.0, 3: 27 * 86400.0}.get(precision, 0.0))


def longer_of(mine: float, theirs: float) -> str | None:
    """`_covers_longer` of the two sides' `covered_seconds`."""
    if mine >= 2 * 86400 and mine > 2 * theirs:
        return "report"
    if theirs >= 2 * 86400 and theirs > 2 * mine:
        return "incident"
    return None


def perpetrator_agreement(report: ReportRecord, incident: IncidentRecord) -> tuple[str, str]:
    """Whether the alleged perpetrators name the same party; unnamed or unknown perpetrators weigh nothing."""
    mine = perpetrator_party(report.perpetrator)
    theirs = {p for p in (perpetrator_party(name) for name in incident.perpetrators) if p}
    return parties_compared(mine, theirs)


def parties_compared(mine: str | None, theirs: AbstractSet[str]) -> tuple[str, str]:
    """The perpetrator level of the report's party against the incident's parties, and the report's party."""
    if mine is None or not theirs:
        return UNKNOWN, ""
    if mine in theirs:
        return "agree", mine
    if mine.startswith("other:") or any(t.startswith("other:") for t in theirs):
        return UNKNOWN, mine
    return "disagree", mine


def location(report: ReportRecord, incident: IncidentRecord) -> tuple[str, dict[str, Any]]:
    """Place names and coordinates together: "same/same_spot", "compatible/unknown", ...

    They are not independent (two reports naming one village also give
    nearby points): the matcher weighs the place level ("location") and the
    distance given the place ("distance", this joint level when both reports
    have coordinates; see `model.CONDITIONAL_FEATURES`), never the two added
    as if independent.
    """
    place_level, place = place_agreement(report, incident)
    distance_level, km = distance(report, incident)
    return f"{place_level}/{distance_level}", {"place": place_level, "place_detail": place, "distance_km": km}


def category_agreement(report: ReportRecord, incident: IncidentRecord) -> tuple[str, str]:
    """Same category, or a compatible one (killing ~ execution); incompatible ones are never scored."""
    if report.category == incident.category:
        return "same", report.category
    if incident.category in compatible_categories(report.category):
        return "compatible", f"{report.category}~{incident.category}"
    return "incompatible", f"{report.category}≠{incident.category}"


@dataclass(frozen=True)
class Profile:
    """What tells an incident apart from another: its family names, landmarks, places, point, time and figures."""

    families: frozenset[str]
    landmarks: frozenset[str]
    places: frozenset[str]
    incident: IncidentRecord

    @classmethod
    def of(cls, incident: IncidentRecord) -> Profile:
        texts = (*incident.titles, *incident.narratives)
        return cls(
            families=frozenset().union(*(family_names(t) for t in texts)),
            landmarks=frozenset().union(*(landmarks(t) for t in texts)),
            places=frozenset(key for key in (specific_place(n) for n in incident.place_names) if key),
            incident=incident,
        )


def distinct_events(a: Profile, b: Profile) -> bool:
    """Whether two incidents are known to be different events, not two fragments of one.

    Two incidents can both match a report well because they are one event
    registered twice (a report that missed its incident started another), or
    because they are look-alikes (two fires in one village on one day). Only
    look-alikes should compete for the report. They are told apart by what
    they disagree on: different families or landmarks, different villages,
    points too far apart, times hours apart, or conflicting figures.
    """
    if a.families and b.families and not a.families & b.families:
        return True
    if a.landmarks and b.landmarks and not a.landmarks & b.landmarks:
        return True
    if a.places and b.places and max(place_similarity(x, y) for x in a.places for y in b.places) < 85:
        return True
    x, y = a.incident, b.incident
    if None not in (x.latitude, x.longitude, y.latitude, y.longitude):
        km = haversine_km(x.latitude, x.longitude, y.latitude, y.longitude)  # type: ignore[arg-type]
        if km > 2 * GEO_SCALE_KM.get(max(x.geo_precision, y.geo_precision), 20.0):
            return True
    if x.time_precision == 1 and y.time_precision == 1:
        x_start, x_end = _span(x.occurred_from, x.occurred_to)
        y_start, y_end = _span(y.occurred_from, y.occurred_to)
        gap = max((y_start - x_end).total_seconds(), (x_start - y_end).total_seconds(), 0) / 3600
        if gap > 18:
            return True
    theirs = {(f.kind, f.group): f for f in y.figures}
    for figure in x.figures:
        other = theirs.get((figure.kind, figure.group))
        if other is not None and _ranges_agree(figure, other) == "conflict":
            return True
    return False
