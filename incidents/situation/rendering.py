"""From figures (`incidents.situation.selectors.situation_figures`) to what a person reads, in their language.

The dashboard and the situation report share this: labels in the language,
numbers with its digits, charts drawn as SVG, the highlights written as
sentences. A situation report is rendered once, from its frozen figures, to
HTML (stored and served) and to PDF (WeasyPrint, with Debian's Noto Arabic and
DejaVu fonts; see docs/situation.md), once for each copy: the coordinators'
(verified and all reported) and the partners' (verified only).
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incidents.situation.charts import (
    GROUP_COLOURS,
    Series,
    horizontal_bars_svg,
    map_svg,
    stacked_days_svg,
)
from incidents.situation.numbers import format_number, localise_digits
from incidents.situation.selectors import OUTAGES_LISTED, PRINT_MAP_POINTS, State, area_names
from reports.choices import CasualtyGroup, CasualtyKind, Service, SourceType
from reports.days import counting_zone
from reports.models import Category

# The outages listed: the longest active and the latest restored, this many of each (the counts count all).
OUTAGE_ROWS = OUTAGES_LISTED
# In a report, fewer: a briefing's table, and WeasyPrint lays out some 13 ms of table per row.
REPORT_OUTAGE_ROWS = 25


def _name(entry: dict | None, language: str) -> str:
    if not entry:
        return ""
    return (entry.get("name_ar") if language == "ar" else entry.get("name_en")) or entry.get("pcode") or ""


def join(parts: list[str], language: str) -> str:
    """A list as the language separates it: the Arabic comma in Arabic."""
    return ("، " if language == "ar" else ", ").join(part for part in parts if part)


def period_text(period: dict, language: str) -> str:
    return f"{day_text(period['start'], language)} – {day_text(period['end'], language)}"


def day_text(value: str | dt.date, language: str) -> str:
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return localise_digits(date_format(day, "j F Y"), language)


def moment_text(value: str | dt.datetime | None, language: str) -> str:
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return localise_digits(
        date_format(moment.astimezone(counting_zone()), "j F Y، H:i" if language == "ar" else "j F Y, H:i"), language
    )


def duration_text(hours: float, language: str) -> str:
    days, rest = divmod(round(hours), 24)
    parts = []
    if days:
        parts.append(ngettext("%(n)s day", "%(n)s days", days) % {"n": format_number(days, language)})
    if rest or not days:
        parts.append(ngettext("%(n)s hour", "%(n)s hours", rest) % {"n": format_number(rest, language)})
    return (" و" if language == "ar" else " ").join(parts)


def range_text(figure: dict, language: str) -> str:
    return f"{format_number(figure['low'], language)} – {format_number(figure['high'], language)}"


def signed(value: int, language: str) -> str:
    if value > 0:
        return "+" + format_number(value, language)
    if value < 0:
        return "−" + format_number(-value, language)
    return format_number(0, language)


def presentation(*, figures: dict, language: str, rtl: bool, outage_rows: int = OUTAGE_ROWS) -> dict[str, Any]:
    """The context both templates read: labelled tiles, charts, tables, outages, claims and highlights."""
    names = area_names()
    # The partners' copy (`audience` "partner"): verified figures only, no "all reported" column.
    partner = figures.get("audience") == "partner"
    categories = {c.slug: c for c in Category.objects.all()}
    groups = [Series(key, str(label), GROUP_COLOURS.get(key, "#777")) for key, label in Category.Group.choices]
    group_labels = {s.key: s.label for s in groups}
    n = lambda value: format_number(value, language)  # noqa: E731

    tile_rows = []
    for key, label in (
        ("incidents", _("Incidents")),
        ("killed", _("Killed")),
        ("injured", _("Injured")),
        ("abducted", _("Abducted")),
        ("detained", _("Detained")),
        ("outages_active", _("Active outages")),
    ):
        verified = figures["tiles"]["verified"][key]
        everything = figures["tiles"]["all"][key] if "all" in figures["tiles"] else None
        if isinstance(verified, dict):
            row = {
                "key": key,
                "label": label,
                "verified": n(verified["best"]),
                "verified_range": range_text(verified, language),
                "all": n(everything["best"]) if everything else "",
                "all_range": range_text(everything, language) if everything else "",
                "ranged": True,
            }
        else:
            row = {
                "key": key,
                "label": label,
                "verified": n(verified),
                "all": n(everything) if everything is not None else "",
                "ranged": False,
            }
        tile_rows.append(row)

    days = figures["days"]
    incidents_chart = stacked_days_svg(
        days=days,
        values="incidents",
        series=groups,
        language=language,
        rtl=rtl,
        title=_("Incidents per day, by category group"),
    )
    killed_chart = stacked_days_svg(
        days=days,
        values="killed",
        series=groups,
        language=language,
        rtl=rtl,
        title=_("Killed per day (best estimate), by category group, with the low–high range"),
        band=("killed_low", "killed_high"),
        band_label=_("low – high"),
    )
    day_rows = [
        {
            "date": day_text(day["date"], language),
            "incidents": n(day["incidents_total"]),
            "by_group": join(
                [f"{group_labels.get(key, key)}: {n(value)}" for key, value in sorted(day["incidents"].items())],
                language,
            ),
            "killed": n(day["killed_best"]),
            "killed_range": f"{n(day['killed_low'])} – {n(day['killed_high'])}",
        }
        for day in days
        if day["incidents_total"] or day["killed_high"]
    ]

    changes = figures.get("changes") or {}
    for tile in tile_rows:
        for state in ("verified", "all"):
            delta = (changes.get("tiles") or {}).get(state, {})
            value = delta.get(tile["key"], delta.get(f"{tile['key']}_best"))
            tile[f"change_{state}"] = signed(value, language) if value is not None else ""

    def area_rows(table: str) -> list[dict]:
        rows = []
        for row in figures[table]:
            key = f"{row['pcode']}|{row.get('parent')}"
            change = (changes.get(table) or {}).get(key)
            label = _name(names.get(row["pcode"] or ""), language) or _("No district given")
            label_parent = _name(names.get(row["parent"]), language) if table == "districts" else ""
            rows.append(
                {
                    "pcode": row["pcode"] or "",
                    "name": label,
                    "parent": label_parent,
                    "incidents": n(row["incidents"]),
                    "verified_incidents": n(row["verified_incidents"]),
                    "killed": n(row["killed_best"]),
                    "killed_range": f"{n(row['killed_low'])} – {n(row['killed_high'])}",
                    "injured": n(row["injured_best"]),
                    "injured_range": f"{n(row['injured_low'])} – {n(row['injured_high'])}",
                    "change_incidents": signed(change["incidents"], language) if change else "",
                    "change_killed": signed(change["killed_best"], language) if change else "",
                    "raw_incidents": row["incidents"],
                    "raw_killed": row["killed_best"],
                }
            )
        return rows

    governorates = area_rows("governorates")
    districts = area_rows("districts")
    areas_chart = horizontal_bars_svg(
        rows=[(r["name"], r["raw_incidents"], r["raw_killed"]) for r in governorates[:14]],
        language=language,
        rtl=rtl,
        title=_("Incidents and killed (best estimate) per governorate"),
        labels=(_("Incidents"), _("Killed (best)")),
    )
    districts_chart = horizontal_bars_svg(
        rows=[
            (
                f"{r['name']} ({r['parent']})" if r["pcode"] else f"{r['parent']}: {r['name']}",
                r["raw_incidents"],
                r["raw_killed"],
            )
            for r in districts[:20]
        ],
        language=language,
        rtl=rtl,
        title=_("Incidents and killed (best estimate) per district"),
        labels=(_("Incidents"), _("Killed (best)")),
    )

    service_labels = dict(Service.choices)
    # The listed outages (the selector's: the longest active and the latest restored of the state shown) are
    # written out, `outage_rows` of each; the counts per service and what is left out come from the counts,
    # which count every outage of the period.
    active = [o for o in figures["outages"] if o["active"]]
    restored = [o for o in figures["outages"] if not o["active"]]
    counts = figures.get("outage_counts")
    if counts is None:  # a report frozen before the counts were stored listed every outage
        counts = [{"service": o["service"], "verified": o["verified"], "active": o["active"], "count": 1}
                  for o in figures["outages"]]  # fmt: skip
    flags = State.verified_flags(figures.get("state", State.ALL))
    counts = [row for row in counts if row["verified"] in flags]
    active_count = sum(row["count"] for row in counts if row["active"])
    restored_count = sum(row["count"] for row in counts if not row["active"])

    def outage_row(outage: dict) -> dict:
        return {
            "id": outage["id"],
            "service": str(service_labels.get(outage["service"], outage["service"])),
            "area": join(
                [_name(names.get(outage["admin2"] or ""), language), _name(names.get(outage["admin1"]), language)],
                language,
            ),
            "place": outage["place_name"],
            "since": moment_text(outage["since"], language),
            "restored": moment_text(outage["restored_at"], language),
            "active": outage["active"],
            "still_open": outage["restored_at"] is None,
            "duration": duration_text(outage["hours"], language),
            "verified": outage["verified"],
        }

    active_rows = [outage_row(o) for o in active[:outage_rows]]
    restored_rows = [outage_row(o) for o in restored[:outage_rows]]
    services = []
    for key, service_label in Service.choices:
        count = sum(row["count"] for row in counts if row["service"] == key and row["active"])
        # Written here rather than in the template, so that the count has the language's digits.
        services.append(
            {
                "label": str(service_label),
                "active": count,
                "total": sum(row["count"] for row in counts if row["service"] == key),
                "active_text": ngettext("%(n)s outage active", "%(n)s outages active", count) % {"n": n(count)},
                "active_text_period": ngettext(
                    "%(n)s outage active at the end of the period",
                    "%(n)s outages active at the end of the period",
                    count,
                )
                % {"n": n(count)},
            }
        )
    left_out = active_count - len(active_rows) + restored_count - len(restored_rows)

    kinds, casualty_groups, sources = dict(CasualtyKind.choices), dict(CasualtyGroup.choices), dict(SourceType.choices)
    claims = [
        {
            "figure": n(claim["high"]) if claim["low"] == claim["high"] else f"{n(claim['low'])} – {n(claim['high'])}",
            "kind": str(kinds.get(claim["kind"], claim["kind"])),
            "group": str(casualty_groups.get(claim["group"], claim["group"])),
            "area": join(
                [_name(names.get(claim["admin2"] or ""), language), _name(names.get(claim["admin1"]), language)],
                language,
            ),
            "date": day_text(claim["date"], language),
            "source": str(sources.get(claim["source_type"], claim["source_type"])),
            "grading": claim["grading"],
            "verified": claim["verified"],
            "report": claim.get("report"),
        }
        for claim in figures["cumulative"]
    ]

    values = {row["pcode"]: row["raw_killed"] for row in governorates}
    map_districts = [
        {
            "lat": names[row["pcode"]]["lat"],
            "lon": names[row["pcode"]]["lon"],
            "value": row["raw_killed"],
            "incidents": row["raw_incidents"],
            "name": row["name"],
        }
        for row in districts
        if row["pcode"] in names
    ]
    return {
        "partner": partner,
        "language": language,
        "rtl": rtl,
        "period_text": period_text(figures["period"], language),
        "as_of_text": moment_text(figures["as_of"], language),
        "areas_text": join([_name(names.get(p), language) for p in figures["areas"]], language),
        "categories_text": join(
            [
                (categories[s].name_ar if language == "ar" else categories[s].name_en)
                for s in figures["categories"]
                if s in categories
            ],
            language,
        ),
        "tiles": tile_rows,
        "incidents_chart": incidents_chart,
        "killed_chart": killed_chart,
        "areas_chart": areas_chart,
        "districts_chart": districts_chart,
        "legend": groups,
        "day_rows": day_rows,
        "governorates": governorates,
        "districts": districts,
        # The lists are cut at `outage_rows` each (the longest active first, then the latest restored); the
        # counts per service and the tiles count them all.
        "outages": active_rows + restored_rows,
        "active_outages": active_rows,
        "restored_outages": restored_rows,
        "outages_left_out": left_out,
        "outages_left_out_text": ngettext(
            "And %(n)s more outage, counted above but not listed.",
            "And %(n)s more outages, counted above but not listed.",
            left_out,
        )
        % {"n": n(left_out)},
        "services": services,
        "claims": claims,
        "highlights": highlights(
            figures=figures,
            governorates=governorates,
            outages=active_rows,
            active_outages=active_count,
            claims=claims,
            language=language,
            partner=partner,
        ),
        "changes": changes,
        "previous_text": (
            f"{day_text(changes['period']['start'], language)} – {day_text(changes['period']['end'], language)}"
            if changes
            else ""
        ),
        "map_values": values,
        "map_districts": map_districts,
        "names": {p: _name(e, language) for p, e in names.items()},
    }


def highlights(
    *,
    figures: dict,
    governorates: list[dict],
    outages: list[dict],
    claims: list[dict],
    language: str,
    active_outages: int = 0,
    partner: bool = False,
) -> list[str]:
    """Three to five sentences a reader takes away; each states its figures' state (verified or reported).

    `outages`: the active outages' rows, the longest first (`active_outages` of them in all). The partners'
    copy (`partner`) states verified figures only.
    """
    n = lambda value: format_number(value, language)  # noqa: E731
    verified = figures["tiles"]["verified"]
    killed = {
        "best": n(verified["killed"]["best"]),
        "low": n(verified["killed"]["low"]),
        "high": n(verified["killed"]["high"]),
    }
    if partner:
        lines = [
            ngettext(
                "%(verified)s incident verified in the period.",
                "%(verified)s incidents verified in the period.",
                verified["incidents"],
            )
            % {"verified": n(verified["incidents"])},
            _("Killed: %(best)s (best estimate, verified incidents; range %(low)s – %(high)s).") % killed,
        ]
    else:
        everything = figures["tiles"]["all"]
        lines = [
            _("%(verified)s incidents verified, of %(all)s reported in the period.")
            % {"verified": n(verified["incidents"]), "all": n(everything["incidents"])},
            _(
                "Killed: %(best)s verified (range %(low)s – %(high)s); %(all_best)s among all reported "
                "(range %(all_low)s – %(all_high)s)."
            )
            % {
                **killed,
                "all_best": n(everything["killed"]["best"]),
                "all_low": n(everything["killed"]["low"]),
                "all_high": n(everything["killed"]["high"]),
            },
        ]
    if governorates and governorates[0]["raw_incidents"]:
        top = governorates[0]
        most_affected = (
            _("Most affected: %(area)s, with %(incidents)s verified incidents and %(killed)s killed (best estimate).")
            if partner
            else _(
                "Most affected: %(area)s, with %(incidents)s incidents and %(killed)s killed "
                "(best estimate, all reported)."
            )
        )
        lines.append(most_affected % {"area": top["name"], "incidents": top["incidents"], "killed": top["killed"]})
    if outages:
        longest = outages[0]
        lines.append(
            ngettext(
                "%(n)s outage active at the end of the period; the longest: %(service)s in %(area)s, for %(duration)s.",
                "%(n)s outages active at the end of the period; the longest: %(service)s in %(area)s, "
                "for %(duration)s.",
                active_outages,
            )
            % {
                "n": n(active_outages),
                "service": longest["service"],
                "area": longest["area"],
                "duration": longest["duration"],
            }
        )
    if claims:
        largest = claims[0]
        lines.append(
            _(
                "A cumulative claim of %(figure)s %(kind)s (%(group)s) in %(area)s, from a %(source)s source, "
                "is quoted apart: it is not an incident count and is not added into any figure."
            )
            % {
                "figure": largest["figure"],
                "kind": largest["kind"].lower() if language != "ar" else largest["kind"],
                "group": largest["group"].lower() if language != "ar" else largest["group"],
                "area": largest["area"],
                "source": largest["source"].lower() if language != "ar" else largest["source"],
            }
        )
    if len(lines) < 3:
        # A quiet period still gets three lines: the other figures of the tiles.
        held = {kind: n(verified[kind]["best"]) for kind in ("injured", "abducted", "detained")}
        if partner:
            lines.append(
                _("Injured: %(injured)s; abducted: %(abducted)s; detained: %(detained)s (best estimates, verified).")
                % held
            )
        else:
            everything = figures["tiles"]["all"]
            lines.append(
                _(
                    "Injured: %(injured)s verified, %(injured_all)s reported; abducted: %(abducted)s, "
                    "%(abducted_all)s; detained: %(detained)s, %(detained_all)s (best estimates)."
                )
                % {
                    **held,
                    **{f"{kind}_all": n(everything[kind]["best"]) for kind in ("injured", "abducted", "detained")},
                }
            )
    return lines[:5]


def render_report_html(*, report, figures: dict, cut_off: dt.datetime, previous) -> str:
    """The report as a standalone HTML document in its language (the same markup the PDF is made from)."""
    language = report.language
    with translation.override(language):
        rtl = translation.get_language_bidi()
        context = presentation(figures=figures, language=language, rtl=rtl, outage_rows=REPORT_OUTAGE_ROWS)
        context["map_chart"] = map_svg(
            values=context["map_values"],
            points=(figures.get("map") or {}).get("points", [])[:PRINT_MAP_POINTS],
            districts=context["map_districts"],
            names=context["names"],
            language=language,
            rtl=rtl,
            title=(
                _("Killed (best estimate, verified incidents) per governorate and district; dots are incidents")
                if context["partner"]
                else _("Killed (best estimate, all reported) per governorate and district; dots are incidents")
            ),
        )
        context.update({"report": report, "cut_off_text": moment_text(cut_off, language), "previous": previous})
        return render_to_string("situation/report_document.html", context)


def static_file_for(url: str) -> str | None:
    """The project's static file a URL of the report names, or None: WeasyPrint may read nothing else."""
    prefix = settings.STATIC_URL
    path = url.split("://", 1)[-1]
    at = path.find(prefix)
    if at < 0:
        return None
    found = finders.find(path[at + len(prefix) :].split("?")[0])
    return found if isinstance(found, str) else None


def render_report_pdf(*, html: str) -> bytes:
    """The PDF of a report's HTML, with its stylesheet read from the static files and no network at all."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            found = static_file_for(url)
            if found is None:
                raise ValueError(f"Not a static file of the project: {url}")
            with open(found, "rb") as handle:
                body = handle.read()
            mime = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})

    return HTML(string=html, base_url="http://sijil.invalid/", url_fetcher=StaticOnly()).write_pdf()
