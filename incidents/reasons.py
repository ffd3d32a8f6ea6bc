"""The matcher's reasons for a duplicate candidate, in the words a reviewer reads, in their language.

`incidents.dedup.scoring.score_pair` stores what it weighed (`DuplicateCandidate.reasons`): levels such as
"same_hour" or "same_town/unknown", a p-code, weights and odds. None of that is for a person. `plain_reasons`
turns it into sentences ("2 hours apart", "Same town: Jableh / جبلة", "Figures agree: 120–125 and 125
killed"), each marked as pointing to the same event (`agree`), against it (`differ`) or neither (`neutral`).
The candidate's one score is its probability, shown beside them (incidents/admin.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.admin_base import isolate
from reports.choices import CasualtyKind, CasualtyScope
from reports.models import Area

Tone = Literal["agree", "differ", "neutral"]


@dataclass(frozen=True)
class Reason:
    text: str
    tone: Tone


def _range(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}–{high}"


def _both_names(area: Area) -> str:
    return area.name_en if area.name_en == area.name_ar else f"{area.name_en} / {area.name_ar}"


def time_reason(level: str, gap_hours: float | None) -> Reason | None:
    if level in ("", "unknown") or gap_hours is None:
        return None
    tone: Tone = "differ" if level == "far" else "agree"
    if gap_hours <= 0:
        text = _("At the same time (the times overlap)")
    elif gap_hours < 1:
        minutes = max(1, round(gap_hours * 60))
        text = ngettext("%(n)d minute apart", "%(n)d minutes apart", minutes) % {"n": minutes}
    elif gap_hours < 48:
        hours = round(gap_hours)
        text = ngettext("%(n)d hour apart", "%(n)d hours apart", hours) % {"n": hours}
    else:
        days = round(gap_hours / 24)
        text = ngettext("%(n)d day apart", "%(n)d days apart", days) % {"n": days}
    if level == "vague":
        text = _("%(gap)s (one of them gives only the day or a longer span)") % {"gap": text}
    return Reason(text, tone)


def place_reason(level: str, *, report_place: str, incident_place: str, area: Area | None) -> Reason | None:
    mine, theirs = isolate(report_place), isolate(incident_place)
    if level == "same":
        if report_place.strip() == incident_place.strip():
            return Reason(_("Same place: %(place)s") % {"place": mine}, "agree")
        return Reason(_("Same place, written differently: %(a)s and %(b)s") % {"a": mine, "b": theirs}, "agree")
    if level == "same_town" and area is not None:
        return Reason(_("Same town: %(area)s") % {"area": _both_names(area)}, "agree")
    if level == "compatible" and area is not None:
        return Reason(
            _("One of them names only the district, %(area)s, where the other lies") % {"area": _both_names(area)},
            "neutral",
        )
    if level == "different":
        return Reason(_("Different places: %(a)s and %(b)s") % {"a": mine, "b": theirs}, "differ")
    return None


def distance_reason(level: str, km: float | None) -> Reason | None:
    if km is None or level in ("", "unknown"):
        return None
    shown = f"{km:.1f}".rstrip("0").rstrip(".") if km < 10 else f"{km:.0f}"
    tones: dict[str, Tone] = {"same_spot": "agree", "near": "agree", "far": "differ"}
    tone = tones.get(level, "neutral")
    return Reason(_("%(km)s km apart") % {"km": shown}, tone)


# A level → the sentence for it (translated when shown) and its tone.
Words = dict[str, tuple[Callable[[], str], Tone]]

TEXT_WORDS: Words = {
    "same_high": (lambda: _("The accounts are worded very much alike"), "agree"),
    "high": (lambda: _("The accounts are worded very much alike"), "agree"),  # older candidates' levels
    "same_mid": (lambda: _("The accounts are worded somewhat alike"), "agree"),
    "same_low": (lambda: _("The accounts are worded differently"), "differ"),
    "cross_match": (lambda: _("One account is in Arabic, the other in English; they share names"), "agree"),
    "cross_none": (lambda: _("One account is in Arabic, the other in English: their wording says nothing"), "neutral"),
}


def figures_text(figures: Iterable, *, reconciled: bool) -> str:
    """ "120–125 killed, 40 injured": a report's own figures (running totals left out) or an incident's."""
    parts = []
    for f in figures:
        if not reconciled and getattr(f, "scope", CasualtyScope.INCIDENT) == CasualtyScope.CUMULATIVE:
            continue
        parts.append(f"{_range(f.low, f.high)} {CasualtyKind(f.kind).label}")
    return ", ".join(parts)


FIGURE_WORDS: Words = {
    "equal": (lambda: _("Figures agree: %(mine)s and %(theirs)s"), "agree"),
    "overlap": (lambda: _("Figures agree: %(mine)s and %(theirs)s"), "agree"),
    "agree": (lambda: _("Figures agree: %(mine)s and %(theirs)s"), "agree"),
    "close": (lambda: _("Figures are close: %(mine)s and %(theirs)s"), "neutral"),
    "apart": (lambda: _("Figures differ: %(mine)s and %(theirs)s"), "differ"),
    "conflict": (lambda: _("Figures conflict: %(mine)s and %(theirs)s"), "differ"),
}


def plain_reasons(reasons: dict, *, report, incident, report_figures, incident_figures) -> list[Reason]:
    """What the matcher found, as sentences; the internals (weights, odds, p-codes) are left out."""
    levels = reasons.get("levels") or {}
    out: list[Reason | None] = []
    category = levels.get("category", "")
    if category == "same":
        out.append(Reason(_("Same kind of event: %(c)s") % {"c": report.category}, "agree"))
    elif category == "compatible":
        out.append(
            Reason(
                _("Related kinds of event: %(a)s and %(b)s") % {"a": report.category, "b": incident.category}, "agree"
            )
        )
    out.append(time_reason(levels.get("time", ""), reasons.get("time_gap_hours")))
    location, distance = levels.get("location", "") or "", levels.get("distance", "") or ""
    if "/" in location:  # stored while place and distance were one joint level ("same/near")
        place_level, distance_level = location.split("/")[0], location.split("/")[-1]
    else:  # place alone, distance as "place/distance" (or, stored before the joint level, the distance alone)
        place_level, distance_level = location, distance.split("/")[-1]
    place_level = reasons.get("place_agreement") or place_level
    area = None
    detail = str(reasons.get("place_detail") or "")
    if detail.startswith("SY"):
        area = Area.objects.filter(pcode=detail).first()
    out.append(
        place_reason(place_level, report_place=report.place_name, incident_place=incident.place_name or "", area=area)
    )
    out.append(distance_reason(distance_level, reasons.get("distance_km")))
    words = TEXT_WORDS.get(levels.get("text", ""))
    if words:
        out.append(Reason(words[0](), words[1]))
    figure_words = FIGURE_WORDS.get(levels.get("figures", ""))
    mine = figures_text(report_figures, reconciled=False)
    theirs = figures_text(incident_figures, reconciled=True)
    if figure_words and mine and theirs:
        out.append(Reason(figure_words[0]() % {"mine": mine, "theirs": theirs}, figure_words[1]))
    perpetrator = levels.get("perpetrator", "")
    if perpetrator == "agree":
        out.append(Reason(_("The same alleged perpetrator"), "agree"))
    elif perpetrator == "disagree":
        out.append(Reason(_("Different alleged perpetrators"), "differ"))
    family = levels.get("family", "")
    if family == "same":
        out.append(Reason(_("Both name the same family"), "agree"))
    elif family == "different":
        out.append(Reason(_("They name different families"), "differ"))
    landmark = levels.get("landmark", "")
    if landmark == "same":
        out.append(Reason(_("Both name the same landmark"), "agree"))
    elif landmark == "different":
        out.append(Reason(_("They name different landmarks"), "neutral"))
    competitors = reasons.get("competitors") or 0
    if competitors:
        out.append(
            Reason(
                ngettext(
                    "One other incident could also be this event",
                    "%(n)d other incidents could also be this event",
                    competitors,
                )
                % {"n": competitors},
                "neutral",
            )
        )
    return [r for r in out if r is not None]
