"""Writes of the situation room: request, generate (the worker's part) and publish situation reports.

A report is generated once: the figures are read in one snapshot as of its
cut-off (`incidents.situation.selectors.situation_figures`), compared with the
previous report of the same areas and categories, and stored with the HTML and
the PDF rendered from them: the coordinators' copy (verified and all reported,
marked) and the partners' copy (verified incidents and verified reports' claims
only), from the same snapshot. Nothing reads the register again for it afterwards.
"""

from __future__ import annotations

import datetime as dt
import logging
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from incidents.situation.models import SituationReport, SituationReportStatus
from incidents.situation.selectors import PARTNER, PRINT_MAP_POINTS, SituationFilters, situation_figures

logger = logging.getLogger(__name__)

# A report "being generated" this long was left by a worker that died: a redelivered task may take it over.
STALE_RUN = timedelta(minutes=15)


class SituationReportError(Exception):
    """A request that cannot be carried out (publishing a report that is not ready)."""


def situation_report_request(
    *,
    requested_by,
    period_start: dt.date,
    period_end: dt.date,
    areas: list[str],
    categories: list[str],
    language: str,
) -> SituationReport:
    """Record the request and hand it to a worker once committed."""
    report = SituationReport.objects.create(
        requested_by=requested_by,
        period_start=period_start,
        period_end=period_end,
        areas=sorted(areas),
        categories=sorted(categories),
        language=language,
    )
    transaction.on_commit(lambda: _enqueue(report.pk))
    return report


def _enqueue(report_id) -> None:
    from incidents.situation.tasks import generate_situation_report

    try:
        generate_situation_report.apply_async(args=[str(report_id)], retry=False)
    except Exception as exc:
        logger.warning("Broker unreachable (%s); situation report %s not started", type(exc).__name__, report_id)
        SituationReport.objects.filter(pk=report_id, status=SituationReportStatus.QUEUED).update(
            status=SituationReportStatus.FAILED, error="The workers could not be reached; ask again."
        )


def _progress(report_id, percent: int, step: str) -> None:
    SituationReport.objects.filter(pk=report_id).update(progress=percent, progress_step=step)


def _claim(report_id) -> bool:
    now = timezone.now()
    claimable = Q(status=SituationReportStatus.QUEUED) | Q(
        status=SituationReportStatus.RUNNING, started_at__lt=now - STALE_RUN
    )
    return bool(
        SituationReport.objects.filter(claimable, pk=report_id).update(
            status=SituationReportStatus.RUNNING, started_at=now, progress=5, progress_step="claimed", error=""
        )
    )


def _read_snapshot(filters: SituationFilters) -> tuple[dict, dict]:
    """All figures from one snapshot of the database, so they add up with each other as of the cut-off.

    The coordinators' figures and the partners' (verified only), read as of the same instant.
    """
    # A snapshot needs the outermost transaction (the worker's); inside another one (a test) it reads that one's.
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        now = timezone.now()
        return (
            situation_figures(filters=filters, now=now, points_limit=PRINT_MAP_POINTS),
            situation_figures(filters=filters, now=now, points_limit=PRINT_MAP_POINTS, audience=PARTNER),
        )


def previous_report(report: SituationReport) -> SituationReport | None:
    """The latest earlier ready report of the same areas and categories, in any language."""
    return (
        SituationReport.objects.filter(
            status=SituationReportStatus.DONE,
            areas=report.areas,
            categories=report.categories,
            requested_at__lt=report.requested_at,
        )
        .exclude(pk=report.pk)
        .order_by("-cut_off")
        .first()
    )


def changes_since(*, figures: dict, previous: dict | None) -> dict | None:
    """This report's figures minus the previous report's: the tiles, and per governorate and district."""
    if not previous:
        return None

    def delta(now: dict, before: dict | None) -> dict:
        before = before or {}
        return {
            "incidents": now.get("incidents", 0) - before.get("incidents", 0),
            "killed_best": now.get("killed_best", 0) - before.get("killed_best", 0),
        }

    def keyed(rows: list[dict]) -> dict:
        return {str(row["pcode"]) + "|" + str(row.get("parent")): row for row in rows}

    tiles = {}
    # The partners' figures have no "all reported" tiles.
    for state in (s for s in ("verified", "all") if s in figures["tiles"] and s in previous["tiles"]):
        now, before = figures["tiles"][state], previous["tiles"][state]
        tiles[state] = {
            "incidents": now["incidents"] - before["incidents"],
            "killed_best": now["killed"]["best"] - before["killed"]["best"],
            "injured_best": now["injured"]["best"] - before["injured"]["best"],
            "abducted_best": now["abducted"]["best"] - before["abducted"]["best"],
            "detained_best": now["detained"]["best"] - before["detained"]["best"],
            "outages_active": now["outages_active"] - before["outages_active"],
        }
    areas = {}
    for table in ("governorates", "districts"):
        before_rows = keyed(previous.get(table, []))
        areas[table] = {key: delta(row, before_rows.get(key)) for key, row in keyed(figures[table]).items()}
        for key, row in before_rows.items():
            areas[table].setdefault(key, delta({}, row))
    return {"period": previous["period"], "as_of": previous["as_of"], "tiles": tiles, **areas}


def situation_report_generate(*, report_id) -> bool:
    """The worker's part: claim, read the figures, render HTML and PDF, store them. False if not claimed."""
    from incidents.situation.rendering import render_report_html, render_report_pdf

    if not _claim(report_id):
        return False
    report = SituationReport.objects.get(pk=report_id)
    try:
        _progress(report_id, 15, "figures")
        filters = SituationFilters(
            date_from=report.period_start,
            date_to=report.period_end,
            areas=tuple(report.areas),
            categories=tuple(report.categories),
        )
        figures, partner = _read_snapshot(filters)
        previous = previous_report(report)
        reference = (
            {"id": str(previous.pk), "period": previous.figures["period"], "as_of": previous.figures["as_of"]}
            if previous
            else None
        )
        figures["previous"] = partner["previous"] = reference
        figures["changes"] = changes_since(figures=figures, previous=previous.figures if previous else None)
        # Against the previous report's partners' figures (none in a report made before there were two copies).
        partner["changes"] = changes_since(
            figures=partner, previous=(previous.figures.get("partner") if previous else None)
        )
        # Nothing in either copy may point at a report (and so at its monitor).
        for claim in figures["cumulative"] + partner["cumulative"]:
            claim.pop("report", None)
        figures["partner"] = partner
        cut_off = dt.datetime.fromisoformat(figures["as_of"])
        _progress(report_id, 35, "html")
        html = render_report_html(report=report, figures=figures, cut_off=cut_off, previous=previous)
        partner_html = render_report_html(report=report, figures=partner, cut_off=cut_off, previous=previous)
        _progress(report_id, 50, "pdf")
        pdf = render_report_pdf(html=html)
        _progress(report_id, 75, "partner pdf")
        partner_pdf = render_report_pdf(html=partner_html)
        SituationReport.objects.filter(pk=report_id, status=SituationReportStatus.RUNNING).update(
            status=SituationReportStatus.DONE,
            figures=figures,
            cut_off=cut_off,
            previous=previous,
            html=html,
            pdf=pdf,
            partner_html=partner_html,
            partner_pdf=partner_pdf,
            progress=100,
            progress_step="done",
        )
    except Exception as exc:
        logger.exception("Situation report %s failed", report_id)
        SituationReport.objects.filter(pk=report_id).update(
            status=SituationReportStatus.FAILED, error=f"{type(exc).__name__}"[:300]
        )
        raise
    return True


def situation_report_publish(*, report: SituationReport, by) -> SituationReport:
    """Make a ready report visible to partners (`/api/v1/situation-reports/`); publishing twice changes nothing."""
    # A report without a partners' copy (made before there were two) is never shown to partners.
    updated = (
        SituationReport.objects.filter(pk=report.pk, status=SituationReportStatus.DONE, published_at__isnull=True)
        .exclude(partner_html="")
        .update(published_at=timezone.now(), published_by=by)
    )
    report.refresh_from_db()
    if not updated and report.published_at is None:
        raise SituationReportError("Only a ready report can be published.")
    return report
