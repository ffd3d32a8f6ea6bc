"""The admin for incidents: their reports, reconciled figures, duplicate candidates and history.

Decisions on incidents (accepting or rejecting a candidate, moving a report,
merging, splitting, overriding a figure, withdrawing) go through
`incidents.services`; the pages hold no rule of their own. The review queue
and report page of `reports/admin.py` are extended here with what belongs to
incidents — the duplicate candidates and the move — so that `reports` never
imports `incidents`. See docs/review.md.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, TypedDict

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.api_keys import api_key_issue, api_key_revoke
from incidents.models import (
    LIVE_STATUSES,
    ApiKey,
    ApiKeyScope,
    DuplicateCandidate,
    Incident,
    IncidentCasualty,
    IncidentStatus,
)
from incidents.reasons import plain_reasons
from incidents.selectors import candidates_for_review, incidents_to_choose, review_queue
from incidents.services import (
    IncidentActionError,
    candidate_accept,
    candidate_reject,
    incident_edit_public_text,
    incident_merge,
    incident_override_best,
    incident_split,
    incident_verify,
    incident_withdraw,
    report_move,
)
from reports.admin import ReportAdmin
from reports.admin_base import (
    DateRangeFilter,
    DistrictFilter,
    GovernorateFilter,
    ReadOnlyHistoryAdmin,
    ReadOnlyInline,
    admin_user,
    isolate,
    local_datetime,
    show_refusal,
    user_text,
)
from reports.choices import CasualtyGroup, CasualtyKind
from reports.models import Organisation, Report, User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _Candidates(TypedDict):
    """What review_queue() annotates."""

    candidate_count: int


def _incident_or_error(text: str, *, field: str) -> Incident:
    if not text.strip():
        raise IncidentActionError(field=field, reason=_("Choose the other incident first."), status=400)
    try:
        return Incident.objects.get(pk=uuid.UUID(text.strip()))
    except (ValueError, Incident.DoesNotExist):
        raise IncidentActionError(
            field=field, reason=_("That incident does not exist (any more)."), status=404
        ) from None


def candidate_rows(report: Report) -> list[dict]:
    """The report's duplicate candidates with their incidents, figures and reasons in plain words, best first."""
    candidates = (
        DuplicateCandidate.objects.filter(report=report)
        .select_related("incident", "incident__category", "incident__admin1", "incident__admin2", "decided_by")
        .prefetch_related("incident__casualties")
        .order_by("-score", "id")
    )
    report_figures = list(report.casualties.all())
    rows = []
    for c in candidates:
        figures = list(c.incident.casualties.all())
        rows.append(
            {
                "candidate": c,
                "incident": c.incident,
                "incident_url": reverse("admin:incidents_incident_change", args=[c.incident_id]),
                "figures": figures,
                "reasons": plain_reasons(
                    c.reasons or {},
                    report=report,
                    incident=c.incident,
                    report_figures=report_figures,
                    incident_figures=figures,
                ),
                "score_percent": score_percent(c.score),
            }
        )
    return rows


def score_percent(score: float) -> int:
    """The candidate's one score as a reviewer reads it: a whole percentage."""
    return round(score * 100)


def choice_rows(incidents) -> list[dict]:
    """Incidents offered to choose from (merge, move), with what tells them apart."""
    return [
        {
            "incident": i,
            "url": reverse("admin:incidents_incident_change", args=[i.pk]),
            "when": local_datetime(i.occurred_from),
        }
        for i in incidents
    ]


class IncidentStateFilter(admin.SimpleListFilter):
    """Live incidents by default; tombstones (merged, withdrawn) only when asked for."""

    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("live", _("Live (unverified or verified)")), *IncidentStatus.choices, ("all", _("All"))]

    def queryset(self, request, queryset):
        value = self.value() or "live"
        if value == "live":
            return queryset.filter(status__in=LIVE_STATUSES)
        if value == "all":
            return queryset
        return queryset.filter(status=value)

    def choices(self, changelist):
        current = self.value() or "live"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class PendingCandidatesFilter(admin.SimpleListFilter):
    title = gettext_lazy("duplicate candidates")
    parameter_name = "candidates"

    def lookups(self, request, model_admin):
        return [("yes", _("Has pending candidates")), ("no", _("None pending"))]

    def queryset(self, request, queryset):
        pending = DuplicateCandidate.objects.filter(
            incident=OuterRef("pk"), decision=DuplicateCandidate.Decision.PENDING
        )
        if self.value() == "yes":
            return queryset.filter(Exists(pending))
        if self.value() == "no":
            return queryset.filter(~Exists(pending))
        return queryset


class IncidentCasualtyInline(ReadOnlyInline):
    model = IncidentCasualty
    fields = ("kind", "group", "low", "best", "high", "method", "best_override", "override_note", "overridden_by")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("reconciled figures (low / best / high)")


class IncidentReportInline(ReadOnlyInline):
    model = Report
    fk_name = "incident"
    fields = ("report_link", "status", "occurred_at", "place_name", "source_type", "source_reliability")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("reports")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("category")

    @admin.display(description=gettext_lazy("report"))
    def report_link(self, report: Report):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:reports_report_change", args=[report.pk]), user_text(report.title)
        )


@admin.register(Incident)
class IncidentAdmin(ReadOnlyHistoryAdmin):
    """Incidents with their reports and reconciled figures; state changes go through the services."""

    list_display = (
        "title_cell",
        "category",
        "admin1",
        "admin2",
        "occurred",
        "status",
        "report_count",
        "source_count",
        "sources_disagree",
        "updated_at",
    )
    list_display_links = ("title_cell",)
    list_filter = (
        IncidentStateFilter,
        "category",
        ("admin1", GovernorateFilter),
        ("admin2", DistrictFilter),
        ("occurred_from", DateRangeFilter),
        "sources_disagree",
        PendingCandidatesFilter,
    )
    list_select_related = ("category", "admin1", "admin2")
    search_fields = ("title", "summary", "place_name")
    list_per_page = 50
    show_full_result_count = False
    inlines = (IncidentCasualtyInline, IncidentReportInline)
    fieldsets = (
        (None, {"fields": ("title", "summary", "perpetrator")}),
        (
            gettext_lazy("State"),
            {"fields": ("status", "merged_into", "verified_by", "verified_at", "created_at", "updated_at")},
        ),
        (gettext_lazy("What and when"), {"fields": ("category", "occurred_from", "occurred_to", "time_precision")}),
        (
            gettext_lazy("Where"),
            {"fields": ("admin1", "admin2", "place_name", "latitude", "longitude", "geo_precision")},
        ),
        (gettext_lazy("Outage"), {"fields": ("service", "restored_at")}),
        (
            gettext_lazy("Sources"),
            {"fields": ("report_count", "source_count", "sources_disagree", "first_reported_at")},
        ),
    )

    @admin.display(description=gettext_lazy("title"), ordering="title")
    def title_cell(self, incident: Incident):
        return user_text(incident.title)

    @admin.display(description=gettext_lazy("when"), ordering="occurred_from")
    def occurred(self, incident: Incident) -> str:
        return local_datetime(incident.occurred_from)

    def get_search_results(self, request, queryset, search_term):
        """Also by id (whole, as in the API, or its first characters, as a reviewer copies it)."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().lower()
        if len(term) >= 6 and all(c in "0123456789abcdef-" for c in term):
            by_id = self.model.objects.annotate(text_id=Cast("id", CharField())).filter(text_id__startswith=term)
            queryset = queryset | self.model.objects.filter(pk__in=by_id.values("pk"))
        return queryset, may_have_duplicates

    def get_readonly_fields(self, request, obj=None):
        # Title, summary and perpetrator are words for partners; everything else is the pipeline's or a service's.
        editable = {"title", "summary", "perpetrator"}
        return [name for _t, options in self.fieldsets for name in options["fields"] if name not in editable]

    def has_add_permission(self, request):
        return False  # incidents come from reports (the pipeline, or a reviewer's split)

    def has_delete_permission(self, request, obj=None):
        return False  # withdraw instead: partners must learn of it

    def save_model(self, request, obj, form, change):
        # Through the service: it marks the fields as the reviewer's, so the pipeline never overwrites a redaction.
        try:
            incident_edit_public_text(
                incident=obj, by=request.user, title=obj.title, summary=obj.summary, perpetrator=obj.perpetrator
            )
        except IncidentActionError as error:
            show_refusal(request, error)

    # Reviewers' decisions: each a POST to one URL, each through incidents.services -----------

    change_form_template = "admin/incidents/incident/decisions_change_form.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<uuid:object_id>/decide/", wrap(self.decide_view), name="incidents_incident_decide"),
            *super().get_urls(),
        ]

    def decide_view(self, request: HttpRequest, object_id):
        """Override a best figure, merge this incident into another, split reports out, withdraw or verify."""
        incident = get_object_or_404(Incident, pk=object_id)
        back = reverse("admin:incidents_incident_change", args=[incident.pk])
        if request.method != "POST":
            return HttpResponseRedirect(back)
        post = request.POST
        step, note = post.get("step", ""), post.get("note", "")
        try:
            if step == "override":
                best_text = post.get("best", "").strip()
                if best_text and not best_text.isdigit():
                    raise IncidentActionError(field="best", reason=_("A whole number, 0 or more."), status=400)
                incident_override_best(
                    incident=incident,
                    kind=post.get("kind", ""),
                    group=post.get("group", ""),
                    best=int(best_text) if best_text else None,
                    note=note,
                    by=admin_user(request),
                )
                messages.success(request, _("The figure is overridden; the note is kept with it."))
            elif step == "merge":
                # The same direction as the API (POST /api/v1/incidents/{id}/merge/ {"into": …}): this one is absorbed.
                survivor = _incident_or_error(post.get("into", ""), field="into")
                survivor = incident_merge(
                    target=survivor, absorbed=incident, by=admin_user(request), note=note, title=post.get("title", "")
                )
                messages.success(
                    request,
                    _("Merged: “%(absorbed)s” is now part of “%(survivor)s”, which survives.")
                    % {"absorbed": isolate(incident.title), "survivor": isolate(survivor.title)},
                )
                return HttpResponseRedirect(reverse("admin:incidents_incident_change", args=[survivor.pk]))
            elif step == "split":
                new = incident_split(
                    incident=incident, report_ids=post.getlist("report_ids"), by=admin_user(request), note=note
                )
                messages.success(
                    request,
                    _("The reports are now in a new incident, “%(title)s” (%(state)s).")
                    % {"title": isolate(new.title), "state": new.get_status_display()},
                )
                return HttpResponseRedirect(reverse("admin:incidents_incident_change", args=[new.pk]))
            elif step == "withdraw":
                withdrawn = incident_withdraw(incident=incident, by=admin_user(request), note=note)
                messages.success(request, _("The incident is %(s)s.") % {"s": withdrawn.get_status_display()})
            elif step == "verify":
                verified = incident_verify(incident=incident, by=admin_user(request), note=note)
                messages.success(request, _("The incident is %(s)s.") % {"s": verified.get_status_display()})
            else:
                messages.error(request, _("Unknown step “%(s)s”.") % {"s": step})
        except IncidentActionError as error:
            show_refusal(request, error)
        return HttpResponseRedirect(back)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        incident = self.get_object(request, object_id)
        if incident is not None:
            extra_context = {**(extra_context or {}), **self._decisions_context(request, incident)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _decisions_context(self, request, incident: Incident) -> dict:
        live = incident.status in LIVE_STATUSES
        find = request.GET.get("find", "").strip()
        choices = incidents_to_choose(near=incident, query=find, exclude=[incident.pk])
        return {
            "decide_url": reverse("admin:incidents_incident_decide", args=[incident.pk]),
            "can_decide": live and request.user.is_reviewer,
            "is_unverified": incident.status == IncidentStatus.UNVERIFIED,
            "merge_choices": choice_rows(choices),
            "find": find,
            "member_reports": list(
                Report.objects.filter(incident=incident).select_related("category").order_by("received_at")
            ),
            "kinds": CasualtyKind.choices,
            "groups": CasualtyGroup.choices,
        }


# --- the review queue and report page, with what belongs to incidents ------------------------------


class HasCandidatesFilter(admin.SimpleListFilter):
    title = gettext_lazy("duplicate candidates")
    parameter_name = "candidates"

    def lookups(self, request, model_admin):
        return [("yes", _("Has pending candidates")), ("no", _("None pending"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(candidate_count__gt=0)
        if self.value() == "no":
            return queryset.filter(candidate_count=0)
        return queryset


class ReviewReportAdmin(ReportAdmin):
    """`reports.admin.ReportAdmin` with the report's duplicate candidates: a column, a filter, the decisions."""

    change_form_template = "admin/incidents/report/review_change_form.html"
    list_display = (
        *ReportAdmin.list_display[: ReportAdmin.list_display.index("status") + 1],
        "candidates",
        *ReportAdmin.list_display[ReportAdmin.list_display.index("status") + 1 :],
    )
    list_filter = (*ReportAdmin.list_filter, HasCandidatesFilter)

    def get_queryset(self, request):
        return review_queue()

    @admin.display(description=gettext_lazy("candidates"), ordering="candidate_count")
    def candidates(self, report: WithAnnotations[Report, _Candidates]) -> int:
        return report.candidate_count

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<uuid:object_id>/candidates/<int:candidate_id>/",
                wrap(self.candidate_view),
                name="reports_report_candidate",
            ),
            path("<uuid:object_id>/move/", wrap(self.move_view), name="reports_report_move"),
            *super().get_urls(),
        ]

    def candidate_view(self, request: HttpRequest, object_id, candidate_id: int):
        """Accept (the report joins the incident) or reject (never suggested again) a duplicate candidate."""
        candidate = get_object_or_404(DuplicateCandidate, pk=candidate_id, report_id=object_id)
        back = reverse("admin:reports_report_change", args=[object_id])
        if request.method != "POST":
            return HttpResponseRedirect(back)
        step, note = request.POST.get("step", ""), request.POST.get("note", "")
        try:
            if step == "accept":
                report = candidate_accept(candidate=candidate, by=admin_user(request), note=note)
                joined = report.incident
                assert joined is not None  # noqa: S101 — accepting puts the report in an incident
                messages.success(
                    request,
                    _("The report joined “%(i)s” (%(state)s).")
                    % {"i": isolate(joined.title), "state": joined.get_status_display()},
                )
            elif step == "reject":
                candidate_reject(candidate=candidate, by=admin_user(request), note=note)
                messages.success(request, _("Not the same event: it will not be suggested again."))
            else:
                messages.error(request, _("Unknown step “%(s)s”.") % {"s": step})
        except IncidentActionError as error:
            show_refusal(request, error)
        return HttpResponseRedirect(back)

    def move_view(self, request: HttpRequest, object_id):
        """Move the report to another incident (by id), or to a new one of its own (empty id)."""
        report = get_object_or_404(Report, pk=object_id)
        back = reverse("admin:reports_report_change", args=[object_id])
        if request.method != "POST":
            return HttpResponseRedirect(back)
        wanted = request.POST.get("incident", "").strip()
        try:
            if not wanted:
                raise IncidentActionError(
                    field="incident", reason=_("Choose the incident to move the report to first."), status=400
                )
            target = None if wanted == "new" else _incident_or_error(wanted, field="incident")
            incident = report_move(
                report=report, by=admin_user(request), incident=target, note=request.POST.get("note", "")
            )
            messages.success(
                request,
                _("The report is now in “%(i)s” (%(state)s).")
                % {"i": isolate(incident.title), "state": incident.get_status_display()},
            )
        except IncidentActionError as error:
            show_refusal(request, error)
        return HttpResponseRedirect(back)

    def _review_context(self, request, report: Report) -> dict:
        rows = candidate_rows(report)
        find = request.GET.get("find", "").strip()
        offered = {row["incident"].pk for row in rows} | {report.incident_id}
        found = incidents_to_choose(near=report.incident, query=find, exclude=offered) if find else []
        return {
            **super()._review_context(request, report),
            "candidates": [
                {**row, "actions_url": reverse("admin:reports_report_candidate", args=[report.pk, row["candidate"].pk])}
                for row in rows
            ],
            "move_url": reverse("admin:reports_report_move", args=[report.pk]),
            "move_choices": choice_rows([row["incident"] for row in rows if row["incident"].status in LIVE_STATUSES])
            + choice_rows(found),
            "find": find,
        }


admin.site.unregister(Report)
admin.site.register(Report, ReviewReportAdmin)


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(admin.ModelAdmin):
    """Every candidate pair the matcher proposed, with its decision; decided from the report page."""

    list_display = ("report_cell", "incident_cell", "score_cell", "decision", "decided_by", "decided_at")
    list_display_links = None
    list_filter = ("decision",)
    list_select_related = ("report", "incident", "decided_by")
    search_fields = ("report__title", "incident__title")

    def get_ordering(self, request):
        # Pending first, the pairs the matcher is least sure of first (incidents.selectors.candidates_for_review:
        # annotations, which the `ordering` attribute's check cannot see).
        return ("waiting", "certainty", "-score", "id")

    def get_queryset(self, request):
        return candidates_for_review().select_related("report", "incident", "decided_by")

    @admin.display(description=gettext_lazy("report"), ordering="report__title")
    def report_cell(self, candidate: DuplicateCandidate):
        url = reverse("admin:reports_report_change", args=[candidate.report_id])
        return format_html('<a href="{}#duplicate-candidates">{}</a>', url, user_text(candidate.report.title))

    @admin.display(description=gettext_lazy("incident"), ordering="incident__title")
    def incident_cell(self, candidate: DuplicateCandidate):
        url = reverse("admin:incidents_incident_change", args=[candidate.incident_id])
        return format_html('<a href="{}">{}</a>', url, user_text(candidate.incident.title))

    @admin.display(description=gettext_lazy("score"), ordering="score")
    def score_cell(self, candidate: DuplicateCandidate) -> str:
        return f"{score_percent(candidate.score)}%"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApiKeyIssueForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("partner organisation"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.PARTNER),
        required=False,
    )
    user = forms.ModelChoiceField(
        label=gettext_lazy("or a user"), queryset=User.objects.filter(is_active=True), required=False
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("scopes"), choices=ApiKeyScope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_at = forms.DateTimeField(label=gettext_lazy("expires at"), required=False)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Partner and user keys. Issuing shows the key once (`incidents.api_keys.api_key_issue`); only its hash is kept."""

    list_display = ("name", "prefix", "organisation", "user", "scope_list", "created_at", "expires_at", "revoked_at")
    list_filter = ("organisation", "revoked_at")
    list_select_related = ("organisation", "user")
    search_fields = ("name", "prefix", "organisation__name", "user__username")
    fields = (
        "name",
        "prefix",
        "organisation",
        "user",
        "scopes",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    readonly_fields = fields
    actions = ("revoke_selected",)

    @admin.display(description=gettext_lazy("scopes"))
    def scope_list(self, api_key: ApiKey) -> str:
        return ", ".join(api_key.scopes)

    def has_change_permission(self, request, obj=None):
        return False  # a key is issued or revoked, never edited

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the record of who held a key stays

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("incidents.change_apikey")

    @admin.action(description=gettext_lazy("Revoke the selected keys"), permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        for api_key in queryset:
            api_key_revoke(api_key=api_key)
        messages.success(request, _("Revoked: %(n)d.") % {"n": queryset.count()})

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ApiKeyIssueForm(request.POST or None)
        issued = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                issued = api_key_issue(
                    name=data["name"],
                    scopes=data["scopes"],
                    user=data["user"],
                    organisation=data["organisation"],
                    expires_at=data["expires_at"],
                    created_by=request.user,
                )
            except ValidationError as error:
                for field, reasons in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, reasons)
            else:
                self.log_addition(request, issued.api_key, [{"added": {}}])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Issue an API key"),
            "opts": self.model._meta,
            "form": form,
            "issued": issued,
        }
        response = TemplateResponse(request, "admin/incidents/apikey/issue.html", context)
        response["Cache-Control"] = "no-store"  # the page with the key must not be kept anywhere
        return response
