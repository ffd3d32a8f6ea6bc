"""The monitors' pages: file a report (also the offline queue's endpoint), own reports, amend, service worker.

Thin views: the form parses, `reports.services` decides and stores,
`reports.attachments` checks files. A report is filed through one path,
`report_submit`, keyed by the client UUID drawn into the form (or made by the
offline script), so a double tap, a resend or a sync after an online submit
all give one report.

The report form answers a plain browser with HTML (a redirect on success,
the form with errors next to the fields on a 400) and the page's script —
which sends the very same multipart form, now or when back online — with
JSON when it sends the header `X-Sijil-Sync: 1`: 201 new, 200 an identical
replay, 400 `{"errors": {field: [reasons]}}`, 409 the id is taken by other
content, 401 signed out. Only a 201 or 200 naming the report's id lets the
script forget its copy.
"""

from __future__ import annotations

import contextlib
import hashlib
from functools import wraps
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from reports.attachments import attachments_add_missing
from reports.choices import ReportStatus
from reports.services import ReportConflict, report_amend, report_submit
from reports.web.forms import (
    AreaChoiceField,
    CasualtyFormSet,
    ReportForm,
    area_name,
    casualty_initial,
    casualty_rows,
)
from reports.web.selectors import place_suggestions, report_of_monitor, reports_of_monitor

SYNC_HEADER = "X-Sijil-Sync"


def _wants_json(request) -> bool:
    return request.headers.get(SYNC_HEADER) == "1"


def monitor_required(view):
    """Signed in as a field monitor; the offline script gets JSON (401/403) rather than a sign-in page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            if _wants_json(request):
                return JsonResponse({"errors": {"detail": [_("Sign in again to send your reports.")]}}, status=401)
            return redirect_to_login(request.get_full_path())
        if not user.is_monitor:
            if _wants_json(request):
                return JsonResponse({"errors": {"detail": [_("Only field monitors file reports here.")]}}, status=403)
            return HttpResponseForbidden(render_to_string("monitor/forbidden.html", request=request))
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
def home(request):
    if request.user.is_authenticated and not request.user.is_monitor and request.user.is_staff:
        return redirect("admin:index")
    return redirect("report-new")


def _form_context(form: ReportForm, formset, **extra) -> dict:
    admin2 = form.fields["admin2"]
    assert isinstance(admin2, AreaChoiceField)  # noqa: S101 — declared on ReportForm
    districts = [{"pcode": area.pcode, "parent": area.parent_id, "name": area_name(area)} for area in admin2.queryset]
    return {
        "form": form,
        "formset": formset,
        "districts": districts,
        "admin2_value": form["admin2"].value() or "",
        "places": place_suggestions(),
        **extra,
    }


def _errors_json(form: ReportForm, formset) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {name: [str(message) for message in errs] for name, errs in form.errors.items()}
    for position, row_errors in enumerate(formset.errors, start=1):
        for name, errs in row_errors.items():
            errors.setdefault(f"casualties.{position}.{name}", []).extend(errs)
    if formset.non_form_errors():
        errors.setdefault("casualties", []).extend(formset.non_form_errors())
    if "__all__" in errors:
        errors["detail"] = errors.pop("__all__")
    return errors


@never_cache
@require_http_methods(["GET", "POST"])
@monitor_required
def report_new(request):
    """File a report. The one page the service worker keeps for offline use."""
    if request.method == "GET":
        form, formset = ReportForm(), CasualtyFormSet(prefix="casualties")
        return render(request, "monitor/report_form.html", _form_context(form, formset, mode="new"))

    form = ReportForm(request.POST, request.FILES)
    formset = CasualtyFormSet(request.POST, prefix="casualties")
    conflict = False
    if form.is_valid() and formset.is_valid():
        data = form.submission(casualties=casualty_rows(formset))
        try:
            result = report_submit(monitor=request.user, report_id=form.cleaned_data["client_id"], data=data)
        except ValidationError as error:
            form.add_service_errors(error, formset)
        except ReportConflict:
            conflict = True
            form.add_error(
                None,
                _("A different report was already sent with this form. Open a new form to file another report."),
            )
        else:
            attachments_add_missing(
                report=result.report, uploaded_by=request.user, inspected=form.cleaned_data["files"]
            )
            url = reverse("report-detail", kwargs={"pk": result.report.pk})
            if _wants_json(request):
                return JsonResponse(
                    {"id": str(result.report.pk), "created": result.created, "url": url},
                    status=201 if result.created else 200,
                )
            if result.created:
                messages.success(request, _("Your report was received. Thank you."))
            else:
                messages.info(request, _("This report had already arrived; it is stored once."))
            return redirect(url)

    status = 409 if conflict else 400
    if _wants_json(request):
        return JsonResponse({"errors": _errors_json(form, formset)}, status=status)
    context = _form_context(form, formset, mode="new")
    return render(request, "monitor/report_form.html", context, status=status)


@require_GET
@monitor_required
def my_reports(request):
    reports = reports_of_monitor(monitor=request.user)[:200]
    return render(request, "monitor/my_reports.html", {"reports": reports})


@require_GET
@monitor_required
def report_detail(request, pk):
    report = report_of_monitor(monitor=request.user, report_id=pk)
    if report is None:
        raise Http404
    return render(
        request,
        "monitor/report_detail.html",
        {"report": report, "can_amend": report.status == ReportStatus.NEEDS_INFO},
    )


@require_http_methods(["GET", "POST"])
@monitor_required
def report_amend_view(request, pk):
    """Answer a reviewer's question: change the report and send it back to review."""
    report = report_of_monitor(monitor=request.user, report_id=pk)
    if report is None:
        raise Http404
    if report.status != ReportStatus.NEEDS_INFO:
        messages.info(request, _("Only a report sent back for more information can be changed."))
        return redirect("report-detail", pk=report.pk)

    if request.method == "GET":
        form = ReportForm(initial=ReportForm.initial_from_report(report))
        formset = CasualtyFormSet(prefix="casualties", initial=casualty_initial(report))
        return render(request, "monitor/report_form.html", _form_context(form, formset, mode="amend", report=report))

    form = ReportForm(request.POST, request.FILES)
    formset = CasualtyFormSet(request.POST, prefix="casualties", initial=casualty_initial(report))
    if form.is_valid() and formset.is_valid():
        data = form.submission(casualties=casualty_rows(formset))
        try:
            with transaction.atomic():
                amended = report_amend(
                    report=report, monitor=request.user, data=data, note=request.POST.get("answer", "")[:4000]
                )
                attachments_add_missing(report=amended, uploaded_by=request.user, inspected=form.cleaned_data["files"])
        except ValidationError as error:
            form.add_service_errors(error, formset)
        else:
            messages.success(request, _("Your changes were sent to the reviewer."))
            return redirect("report-detail", pk=report.pk)
    context = _form_context(form, formset, mode="amend", report=report)
    return render(request, "monitor/report_form.html", context, status=400)


def _assets_version() -> str:
    """Changes whenever the kept assets change, so that phones drop their old copies."""
    digest = hashlib.sha256()
    for name in ("sijil/sijil.js", "sijil/sijil.css", "monitor/sw.js"):
        path = finders.find(name) or ""
        if not path:
            template_dir = Path(__file__).resolve().parent.parent / "templates"
            path = str(template_dir / name)
        with contextlib.suppress(OSError):
            digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]


@require_GET
def service_worker(request):
    """The service worker, from the site's root so that it may serve the form offline."""
    body = render_to_string("monitor/sw.js", {"version": _assets_version()}, request=request)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
