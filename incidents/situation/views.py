"""The situation room's pages: behind the admin's sign-in and one-time code, for reviewers and coordinators.

Every view is wrapped in `admin.site.admin_view`, so admission is the admin's
own (`reports.admin_site.SijilAdminSite.has_permission`): an anonymous
visitor, a monitor or a partner (who has no session) is sent to the admin's
sign-in. Generating and publishing reports is for coordinators.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from incidents.situation.forms import SituationFilterForm, SituationReportRequestForm
from incidents.situation.models import SituationReport, SituationReportStatus
from incidents.situation.numbers import format_number
from incidents.situation.rendering import presentation
from incidents.situation.selectors import MAX_POINTS, area_names, default_period, map_points, situation_figures
from incidents.situation.services import SituationReportError, situation_report_publish, situation_report_request

PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def situation_view(view):
    """The admin's admission (role and one-time code), and no caching of what a coordinator saw."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    return admin.site.admin_view(wrapper)


def may_publish(user) -> bool:
    return bool(user.is_superuser or user.is_coordinator)


def _context(request: HttpRequest, **extra) -> dict:
    return {**admin.site.each_context(request), "may_publish": may_publish(request.user), **extra}


def _filter_form(request: HttpRequest) -> SituationFilterForm:
    """The filters as asked, with the default period (the days with incidents up to the latest) when none is."""
    data = request.GET.copy()
    if not data.get("date_from") and not data.get("date_to"):
        start, end = default_period()
        data["date_from"], data["date_to"] = start.isoformat(), end.isoformat()
    return SituationFilterForm(data)


@situation_view
def dashboard(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    if not form.is_valid():
        return TemplateResponse(
            request, "situation/dashboard.html", _context(request, form=form, title=_("Situation room")), status=400
        )
    filters = form.filters()
    # The figures only; the map's points come from `map_points` (the map's script asks for them).
    figures = situation_figures(filters=filters, points=False)
    language = translation.get_language()
    shown = presentation(figures=figures, language=language, rtl=translation.get_language_bidi())
    report_form = SituationReportRequestForm(
        initial={
            "date_from": filters.date_from,
            "date_to": filters.date_to,
            "areas": list(filters.areas),
            "category": list(filters.categories),
            "language": language,
        }
    )
    # How many incidents of the state shown match: the aggregates count each live incident once.
    total = sum(row["incidents"] for row in figures["governorates"])
    map_data = {
        "pointsUrl": f"{reverse('situation:map-points')}?{urlencode(form.data, doseq=True)}",
        "governorates": {
            row["pcode"]: {"incidents": row["incidents"], "killed": row["killed_best"], "name": name}
            for row, name in ((r, shown["names"].get(r["pcode"], r["pcode"])) for r in figures["governorates"])
        },
        "districts": shown["map_districts"],
        "adminUrl": reverse("admin:incidents_incident_change", args=[PLACEHOLDER]),
        "placeholder": PLACEHOLDER,
        "language": language,
    }
    context = _context(
        request,
        title=_("Situation room"),
        form=form,
        filters=filters,
        figures=figures,
        map_data=map_data,
        map_total=format_number(total, language),
        map_shown=format_number(min(total, MAX_POINTS), language),
        report_form=report_form,
        recent_reports=SituationReport.objects.only(
            "id", "period_start", "period_end", "language", "status", "published_at"
        ).order_by("-requested_at")[:5],
        **shown,
    )
    return TemplateResponse(request, "situation/dashboard.html", context)


@situation_view
def map_points_json(request: HttpRequest) -> HttpResponse:
    """The map's points for the dashboard's filters: the newest incidents of the state shown, as JSON."""
    form = _filter_form(request)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    points = map_points(form.filters(), names=area_names())
    return JsonResponse({"points": points}, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})


@situation_view
@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not may_publish(request.user):
            raise PermissionDenied
        form = SituationReportRequestForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                report = situation_report_request(
                    requested_by=request.user,
                    period_start=form.cleaned_data["date_from"],
                    period_end=form.cleaned_data["date_to"],
                    areas=form.area_codes,
                    categories=form.category_slugs,
                    language=form.cleaned_data["language"],
                )
            return redirect("situation:report-status", pk=report.pk)
        status = 400
    else:
        start, end = default_period(days=7)
        form = SituationReportRequestForm(
            initial={"date_from": start, "date_to": end, "language": translation.get_language()}
        )
        status = 200
    # The list's columns only: not the stored figures, HTML and PDFs of a hundred reports.
    reports = (
        SituationReport.objects.select_related("previous")
        .only(
            "id", "period_start", "period_end", "areas", "language", "cut_off", "status", "progress",
            "published_at", "requested_at", "previous__period_start", "previous__period_end",
        )
        .order_by("-requested_at")[:100]
    )  # fmt: skip
    return TemplateResponse(
        request,
        "situation/report_list.html",
        _context(request, title=_("Situation reports"), form=form, reports=reports),
        status=status,
    )


@situation_view
def report_status(request: HttpRequest, pk) -> HttpResponse:
    report = get_object_or_404(SituationReport, pk=pk)
    return TemplateResponse(
        request,
        "situation/report_status.html",
        _context(request, title=_("Situation report"), report=report),
    )


@situation_view
def report_progress(request: HttpRequest, pk) -> HttpResponse:
    report = get_object_or_404(SituationReport, pk=pk)
    return JsonResponse(
        {
            "status": report.status,
            "progress": report.progress,
            "step": report.progress_step,
            "html_url": reverse("situation:report-html", args=[report.pk]) if report.is_done else None,
        }
    )


def frozen_html_response(report: SituationReport, *, partner: bool = False) -> HttpResponse:
    """The frozen HTML: the coordinators' copy, or (`partner`) the partners' copy, verified only."""
    response = HttpResponse(report.partner_html if partner else report.html, content_type="text/html; charset=utf-8")
    response["Content-Language"] = report.language
    return response


def frozen_pdf_response(report: SituationReport, *, partner: bool = False) -> HttpResponse:
    response = HttpResponse(bytes(report.partner_pdf if partner else report.pdf), content_type="application/pdf")
    copy = "-partners" if partner else ""
    name = f"sijil-situation-{report.period_start}-{report.period_end}-{report.language}{copy}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@situation_view
def report_html(request: HttpRequest, pk) -> HttpResponse:
    report = get_object_or_404(SituationReport, pk=pk, status=SituationReportStatus.DONE)
    return frozen_html_response(report)


@situation_view
def report_pdf(request: HttpRequest, pk) -> HttpResponse:
    report = get_object_or_404(SituationReport, pk=pk, status=SituationReportStatus.DONE)
    return frozen_pdf_response(report)


@situation_view
def report_partner_html(request: HttpRequest, pk) -> HttpResponse:
    """What partners get, for a coordinator to read before publishing."""
    report = get_object_or_404(
        SituationReport.objects.exclude(partner_html=""), pk=pk, status=SituationReportStatus.DONE
    )
    return frozen_html_response(report, partner=True)


@situation_view
def report_partner_pdf(request: HttpRequest, pk) -> HttpResponse:
    report = get_object_or_404(
        SituationReport.objects.exclude(partner_html=""), pk=pk, status=SituationReportStatus.DONE
    )
    return frozen_pdf_response(report, partner=True)


@situation_view
@require_POST
def report_publish(request: HttpRequest, pk) -> HttpResponse:
    if not may_publish(request.user):
        raise PermissionDenied
    report = get_object_or_404(SituationReport, pk=pk)
    try:
        situation_report_publish(report=report, by=request.user)
    except SituationReportError:
        messages.error(request, _("Only a ready report can be published."))
    else:
        messages.success(request, _("Published: partners can now fetch this report."))
    return redirect("situation:report-status", pk=report.pk)
