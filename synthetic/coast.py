"""Generated incidents on the Syrian coast and the reports monitors would file about them, with ground truth.

`generate(seed=...)` is deterministic: the same seed gives the same incidents
and the same reports, byte for byte. Each report's `data` is exactly what
`reports.services.report_submit(monitor=..., report_id=..., data=...)` takes.

What makes it hard for a matcher, on purpose:
- each incident is reported 1–5 times, by different monitors, in Arabic or English;
- times are jittered, or given only as a day, a week or a month (ACLED time precision);
- places are spelled several ways (Qardaha, Al-Qardaha, Kardaha, القرداحة), given as
  a village or only as the district town, with or without coordinates, sometimes
  filed under the neighbouring district;
- figures conflict (12 against 15 or 20, now and then a wild one), some reports add a
  cumulative claim for the whole coast ("1,225 civilians killed since Thursday");
- perpetrators are named differently, or blamed on another party, or not named;
- hard negatives: a second arson attack (or killing, or looting) in the same village on the
  same day, and an outage in the very street of a killing.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from incidents.dedup.geo import neighbouring_districts
from synthetic import texts
from synthetic.localities import Locality, district_town, localities

# Syria keeps UTC+3 all year since 2022.
DAMASCUS = timezone(timedelta(hours=3), "Asia/Damascus")
DEFAULT_START = datetime(2025, 3, 6, 0, 0, tzinfo=DAMASCUS)  # Thursday 6 March 2025
DEFAULT_DAYS = 5  # to the end of Monday 10 March

# How common each kind of event was on the coast those days (a reasonable mix, not a statistic).
CATEGORY_WEIGHTS = {
    "killing": 26,
    "execution": 10,
    "looting": 13,
    "arson": 12,
    "property_destruction": 3,
    "armed_clash": 8,
    "ambush": 3,
    "abduction": 6,
    "arbitrary_detention": 2,
    "electricity_outage": 6,
    "water_outage": 4,
    "telecom_outage": 2,
    "displacement": 3,
    "shelling": 2,
}
# Another witness files the same event under a neighbouring category.
ALTERNATIVES = {
    "killing": ("execution", "injury"),
    "execution": ("killing",),
    "looting": ("arson", "property_destruction"),
    "arson": ("looting",),
    "property_destruction": ("arson",),
    "armed_clash": ("ambush",),
    "ambush": ("armed_clash",),
    "abduction": ("arbitrary_detention",),
    "arbitrary_detention": ("abduction",),
}
# The figures an event of each category carries: (kind, group, typical size).
FIGURES = {
    "killing": (("killed", "civilian", 8), ("injured", "civilian", 5)),
    "execution": (("killed", "civilian", 6),),
    "armed_clash": (("killed", "security_forces", 4), ("killed", "armed_group", 5)),
    "ambush": (("killed", "security_forces", 4), ("injured", "security_forces", 3)),
    "abduction": (("abducted", "civilian", 3),),
    "arbitrary_detention": (("detained", "civilian", 5),),
    "shelling": (("injured", "civilian", 3),),
}
# How often a monitor names the family of the victims or owners.
FAMILY_MENTION = {
    "killing": 0.85,
    "execution": 0.85,
    "injury": 0.7,
    "abduction": 0.8,
    "arbitrary_detention": 0.7,
    "looting": 0.7,
    "arson": 0.7,
    "property_destruction": 0.7,
    "electricity_outage": 0.0,
    "water_outage": 0.0,
    "telecom_outage": 0.0,
}
OUTAGE_SERVICE = {"electricity_outage": "electricity", "water_outage": "water", "telecom_outage": "telecom"}
PARTIES = {  # who is blamed, by category
    "armed_clash": ("loyalist",),
    "ambush": ("loyalist",),
    "displacement": ("government", "loyalist"),
}
CUMULATIVE_CLAIMS = (745, 973, 1018, 1225, 1383)
SOURCES = (
    ("eyewitness", 30, "BCDF", (2, 3, 4, 6)),
    ("victim", 8, "BCD", (2, 3, 6)),
    ("relative", 14, "CDF", (3, 4, 6)),
    ("medical", 6, "ABC", (1, 2, 3)),
    ("local_official", 6, "BCD", (2, 3, 4)),
    ("media", 14, "BCDE", (2, 3, 4, 5)),
    ("social_media", 16, "DEF", (4, 5, 6)),
    ("other", 4, "F", (6,)),
)
REPORTS_PER_INCIDENT = ((1, 34), (2, 30), (3, 19), (4, 10), (5, 7))


@dataclass(frozen=True)
class SyntheticIncident:
    """The ground truth: one real event."""

    id: str
    category: str
    occurred_at: datetime
    occurred_until: datetime | None
    admin1: str
    admin2: str
    locality: str
    latitude: float
    longitude: float
    figures: tuple[tuple[str, str, int], ...]  # kind, group, true count
    party: str  # "government", "loyalist" or "unknown"
    family: int
    landmark: int
    hard_negative_of: str | None = None  # the incident this one was made to be confused with


@dataclass(frozen=True)
class GeneratedReport:
    """One report as a monitor would submit it, with where it came from."""

    report_id: str
    monitor_index: int
    incident_id: str  # ground truth
    submitted_at: datetime  # reports arrive in this order
    data: dict[str, Any] = field(compare=False)  # exactly what report_submit(data=...) takes


@dataclass(frozen=True)
class SyntheticSet:
    incidents: list[SyntheticIncident]
    reports: list[GeneratedReport]  # in arrival order

    def truth(self) -> dict[str, str]:
        """Report id → ground-truth incident id."""
        return {r.report_id: r.incident_id for r in self.reports}


def generate(
    *,
    seed: int,
    incidents: int = 300,
    start: datetime = DEFAULT_START,
    days: float = DEFAULT_DAYS,
    monitors: int = 40,
    hard_negative_rate: float = 0.12,
    outage_in_the_street_rate: float = 0.06,
) -> SyntheticSet:
    """A deterministic set of `incidents` events (hard negatives included) and their reports.

    The density of the default (300 incidents over five days on two
    governorates) is that of March 2025, hard on purpose. For large sets
    (speed benchmarks) spread them over more days — about 60 a day keeps each
    report's block realistic: `generate(seed=1, incidents=100_000, days=1700)`.
    """
    rng = random.Random(seed)
    made = list(_incidents(rng, incidents, start, days, hard_negative_rate, outage_in_the_street_rate))
    reports = [report for incident in made for report in _reports(rng, incident, monitors)]
    reports.sort(key=lambda r: (r.submitted_at, r.report_id))
    return SyntheticSet(incidents=made, reports=reports)


def _incidents(
    rng: random.Random, count: int, start: datetime, days: float, hard_rate: float, outage_rate: float
) -> Iterator[SyntheticIncident]:
    places = localities()
    categories = list(CATEGORY_WEIGHTS)
    weights = list(CATEGORY_WEIGHTS.values())
    made = 0
    while made < count:
        category = rng.choices(categories, weights)[0]
        locality = rng.choice(places)
        when = start + timedelta(hours=rng.random() * days * 24)
        incident = _incident(rng, f"T{made:07d}", category, locality, when)
        yield incident
        made += 1
        if (
            made < count
            and category in {"arson", "looting", "killing", "execution", "abduction"}
            and rng.random() < hard_rate
        ):
            # The same kind of event in the same village on the same day, a few hours apart.
            later = max(start, when + timedelta(hours=rng.choice((-1, 1)) * rng.uniform(2, 9)))
            yield _incident(rng, f"T{made:07d}", category, locality, later, near=incident)
            made += 1
        if made < count and category in {"killing", "execution"} and rng.random() < outage_rate:
            # Power or water cut in the very street, the same day.
            outage = rng.choice(("electricity_outage", "water_outage"))
            yield _incident(
                rng,
                f"T{made:07d}",
                outage,
                locality,
                max(start, when + timedelta(hours=rng.uniform(-3, 3))),
                near=incident,
                spot=True,
            )
            made += 1


def _incident(
    rng: random.Random,
    id: str,
    category: str,
    locality: Locality,
    when: datetime,
    *,
    near: SyntheticIncident | None = None,
    spot: bool = False,
) -> SyntheticIncident:
    if near is not None and spot:
        lat, lon = near.latitude, near.longitude
    elif near is not None:
        lat, lon = _jitter(rng, near.latitude, near.longitude, rng.uniform(0.3, 1.2))
    else:
        lat, lon = _jitter(rng, locality.latitude, locality.longitude, 2.5 if locality.is_town else 1.0)
    figures = tuple(
        (kind, group, max(1, round(rng.lognormvariate(math.log(size), 0.8))))
        for kind, group, size in FIGURES.get(category, ())
    )
    figures = tuple(f for i, f in enumerate(figures) if i == 0 or rng.random() < 0.6)
    until = None
    if category in OUTAGE_SERVICE:
        until = when + timedelta(hours=rng.uniform(6, 72))
    elif category in {"armed_clash", "looting", "displacement"} and rng.random() < 0.5:
        until = when + timedelta(hours=rng.uniform(2, 14))
    parties = PARTIES.get(category, ("government", "loyalist", "government", "unknown"))
    family = rng.randrange(len(texts.FAMILIES))
    landmark = rng.randrange(len(texts.LANDMARKS))
    if near is not None:
        while family == near.family:
            family = rng.randrange(len(texts.FAMILIES))
        while landmark == near.landmark:
            landmark = rng.randrange(len(texts.LANDMARKS))
    return SyntheticIncident(
        id=id,
        category=category,
        occurred_at=when,
        occurred_until=until,
        admin1=locality.admin1,
        admin2=locality.admin2,
        locality=locality.key,
        latitude=lat,
        longitude=lon,
        figures=figures,
        party=rng.choice(parties),
        family=family,
        landmark=landmark,
        hard_negative_of=near.id if near is not None else None,
    )


def _jitter(rng: random.Random, lat: float, lon: float, km: float) -> tuple[float, float]:
    """A point about `km` kilometres (one standard deviation) from another."""
    dlat = rng.gauss(0, km) / 111.32
    dlon = rng.gauss(0, km) / (111.32 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


_LOCALITY_BY_KEY: dict[str, Locality] = {}


def _locality(key: str) -> Locality:
    if not _LOCALITY_BY_KEY:
        _LOCALITY_BY_KEY.update((loc.key, loc) for loc in localities())
    return _LOCALITY_BY_KEY[key]


def _reports(rng: random.Random, incident: SyntheticIncident, monitors: int) -> Iterator[GeneratedReport]:
    count = rng.choices([n for n, _ in REPORTS_PER_INCIDENT], [w for _, w in REPORTS_PER_INCIDENT])[0]
    who = rng.sample(range(monitors), min(count, monitors))
    for monitor in who:
        data = _report_data(rng, incident)
        delay = timedelta(hours=rng.expovariate(1 / 10))
        if data["time_precision"] > 1:
            delay += timedelta(days=rng.uniform(1, 6))  # a vague account usually comes later
        yield GeneratedReport(
            report_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            monitor_index=monitor,
            incident_id=incident.id,
            submitted_at=incident.occurred_at + delay,
            data=data,
        )


def _report_data(rng: random.Random, incident: SyntheticIncident) -> dict[str, Any]:
    language = "ar" if rng.random() < 0.65 else "en"
    category = incident.category
    if category in ALTERNATIVES and rng.random() < 0.12:
        category = rng.choice(ALTERNATIVES[category])
    occurred_at, until, precision = _when(rng, incident)
    locality = _locality(incident.locality)
    admin1: str = incident.admin1
    admin2: str | None = incident.admin2
    place_name, bare_name = _place_name(rng, locality, language)
    roll = rng.random()
    if roll < 0.05:  # filed under a neighbouring district (a village near the border)
        admin2 = rng.choice(sorted(neighbouring_districts()[incident.admin2]))
        admin1 = district_town(admin2).admin1
    elif roll < 0.20:
        admin2 = None  # the monitor chose only the governorate
    latitude = longitude = None
    geo_precision = 2
    if rng.random() < 0.5:
        geo_precision = 1 if rng.random() < 0.8 else 2
        latitude, longitude = _jitter(rng, incident.latitude, incident.longitude, 0.15 if geo_precision == 1 else 1.5)
        latitude, longitude = round(latitude, 5), round(longitude, 5)

    casualties, sentences = _casualties(rng, incident, category, language)
    perpetrator = _perpetrator(rng, incident, language)
    place_in_text = bare_name if rng.random() < 0.85 else _place_name(rng, locality, language)[1]
    title, narrative = _text(rng, incident, category, language, place_in_text, perpetrator, casualties, sentences)
    source_type, reliability, credibility = _source(rng)
    data: dict[str, Any] = {
        "category": category,
        "occurred_at": occurred_at,
        "occurred_until": until,
        "time_precision": precision,
        "admin1": admin1,
        "admin2": admin2,
        "place_name": place_name,
        "latitude": latitude,
        "longitude": longitude,
        "geo_precision": geo_precision,
        "title": title[:200],
        "narrative": narrative,
        "language": language,
        "casualties": casualties,
        "perpetrator": perpetrator,
        "source_type": source_type,
        "source_reliability": reliability,
        "info_credibility": credibility,
    }
    if category in OUTAGE_SERVICE:
        data["service"] = OUTAGE_SERVICE[category]
        restored = incident.occurred_until
        data["outage_restored_at"] = restored if restored and restored >= occurred_at and rng.random() < 0.5 else None
    return data


def _when(rng: random.Random, incident: SyntheticIncident) -> tuple[datetime, datetime | None, int]:
    """The time a monitor gives: to the hour, the day, the week or the month (ACLED precision 1, 1, 2, 3)."""
    true = incident.occurred_at
    roll = rng.random()
    if roll < 0.62:
        # Most give the hour give it within an hour or two; some are off by half a day ("last night").
        at = true + timedelta(minutes=rng.gauss(0, 90 if rng.random() < 0.88 else 480))
        until = incident.occurred_until if incident.occurred_until and rng.random() < 0.5 else None
        return _minute(at), until if until is None or until >= at else None, 1
    if roll < 0.87:  # "on Friday": the whole day
        day = (true + timedelta(hours=rng.choice((0, 0, 0, -6, 6)))).replace(hour=0, minute=0, second=0, microsecond=0)
        return day, day + timedelta(hours=23, minutes=59), 1
    if roll < 0.96:  # "last week"
        week_start = (true - timedelta(days=rng.randrange(7))).replace(hour=0, minute=0, second=0, microsecond=0)
        return week_start, week_start + timedelta(days=7), 2
    month = true.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    next_month = (month + timedelta(days=32)).replace(day=1)
    return month, next_month - timedelta(minutes=1), 3


def _minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def _place_name(rng: random.Random, locality: Locality, language: str) -> tuple[str, str]:
    """The place as the monitor fills in the field ("near Beit Yashout"), and the bare name for the text."""
    if not locality.is_town and rng.random() < 0.12:
        # Only the district town: "near Jableh", "ريف جبلة".
        locality = district_town(locality.admin2)
    names = locality.arabic if language == "ar" else locality.latin
    name = rng.choice(names)
    if locality.is_town:
        return rng.choice(texts.TOWN_FORMS[language]).format(name=name), name
    town = district_town(locality.admin2)
    district = rng.choice(town.arabic if language == "ar" else town.latin)
    return rng.choice(texts.PLACE_FORMS[language]).format(name=name, district=district), name


def _casualties(
    rng: random.Random, incident: SyntheticIncident, category: str, language: str
) -> tuple[list[dict[str, Any]], list[str]]:
    rows: list[dict[str, Any]] = []
    sentences: list[str] = []
    for kind, group, true in incident.figures:
        if rng.random() < 0.2:
            continue  # this monitor gives no figure of this kind
        factor = rng.uniform(0.7, 1.35) if rng.random() < 0.93 else rng.choice((0.3, 2.5, 3.0))
        value = max(1 if true else 0, round(true * factor))
        low = high = value
        if rng.random() < 0.25:  # "between 10 and 15"
            low, high = max(0, round(value * 0.8)), round(value * 1.25) + 1
        rows.append({"kind": kind, "group": group, "low": low, "high": high, "scope": "incident"})
        if kind in texts.FIGURE_SENTENCES and rng.random() < 0.8:
            sentences.append(rng.choice(texts.FIGURE_SENTENCES[kind][language]).format(n=high))
    if incident.figures and category not in OUTAGE_SERVICE and rng.random() < 0.08:
        claim = rng.choice(CUMULATIVE_CLAIMS)
        rows.append({"kind": "killed", "group": "civilian", "low": claim, "high": claim, "scope": "cumulative"})
        sentences.append(rng.choice(texts.CUMULATIVE_SENTENCES[language]).format(n=f"{claim:,}"))
    return rows, sentences


def _perpetrator(rng: random.Random, incident: SyntheticIncident, language: str) -> str:
    if incident.category in OUTAGE_SERVICE:
        return ""
    roll = rng.random()
    if roll < 0.3:
        return ""
    if roll < 0.85:
        party = incident.party
    elif roll < 0.95:
        party = "unknown"
    else:
        party = rng.choice([p for p in ("government", "loyalist") if p != incident.party])  # blamed on the other side
    return rng.choice(texts.PERPETRATORS[party][language])


def _text(
    rng: random.Random,
    incident: SyntheticIncident,
    category: str,
    language: str,
    place: str,
    perpetrator: str,
    casualties: list[dict[str, Any]],
    figure_sentences: list[str],
) -> tuple[str, str]:
    incident_rows = [row for row in casualties if row["scope"] == "incident"]
    n = incident_rows[0]["high"] if incident_rows else None
    titles = texts.TITLES[category][language]
    if n is None:
        titles = tuple(t for t in titles if "{n}" not in t) or (titles[0].replace("{n} ", ""),)
    title = rng.choice(titles).format(place=place, n=n)
    perp = perpetrator or rng.choice(texts.PERPETRATORS["unknown"][language])
    sentences = [rng.choice(texts.LEADS[category][language]).format(place=place, perp=perp)]
    sentences += figure_sentences
    family, landmark = texts.FAMILIES[incident.family], texts.LANDMARKS[incident.landmark]
    index = 1 if language == "ar" else 0
    if rng.random() < FAMILY_MENTION.get(category, 0.4):
        sentences.append(rng.choice(texts.FAMILY_SENTENCES[language]).format(family=family[index]))
    if rng.random() < 0.6:
        sentences.append(rng.choice(texts.LANDMARK_SENTENCES[language]).format(landmark=landmark[index]))
    if rng.random() < 0.5:
        sentences.append(rng.choice(texts.CONTEXT_SENTENCES[language]))
    head, tail = sentences[0], sentences[1:]
    rng.shuffle(tail)
    narrative = " ".join([head, *tail]) if rng.random() < 0.9 else ""
    return title, narrative


def _source(rng: random.Random) -> tuple[str, str, int]:
    kind, _, grades, credibilities = rng.choices(SOURCES, [s[1] for s in SOURCES])[0]
    return kind, rng.choice(grades), rng.choice(credibilities)
