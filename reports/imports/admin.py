"""The coordinators' imports in the admin: upload, the preview with per-row errors, confirm, progress.

Thin: every step is `reports.imports.services`'. Only coordinators (and
superusers) see imports; nothing of a job can be edited by hand.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.admin_base import admin_user
from reports.choices import Role
from reports.imports.blanks import template_csv, template_xlsx
from reports.imports.models import ImportJob, ImportStatus, IssueSeverity
from reports.imports.services import ImportRejected, ImportStateError, import_confirm, import_error_file, import_upload
from reports.models import User

LISTED_ISSUES = 500


def is_coordinator(user) -> bool:
    return bool(user.is_active and (user.is_superuser or user.is_coordinator))


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy("CSV, XLSX or JSONL, with the report field names as header.")
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Text encoding (CSV, JSONL)"),
        required=False,
        choices=[
            ("", gettext_lazy("Detect it")),
            ("utf-8", "UTF-8"),
            ("windows-1256", gettext_lazy("Windows-1256 (Arabic Excel on Windows)")),
        ],
    )
    monitor = forms.ModelChoiceField(
        label=gettext_lazy("File the reports as"),
        required=False,
        queryset=User.objects.none(),
        help_text=gettext_lazy("The monitor account the reports belong to; empty: yourself."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        monitor = self.fields["monitor"]
        assert isinstance(monitor, forms.ModelChoiceField)  # noqa: S101 — declared above
        monitor.queryset = (
            User.objects.filter(is_active=True).filter(Q(groups__name=Role.MONITOR)).distinct().order_by("username")
        )


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "rows", "valid", "error_rows", "imported", "unchanged", "conflicts", "owner")
    list_filter = ("status", "format")
    date_hierarchy = "created_at"
    change_list_template = "admin/imports/importjob/change_list.html"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_coordinator(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_coordinator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_coordinator(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<uuid:job_id>/confirm/", view(self.confirm_view), name="imports_importjob_confirm"),
            path("<uuid:job_id>/errors/", view(self.errors_view), name="imports_importjob_errors"),
            path("template/<str:language>.<str:fmt>", view(self.template_view), name="imports_importjob_template"),
            *super().get_urls(),
        ]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = import_upload(
                    owner=admin_user(request),
                    monitor=form.cleaned_data["monitor"],
                    file=form.cleaned_data["file"],
                    encoding=form.cleaned_data["encoding"],
                )
            except ImportRejected as exc:
                form.add_error("file" if exc.field == "file" else "encoding", exc.reason)
            else:
                return HttpResponseRedirect(reverse("admin:imports_importjob_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import reports from a file"),
            "form": form,
            "opts": self.model._meta,
            "templates": _template_links(),
        }
        return TemplateResponse(request, "admin/imports/importjob/upload.html", context)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ImportJob, pk=object_id)
        errors = job.issues.filter(severity=IssueSeverity.ERROR)
        working = job.status in (ImportStatus.VALIDATING, ImportStatus.IMPORTING)
        done_rows = job.checked if job.status == ImportStatus.VALIDATING else job.processed
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import: %(name)s") % {"name": job},
            "job": job,
            "opts": self.model._meta,
            "working": working,
            "progress_value": done_rows,
            "progress_max": max(job.rows, done_rows, 1),
            "error_count": errors.count(),
            "errors": errors[:LISTED_ISSUES],
            "warnings": job.issues.filter(severity=IssueSeverity.WARNING)[:LISTED_ISSUES],
            "listed": LISTED_ISSUES,
        }
        return TemplateResponse(request, "admin/imports/importjob/job.html", context)

    def confirm_view(self, request: HttpRequest, job_id) -> HttpResponse:
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ImportJob, pk=job_id)
        try:
            import_confirm(job=job)
        except ImportStateError as exc:
            messages.error(request, exc.reason)
        else:
            messages.success(request, _("Importing %(n)d rows in the background.") % {"n": job.valid})
        return HttpResponseRedirect(reverse("admin:imports_importjob_change", args=[job.pk]))

    def errors_view(self, request: HttpRequest, job_id) -> StreamingHttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        filename, content_type, chunks = import_error_file(job=get_object_or_404(ImportJob, pk=job_id))
        response = StreamingHttpResponse(chunks, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response

    def template_view(self, request: HttpRequest, language: str, fmt: str) -> HttpResponse:
        if not self.has_view_permission(request) or language not in ("en", "ar") or fmt not in ("csv", "xlsx"):
            raise PermissionDenied
        if fmt == "csv":
            body, content_type = template_csv(language=language), "text/csv; charset=utf-8"
        else:
            body = template_xlsx(language=language)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="sijil-reports-template-{language}.{fmt}"'
        return response

    def changelist_view(self, request: HttpRequest, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "templates": _template_links()})


def _template_links() -> list[tuple[str, str]]:
    links = []
    for language, label in (("ar", _("Arabic")), ("en", _("English"))):
        for fmt in ("xlsx", "csv"):
            url = reverse("admin:imports_importjob_template", kwargs={"language": language, "fmt": fmt})
            links.append((url, f"{label} — {fmt.upper()}"))
    return links
