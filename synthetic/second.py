"""A second generated world, with deliberately different assumptions from `synthetic.coast`. Never tuned on.

A matcher fitted to one synthetic world fails in the next; this one is the
next. The same coast and the same submission shape (`data` is what
`reports.services.report_submit` takes), but:

- **look-alikes**: fewer twins in the same village (4 % instead of 12 %), but
  "sweeps": the same kind of event on the same day in two or three other
  villages of the district, by the same perpetrators, with similar tolls (25 %);
- **scripts**: half the reports in each language, one in five writes the place
  field in the other script than the text, and Latin names are not taken from
  a list but romanised from the Arabic with varying rules (و as w/ou/u/o, ي as
  y/i/ee/ei/e, ا as a/aa/e, ش as sh/ch, ج as j/dj/g, ق as q/k, the article as
  al-/el-/as-…/nothing, doubled letters or not, the final ة as a/ah/eh/e);
- **coordinates**: only one report in five has them;
- **time**: a report dated to the hour is 4–10 hours off in two cases of
  five (UTC against local time, "last night"); fewer vague reports;
- **categories**: a killing is filed as an execution (and the reverse) by
  two witnesses in five;
- **texts**: short wire-style templates of their own; families named half as
  often, sometimes by a victim's full name; landmarks rarely;
- **figures**: noisier (×0.5–1.6, one in ten wild); perpetrators unnamed half the time;
- reports per event 1–7 (more events told many times).

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
)
from synthetic.localities import Locality, district_town, localities
from synthetic.texts import FAMILIES, LANDMARKS

CATEGORY_WEIGHTS = {
    "killing": 30,
    "execution": 16,
    "looting": 10,
    "arson": 10,
    "armed_clash": 8,
    "abduction": 8,
    "arbitrary_detention": 4,
    "electricity_outage": 4,
    "water_outage": 3,
    "displacement": 4,
    "shelling": 3,
}
SWAPS = {"killing": "execution", "execution": "killing", "looting": "arson", "arson": "looting"}
SWAP_RATE = {"killing": 0.4, "execution": 0.4, "looting": 0.15, "arson": 0.15}
FIGURES = {
    "killing": (("killed", "civilian", 9), ("injured", "civilian", 6)),
    "execution": (("killed", "civilian", 7),),
    "armed_clash": (("killed", "security_forces", 3), ("killed", "armed_group", 4)),
    "abduction": (("abducted", "civilian", 4),),
    "arbitrary_detention": (("detained", "civilian", 6),),
    "shelling": (("injured", "civilian", 4),),
}
REPORTS_PER_INCIDENT = ((1, 25), (2, 25), (3, 20), (4, 12), (5, 8), (6, 6), (7, 4))
SWEEP_KINDS = frozenset({"killing", "execution", "arson", "looting", "abduction"})

# Romanisation of Arabic letters, each with the renderings monitors use.
_ROMAN: dict[str, tuple[str, ...]] = {
    "ب": ("b",),
    "ت": ("t",),
    "ث": ("th",),
    "ج": ("j", "j", "dj", "g"),
    "ح": ("h",),
    "خ": ("kh",),
    "د": ("d",),
    "ذ": ("dh",),
    "ر": ("r",),
    "ز": ("z",),
    "س": ("s",),
    "ش": ("sh", "sh", "ch"),
    "ص": ("s",),
    "ض": ("d",),
    "ط": ("t",),
    "ظ": ("z",),
    "ع": ("", "'", "a"),
    "غ": ("gh",),
    "ف": ("f",),
    "ق": ("q", "q", "k"),
    "ك": ("k",),
    "ل": ("l",),
    "م": ("m",),
    "ن": ("n",),
    "ه": ("h",),
    "ء": ("", "'"),
    "أ": ("a", "'a"),
    "إ": ("i", "e"),
    "آ": ("aa", "a"),
    "ئ": ("'", ""),
    "ؤ": ("'", ""),
}
_LONG = {"ا": ("a", "aa", "a", "e"), "و": ("ou", "u", "o", "w", "oo"), "ي": ("i", "y", "ee", "ei", "e"), "ى": ("a",)}
_SHORT = ("a", "e", "i", "u", "a", "")
_SUN = frozenset("تثدذرزسشصضطظلن")
_NOT_NAMES = frozenset({"مركز", "مدينة", "حي", "جزيرة"})


def romanise(arabic: str, rng: random.Random) -> str:
    """One Latin rendering of an Arabic name, with the choices a monitor might make (see the module docstring)."""
    words = []
    for word in arabic.split():
        prefix = ""
        if word.startswith("ال") and len(word) > 3:
            word = word[2:]
            first = _ROMAN.get(word[0], ("",))[0]
            prefix = (
                rng.choice(("al-", "el-", "", "al "))
                if word[0] not in _SUN
                else rng.choice(("al-", "el-", "", f"a{first}-"))
            )
        out = []
        for i, letter in enumerate(word):
            last = i == len(word) - 1
            if letter == "ة":
                out.append(rng.choice(("a", "ah", "eh", "e")) if last else rng.choice(("at", "et", "a")))
                continue
            if letter == "ع" and i == 0:
                out.append(rng.choice(("a", "e", "'a", "ai")))  # Ain, Ein, 'Ayn: a word never starts bare
                continue
            if letter in _LONG:
                if letter in "وي" and (i == 0 or word[i - 1] == "ا"):
                    out.append("w" if letter == "و" else "y")  # consonantal at the start or after alef
                else:
                    out.append(rng.choice(_LONG[letter]))
                continue
            sound = rng.choice(_ROMAN.get(letter, ("",)))
            if sound and out and out[-1] not in "aeiou" and rng.random() < 0.12:
                sound = sound[0] + sound  # a doubled consonant (the unwritten shadda)
            out.append(sound)
            nxt = word[i + 1] if not last else ""
            if not last and nxt not in _LONG and nxt != "ة" and sound:
                out.append(rng.choice(_SHORT))
        name = "".join(out).strip("'")
        words.append(prefix + name.capitalize() if prefix else name.capitalize())
    return " ".join(words)


TITLES = {
    "en": {
        "killing": ("{place}: {n} killed", "{n} dead in {place} attack", "Civilians killed in {place}"),
        "execution": ("{place}: {n} executed", "Men executed at {place}", "{n} shot dead in {place} raid"),
        "looting": ("{place}: homes looted", "Looting in {place}"),
        "arson": ("{place}: houses torched", "Fire set to homes in {place}"),
        "armed_clash": ("{place}: gunfight", "Firefight at {place}"),
        "abduction": ("{place}: {n} taken", "Kidnapping in {place}"),
        "arbitrary_detention": ("{place}: {n} arrested", "Raid and arrests in {place}"),
        "electricity_outage": ("{place}: power down", "Blackout in {place}"),
        "water_outage": ("{place}: taps dry", "Water stopped in {place}"),
        "displacement": ("{place}: residents leave", "Exodus from {place}"),
        "shelling": ("{place}: shells hit homes", "Bombardment of {place}"),
    },
    "ar": {
        "killing": ("{place}: {n} قتلى", "قتلى في هجوم على {place}", "مقتل مدنيين في {place}"),
        "execution": ("{place}: إعدام {n}", "إعدام رجال في {place}", "تصفية {n} في مداهمة {place}"),
        "looting": ("{place}: نهب البيوت", "نهب في {place}"),
        "arson": ("{place}: إحراق منازل", "حرائق في بيوت {place}"),
        "armed_clash": ("{place}: تبادل إطلاق نار", "اشتباك في {place}"),
        "abduction": ("{place}: خطف {n}", "عملية خطف في {place}"),
        "arbitrary_detention": ("{place}: اعتقال {n}", "مداهمة واعتقالات في {place}"),
        "electricity_outage": ("{place}: الكهرباء مقطوعة", "ظلام في {place}"),
        "water_outage": ("{place}: لا ماء", "توقف المياه في {place}"),
        "displacement": ("{place}: الأهالي يغادرون", "نزوح من {place}"),
        "shelling": ("{place}: قذائف على المنازل", "قصف {place}"),
    },
}
LEADS = {
    "en": (
        "Sources in {place} report the incident, blaming {perp}.",
        "A resident of {place} described what happened; {perp} were seen.",
        "Reported from {place} this morning. Those responsible: {perp}.",
    ),
    "ar": (
        "أفادت مصادر من {place} بالحادثة وحمّلت {perp} المسؤولية.",
        "روى أحد سكان {place} ما جرى وقال إن {perp} شوهدوا.",
        "وردت أنباء من {place} صباح اليوم، والمسؤولون: {perp}.",
    ),
}
FIGURE_LINES = {
    "en": ("Toll: {n}.", "{n} casualties counted.", "Around {n} victims."),
    "ar": ("الحصيلة: {n}.", "أحصيت {n} ضحايا.", "نحو {n} ضحايا."),
}
FAMILY_LINES = {
    "en": ("Victims include members of the {family} family.", "Among the dead: {first} {family}."),
    "ar": ("بين الضحايا أفراد من عائلة {family}.", "من بين القتلى {first} {family}."),
}
FIRST_NAMES = (("Ahmad", "أحمد"), ("Ali", "علي"), ("Hasan", "حسن"), ("Samir", "سمير"), ("Nizar", "نزار"))
LANDMARK_LINES = {"en": ("Near {landmark}.",), "ar": ("قرب {landmark}.",)}
PERPS: dict[str, dict[str, tuple[str, ...]]] = {
    "government": {"en": ("security forces", "General Security"), "ar": ("قوات الأمن", "الأمن العام")},
    "loyalist": {"en": ("Assad loyalists", "former regime gunmen"), "ar": ("فلول النظام", "موالون للأسد")},
    "unknown": {"en": ("unidentified gunmen",), "ar": ("مسلحون مجهولون",)},
}


def generate(
    *,
    seed: int,
    incidents: int = 300,
    start: datetime = DEFAULT_START,
    days: float = DEFAULT_DAYS,
    monitors: int = 60,
    twin_rate: float = 0.04,
    sweep_rate: float = 0.25,
) -> SyntheticSet:
    """A deterministic set of `incidents` events and their reports, in arrival order (see the module docstring)."""
    rng = random.Random(seed * 7919 + 17)
    made = list(_incidents(rng, incidents, start, days, twin_rate, sweep_rate))
    reports = [report for incident in made for report in _reports(rng, incident, monitors)]
    reports.sort(key=lambda r: (r.submitted_at, r.report_id))
    return SyntheticSet(incidents=made, reports=reports)


def _villages_of(admin2: str) -> list[Locality]:
    return [loc for loc in localities() if loc.admin2 == admin2 and not loc.is_town]


def _incidents(
    rng: random.Random, count: int, start: datetime, days: float, twin_rate: float, sweep_rate: float
) -> Iterator[SyntheticIncident]:
    places = list(localities())
    categories, weights = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
    made = 0
    while made < count:
        category = rng.choices(categories, weights)[0]
        locality = rng.choice(places)
        when = start + timedelta(hours=rng.random() * days * 24)
        first = _incident(rng, f"S{made:07d}", category, locality, when)
        yield first
        made += 1
        if category not in SWEEP_KINDS:
            continue
        if made < count and rng.random() < twin_rate:
            later = max(start, when + timedelta(hours=rng.choice((-1, 1)) * rng.uniform(3, 10)))
            yield _incident(rng, f"S{made:07d}", category, locality, later, like=first)
            made += 1
        if rng.random() < sweep_rate:
            others = [v for v in _villages_of(locality.admin2) if v.key != locality.key]
            for village in rng.sample(others, min(len(others), rng.choice((1, 2, 2, 3)))):
                if made >= count:
                    break
                at = max(start, when + timedelta(hours=rng.uniform(-5, 5)))
                yield _incident(rng, f"S{made:07d}", category, village, at, like=first, same_party=True)
                made += 1


def _incident(
    rng: random.Random,
    id: str,
    category: str,
    locality: Locality,
    when: datetime,
    *,
    like: SyntheticIncident | None = None,
    same_party: bool = False,
) -> SyntheticIncident:
    lat, lon = _jitter(rng, locality.latitude, locality.longitude, 2.0 if locality.is_town else 0.8)
    if like is not None and like.figures:
        figures = tuple((k, g, max(1, round(n * rng.uniform(0.6, 1.5)))) for k, g, n in like.figures)
    else:
        figures = tuple(
            (kind, group, max(1, round(rng.lognormvariate(math.log(size), 0.7))))
            for kind, group, size in FIGURES.get(category, ())
        )
        figures = tuple(f for i, f in enumerate(figures) if i == 0 or rng.random() < 0.5)
    until = when + timedelta(hours=rng.uniform(8, 60)) if category in OUTAGE_SERVICE else None
    party = like.party if like is not None and same_party else rng.choice(("government", "loyalist", "unknown"))
    family, landmark = rng.randrange(len(FAMILIES)), rng.randrange(len(LANDMARKS))
    if like is not None:
        while family == like.family:
            family = rng.randrange(len(FAMILIES))
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


_BY_KEY: dict[str, Locality] = {}


def _locality(key: str) -> Locality:
    if not _BY_KEY:
        _BY_KEY.update((loc.key, loc) for loc in localities())
    return _BY_KEY[key]


def _reports(rng: random.Random, incident: SyntheticIncident, monitors: int) -> Iterator[GeneratedReport]:
    count = rng.choices([n for n, _ in REPORTS_PER_INCIDENT], [w for _, w in REPORTS_PER_INCIDENT])[0]
    for monitor in rng.sample(range(monitors), count):
        data = _report_data(rng, incident)
        delay = timedelta(hours=rng.expovariate(1 / 14))
        if data["time_precision"] > 1:
            delay += timedelta(days=rng.uniform(1, 4))
        yield GeneratedReport(
            report_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            monitor_index=monitor,
            incident_id=incident.id,
            submitted_at=incident.occurred_at + delay,
            data=data,
        )


def place_spellings(locality: Locality, rng: random.Random, script: str) -> str:
    """A name of the locality in a script: Arabic as written, Latin romanised afresh from its main Arabic name."""
    if script == "ar":
        return rng.choice(locality.arabic)
    # Monitors writing in Latin script name the place, not "the centre of" or "the island of" it.
    words = [w for w in locality.arabic[0].split() if w not in _NOT_NAMES]
    return romanise(" ".join(words), rng)


def _report_data(rng: random.Random, incident: SyntheticIncident) -> dict[str, Any]:
    language = "ar" if rng.random() < 0.5 else "en"
    category = incident.category
    if category in SWAPS and rng.random() < SWAP_RATE[category]:
        category = SWAPS[category]
    occurred_at, until, precision = _when(rng, incident)
    locality = _locality(incident.locality)
    if not locality.is_town and rng.random() < 0.1:
        locality = district_town(locality.admin2)
    field_script = language if rng.random() < 0.8 else ("en" if language == "ar" else "ar")
    place_field = place_spellings(locality, rng, field_script)
    place_text = place_field if field_script == language else place_spellings(locality, rng, language)
    admin1: str = incident.admin1
    admin2: str | None = incident.admin2
    if rng.random() < 0.15:
        admin2 = None
    latitude = longitude = None
    geo_precision = 2
    if rng.random() < 0.2:
        geo_precision = 1
        latitude, longitude = _jitter(rng, incident.latitude, incident.longitude, 0.3)
        latitude, longitude = round(latitude, 5), round(longitude, 5)
    casualties: list[dict[str, Any]] = []
    for kind, group, true in incident.figures:
        if rng.random() < 0.25:
            continue
        factor = rng.uniform(0.5, 1.6) if rng.random() < 0.9 else rng.choice((0.25, 3.0, 4.0))
        value = max(1, round(true * factor))
        casualties.append({"kind": kind, "group": group, "low": value, "high": value, "scope": "incident"})
    if incident.figures and rng.random() < 0.1:
        claim = rng.choice((800, 1018, 1225, 1500))
        casualties.append({"kind": "killed", "group": "civilian", "low": claim, "high": claim, "scope": "cumulative"})
    perpetrator = ""
    if category not in OUTAGE_SERVICE and rng.random() < 0.5:
        party = incident.party if rng.random() < 0.9 else rng.choice(("government", "loyalist"))
        perpetrator = rng.choice(PERPS[party][language])
    title, narrative = _text(rng, incident, category, language, place_text, perpetrator, casualties)
    data: dict[str, Any] = {
        "category": category,
        "occurred_at": occurred_at,
        "occurred_until": until,
        "time_precision": precision,
        "admin1": admin1,
        "admin2": admin2,
        "place_name": place_field,
        "latitude": latitude,
        "longitude": longitude,
        "geo_precision": geo_precision,
        "title": title[:200],
        "narrative": narrative,
        "language": language,
        "casualties": casualties,
        "perpetrator": perpetrator,
        "source_type": rng.choice(("eyewitness", "relative", "media", "social_media", "medical", "local_official")),
        "source_reliability": rng.choice("BCDEF"),
        "info_credibility": rng.randint(2, 6),
    }
    if category in OUTAGE_SERVICE:
        data["service"] = OUTAGE_SERVICE[category]
        data["outage_restored_at"] = None
    return data


def _when(rng: random.Random, incident: SyntheticIncident) -> tuple[datetime, datetime | None, int]:
    true = incident.occurred_at
    roll = rng.random()
    if roll < 0.47:
        at = true + timedelta(minutes=rng.gauss(0, 50))
    elif roll < 0.80:
        at = true + timedelta(hours=rng.choice((-1, 1)) * rng.uniform(4, 10))  # UTC for local, "last night"
    elif roll < 0.95:
        day = true.replace(hour=0, minute=0, second=0, microsecond=0)
        return day, day + timedelta(hours=23, minutes=59), 1
    else:
        week = (true - timedelta(days=rng.randrange(7))).replace(hour=0, minute=0, second=0, microsecond=0)
        return week, week + timedelta(days=7), 2
    until = incident.occurred_until if incident.occurred_until and incident.occurred_until >= at else None
    return at.replace(second=0, microsecond=0), until, 1


def _text(
    rng: random.Random,
    incident: SyntheticIncident,
    category: str,
    language: str,
    place: str,
    perpetrator: str,
    casualties: list[dict[str, Any]],
) -> tuple[str, str]:
    rows = [row for row in casualties if row["scope"] == "incident"]
    n = rows[0]["high"] if rows else None
    titles = TITLES[language][category]
    if n is None:
        titles = tuple(t for t in titles if "{n}" not in t) or (titles[0].replace("{n}", "").strip(),)
    title = rng.choice(titles).format(place=place, n=n)
    perp = perpetrator or rng.choice(PERPS["unknown"][language])
    lines = [rng.choice(LEADS[language]).format(place=place, perp=perp)]
    if n is not None and rng.random() < 0.7:
        lines.append(rng.choice(FIGURE_LINES[language]).format(n=n))
    index = 1 if language == "ar" else 0
    family = FAMILIES[incident.family][index]
    if language == "en" and rng.random() < 0.5:
        family = romanise(FAMILIES[incident.family][1], rng)  # spelled afresh from the Arabic
    if category not in OUTAGE_SERVICE and rng.random() < 0.45:
        first = rng.choice(FIRST_NAMES)[index]
        lines.append(rng.choice(FAMILY_LINES[language]).format(family=family, first=first))
    if rng.random() < 0.25:
        lines.append(rng.choice(LANDMARK_LINES[language]).format(landmark=LANDMARKS[incident.landmark][index]))
    return title, " ".join(lines) if rng.random() < 0.85 else ""
