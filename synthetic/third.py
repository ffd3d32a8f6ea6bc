"""A third generated world, held out: written after every change to the matcher so far, and never to be tuned on.

`synthetic.second` was meant to be the world nobody tuned on, but its missed
pairs were read to shape two comparison levels and the full-name reader
(BENCHMARKS.md, "comparison levels that fit the world"). This world takes its
place as the untouched one. Its figures are only ever run and reported: its
missed pairs are never read, and nothing in `incidents/dedup/` is changed
because of it. If that happens, a fourth world is owed.

The same coast, gazetteer and submission shape (`data` is what
`reports.services.report_submit` takes). Its assumptions differ from both
other worlds:

- **a wave**: seven events in ten fall in the first 60 hours, the rest are
  spread over the five days, so the first days are much denser than elsewhere;
- **look-alikes in time**: the same kind of event in the same village one or
  two days later, by the same party (a raid that comes back: 10 %), and
  outages that recur in the same town day after day (half of the outages come
  back the next day or two);
- **reposts**: a third of later accounts copy an earlier account of the same
  event, in its language, word for word or with a line cut or added, and its
  figures (a shared post). Independent accounts are written from templates
  of this module's own, in two registers (a monitor's note, a news wire);
- **dated on the day of writing**: one account in four that gives only a day
  gives the day it was written (the event's day or up to two days later);
- **places**: one account in five names only "the countryside of" the
  district town; one in six a neighbourhood phrase ("near the X road");
  Latin spellings change case, hyphens and the article freely;
- **coordinates**: a third of the accounts have them; of those, two in five
  are the district town's centre (a phone geocoding the town), precision 2;
- **categories**: arson filed as property destruction, abduction as arbitrary
  detention, killing as execution, each one time in five;
- **figures**: often ranges ("between 8 and 12"), or an "at least" figure (low
  only as high); a fifth of the accounts give none;
- reports per event: one in 40 %, two in 22 %, then up to eight (a few told
  many times), arriving up to four days late.

`generate(seed=...)` is deterministic; the ground truth is `SyntheticSet.truth()`.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from synthetic.coast import (
    DEFAULT_DAYS,
    DEFAULT_START,
    OUTAGE_SERVICE,
    GeneratedReport,
    SyntheticIncident,
    SyntheticSet,
    _jitter,
    _locality,
)
from synthetic.localities import Locality, district_town, localities
from synthetic.texts import FAMILIES, LANDMARKS

CATEGORY_WEIGHTS = {
    "killing": 22,
    "execution": 9,
    "looting": 14,
    "arson": 14,
    "armed_clash": 9,
    "abduction": 9,
    "electricity_outage": 8,
    "water_outage": 6,
    "displacement": 5,
    "shelling": 4,
}
FILED_AS = {"arson": "property_destruction", "abduction": "arbitrary_detention", "killing": "execution"}
FIGURES = {
    "killing": (("killed", "civilian", 7), ("injured", "civilian", 6)),
    "execution": (("killed", "civilian", 9),),
    "armed_clash": (("killed", "security_forces", 3), ("killed", "armed_group", 4)),
    "abduction": (("abducted", "civilian", 2),),
    "shelling": (("injured", "civilian", 4),),
}
PARTY = {"armed_clash": ("loyalist",), "shelling": ("government", "loyalist")}
PARTY_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "government": {"en": ("security forces", "General Security units"), "ar": ("قوات الأمن العام", "الأمن العام")},
    "loyalist": {"en": ("gunmen loyal to the old regime", "armed remnants"), "ar": ("مسلحون من فلول النظام", "فلول")},
}
REPORTS = ((1, 40), (2, 22), (3, 14), (4, 9), (5, 6), (6, 4), (7, 3), (8, 2))
WAVE_HOURS = 60
DAYS_LATER = (1, 2)

# Templates of this world only: what happened (title), then a lead. {place}, {n}, {party}.
TITLES: dict[str, dict[str, tuple[str, ...]]] = {
    "killing": {
        "en": ("{n} dead in {place}", "Civilians killed in {place}", "Killings reported in {place}"),
        "ar": ("{n} قتلى في {place}", "قتل مدنيين في {place}", "أنباء عن عمليات قتل في {place}"),
    },
    "execution": {
        "en": ("Field executions in {place}", "{n} executed in {place}"),
        "ar": ("إعدامات ميدانية في {place}", "إعدام {n} أشخاص في {place}"),
    },
    "looting": {
        "en": ("Homes looted in {place}", "Shops robbed in {place}"),
        "ar": ("نهب منازل في {place}", "سرقة محال في {place}"),
    },
    "arson": {
        "en": ("Houses set on fire in {place}", "Fires in {place}"),
        "ar": ("حرق بيوت في {place}", "حرائق في {place}"),
    },
    "armed_clash": {
        "en": ("Gunfire exchanged in {place}", "Clashes near {place}"),
        "ar": ("تبادل إطلاق نار في {place}", "مواجهات قرب {place}"),
    },
    "abduction": {
        "en": ("People taken from {place}", "{n} abducted in {place}"),
        "ar": ("خطف أشخاص من {place}", "اختطاف {n} في {place}"),
    },
    "electricity_outage": {
        "en": ("Power cut in {place}", "{place} without electricity"),
        "ar": ("قطع الكهرباء في {place}", "{place} بلا كهرباء"),
    },
    "water_outage": {
        "en": ("Water cut in {place}", "No running water in {place}"),
        "ar": ("انقطاع المياه في {place}", "{place} بلا ماء"),
    },
    "displacement": {
        "en": ("Families flee {place}", "Residents leave {place}"),
        "ar": ("نزوح عائلات من {place}", "الأهالي يغادرون {place}"),
    },
    "shelling": {
        "en": ("Shells hit {place}", "Bombardment of {place}"),
        "ar": ("قذائف على {place}", "قصف {place}"),
    },
}
LEADS = {
    "en": (
        "A monitor in {place} says {party} were responsible.",
        "Residents of {place} describe a night of fear; {party} are blamed.",
        "According to local sources in {place}, {party} carried it out.",
        "Details from {place} remain unclear.",
    ),
    "ar": (
        "يقول مراقب في {place} إن {party} مسؤولون.",
        "يصف أهالي {place} ليلة من الرعب، ويتهمون {party}.",
        "بحسب مصادر محلية في {place} فإن {party} نفذوا ذلك.",
        "التفاصيل من {place} ما زالت غير واضحة.",
    ),
}
FIGURE_LINES = {
    "en": ("The toll is put at {low} to {high}.", "At least {low} people are affected."),
    "ar": ("الحصيلة بين {low} و{high}.", "ما لا يقل عن {low} أشخاص."),
}
FAMILY_LINES = {"en": ("The {family} family was hit.",), "ar": ("طالت آل {family}.",)}
LANDMARK_LINES = {"en": ("It happened by {landmark}.",), "ar": ("وقع ذلك عند {landmark}.",)}
EXTRA_LINES = {
    "en": ("More details to follow.", "The account could not be verified independently."),
    "ar": ("المزيد من التفاصيل لاحقاً.", "لم يتسن التحقق من الرواية بشكل مستقل."),
}
NEAR = {"en": ("near the {name} road", "outskirts of {name}"), "ar": ("قرب طريق {name}", "أطراف {name}")}
COUNTRYSIDE = {"en": ("{name} countryside", "rural {name}"), "ar": ("ريف {name}",)}


def generate(
    *,
    seed: int,
    incidents: int = 300,
    start: datetime = DEFAULT_START,
    days: float = DEFAULT_DAYS,
    monitors: int = 40,
) -> SyntheticSet:
    """A deterministic set of `incidents` events and their reports, in arrival order, with the truth."""
    rng = random.Random(seed * 7919 + 3)
    made = list(_incidents(rng, incidents, start, days))
    reports: list[GeneratedReport] = []
    for incident in made:
        reports.extend(_reports(rng, incident, monitors))
    reports.sort(key=lambda r: (r.submitted_at, r.report_id))
    return SyntheticSet(incidents=made, reports=reports)


def _incidents(rng: random.Random, count: int, start: datetime, days: float) -> Iterator[SyntheticIncident]:
    places = localities()
    categories, weights = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
    made = 0
    while made < count:
        category = rng.choices(categories, weights)[0]
        locality = rng.choice(places)
        hours = rng.uniform(0, WAVE_HOURS) if rng.random() < 0.7 else rng.uniform(0, days * 24)
        incident = _incident(rng, f"H{made:07d}", category, locality, start + timedelta(hours=hours))
        yield incident
        made += 1
        again = category in OUTAGE_SERVICE and rng.random() < 0.5
        again = again or (category in {"looting", "arson", "killing", "abduction"} and rng.random() < 0.10)
        if again and made < count:
            later = incident.occurred_at + timedelta(days=rng.choice(DAYS_LATER), hours=rng.uniform(-4, 4))
            yield _incident(rng, f"H{made:07d}", category, locality, later, like=incident)
            made += 1


def _incident(
    rng: random.Random,
    id: str,
    category: str,
    locality: Locality,
    when: datetime,
    *,
    like: SyntheticIncident | None = None,
) -> SyntheticIncident:
    if like is not None:
        lat, lon = _jitter(rng, like.latitude, like.longitude, 0.4)
    else:
        lat, lon = _jitter(rng, locality.latitude, locality.longitude, 2.0 if locality.is_town else 0.8)
    figures = tuple(
        (kind, group, max(1, round(rng.lognormvariate(math.log(size), 0.9))))
        for i, (kind, group, size) in enumerate(FIGURES.get(category, ()))
        if i == 0 or rng.random() < 0.5
    )
    until = when + timedelta(hours=rng.uniform(4, 30)) if category in OUTAGE_SERVICE else None
    party = like.party if like is not None else rng.choice(PARTY.get(category, ("government", "loyalist", "unknown")))
    family, landmark = rng.randrange(len(FAMILIES)), rng.randrange(len(LANDMARKS))
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
        party=party,
        family=family,
        landmark=landmark,
        hard_negative_of=like.id if like is not None else None,
    )


def _reports(rng: random.Random, incident: SyntheticIncident, monitors: int) -> Iterator[GeneratedReport]:
    count = rng.choices([n for n, _ in REPORTS], [w for _, w in REPORTS])[0]
    earlier: list[dict[str, Any]] = []
    delays = sorted(rng.uniform(0.5, 96) * rng.random() for _ in range(count))
    for delay in delays:
        reposted = earlier and rng.random() < 1 / 3
        data = _repost(rng, rng.choice(earlier)) if reposted else _report_data(rng, incident)
        earlier.append(data)
        yield GeneratedReport(
            report_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            monitor_index=rng.randrange(monitors),
            incident_id=incident.id,
            submitted_at=incident.occurred_at + timedelta(hours=delay),
            data=data,
        )


def _repost(rng: random.Random, original: dict[str, Any]) -> dict[str, Any]:
    """A shared post: the same words (a line cut or added) and figures, its own source and often no point."""
    data = dict(original)
    lines = [line for line in str(original["narrative"]).split("\n") if line]
    if len(lines) > 1 and rng.random() < 0.4:
        lines.pop(rng.randrange(1, len(lines)))
    elif rng.random() < 0.3:
        lines.append(rng.choice(EXTRA_LINES[original["language"]]))
    data["narrative"] = "\n".join(lines)
    data["casualties"] = [dict(row) for row in original["casualties"]]
    if rng.random() < 0.6:
        data["latitude"] = data["longitude"] = None
        data["geo_precision"] = 2
    data["source_type"], data["source_reliability"], data["info_credibility"] = "social_media", "E", 5
    return data


def _spelling(rng: random.Random, name: str) -> str:
    """A Latin name as people type it: the article joined, spaced or dropped, the case as it comes."""
    for article in ("Al-", "al-", "Al ", "El-"):
        if name.startswith(article):
            rest = name[len(article) :]
            name = rng.choice((f"Al-{rest}", f"al {rest}", f"El {rest}", rest, f"Al{rest.lower()}"))
            break
    roll = rng.random()
    return name.lower() if roll < 0.1 else name.upper() if roll < 0.15 else name


def _place(rng: random.Random, locality: Locality, language: str) -> tuple[str, str]:
    """The place field and the name used in the text."""
    town = district_town(locality.admin2)
    roll = rng.random()
    if roll < 0.2:
        name = rng.choice(town.arabic if language == "ar" else town.latin)
        return rng.choice(COUNTRYSIDE[language]).format(name=name), name
    names = locality.arabic if language == "ar" else tuple(_spelling(rng, n) for n in locality.latin)
    name = rng.choice(names)
    if roll < 0.36:
        return rng.choice(NEAR[language]).format(name=name), name
    return name, name


def _when(rng: random.Random, incident: SyntheticIncident) -> tuple[datetime, datetime | None, int]:
    true = incident.occurred_at
    roll = rng.random()
    if roll < 0.5:  # to the hour, give or take
        at = (true + timedelta(minutes=rng.gauss(0, 50))).replace(second=0, microsecond=0)
        return at, None, 1
    if roll < 0.88:  # a day: the event's, or in one case in four the day it was written
        shift = timedelta(days=rng.choice((0, 1, 1, 2))) if rng.random() < 0.25 else timedelta(0)
        day = (true + shift).replace(hour=0, minute=0, second=0, microsecond=0)
        return day, day + timedelta(hours=23, minutes=59), 1
    week = (true - timedelta(days=rng.randrange(7))).replace(hour=0, minute=0, second=0, microsecond=0)
    return week, week + timedelta(days=7), 2


def _figures(rng: random.Random, incident: SyntheticIncident, language: str) -> tuple[list[dict[str, Any]], list[str]]:
    rows: list[dict[str, Any]] = []
    lines: list[str] = []
    if rng.random() < 0.2:
        return rows, lines
    for kind, group, true in incident.figures:
        value = max(1, round(true * rng.uniform(0.6, 1.5)))
        roll = rng.random()
        if roll < 0.4:  # between
            low, high = max(1, value - rng.randint(1, 4)), value + rng.randint(1, 5)
        elif roll < 0.6:  # "at least": only the low figure is known
            low = high = max(1, round(value * 0.8))
        else:
            low = high = value
        rows.append({"kind": kind, "group": group, "low": low, "high": high, "scope": "incident"})
        if rng.random() < 0.7:
            lines.append(rng.choice(FIGURE_LINES[language]).format(low=low, high=high))
    return rows, lines


def _report_data(rng: random.Random, incident: SyntheticIncident) -> dict[str, Any]:
    language = "ar" if rng.random() < 0.55 else "en"
    category = incident.category
    if category in FILED_AS and rng.random() < 0.2:
        category = FILED_AS[category]
    occurred_at, until, precision = _when(rng, incident)
    locality = _locality(incident.locality)
    place_name, text_name = _place(rng, locality, language)
    latitude = longitude = None
    geo_precision = 2
    if rng.random() < 1 / 3:
        if rng.random() < 0.4:
            town = district_town(locality.admin2)
            latitude, longitude = round(town.latitude, 4), round(town.longitude, 4)
        else:
            geo_precision = 1
            latitude, longitude = (round(v, 5) for v in _jitter(rng, incident.latitude, incident.longitude, 0.2))
    party = ""
    if category not in OUTAGE_SERVICE and incident.party != "unknown" and rng.random() < 0.4:
        party = rng.choice(PARTY_NAMES[incident.party][language])
    casualties, figure_lines = _figures(rng, incident, language)
    high = casualties[0]["high"] if casualties else None
    titles = TITLES[incident.category][language]
    if high is None:
        titles = tuple(t for t in titles if "{n}" not in t) or titles
    title = rng.choice(titles).format(place=text_name, n=high if high is not None else "")
    someone = party or ("مجهولون" if language == "ar" else "unknown men")
    lines = [rng.choice(LEADS[language]).format(place=text_name, party=someone)]
    lines += figure_lines
    index = 1 if language == "ar" else 0
    if rng.random() < 0.25:
        lines.append(rng.choice(FAMILY_LINES[language]).format(family=FAMILIES[incident.family][index]))
    if rng.random() < 0.2:
        lines.append(rng.choice(LANDMARK_LINES[language]).format(landmark=LANDMARKS[incident.landmark][index]))
    data: dict[str, Any] = {
        "category": category,
        "occurred_at": occurred_at,
        "occurred_until": until,
        "time_precision": precision,
        "admin1": incident.admin1,
        "admin2": incident.admin2 if rng.random() < 0.85 else None,
        "place_name": place_name,
        "latitude": latitude,
        "longitude": longitude,
        "geo_precision": geo_precision,
        "title": title[:200],
        "narrative": "\n".join(lines),
        "language": language,
        "casualties": casualties,
        "perpetrator": party,
        "source_type": rng.choice(("eyewitness", "relative", "media", "local_official", "medical")),
        "source_reliability": rng.choice("BCD"),
        "info_credibility": rng.choice((2, 3, 4)),
    }
    if category in OUTAGE_SERVICE:
        data["service"] = OUTAGE_SERVICE[category]
        restored = incident.occurred_until
        data["outage_restored_at"] = restored if restored and restored >= occurred_at and rng.random() < 0.4 else None
    return data
