"""The review admin for reports, and the coordinators' registers (users, organisations, categories, areas).

Nothing here changes a report's review state by itself: the queue's actions
and the buttons of the report page call `reports.review`; a report's content
is read-only (monitors amend their own reports). See docs/review.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, TypedDict

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.db.models import Q
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.accounts import PROFILE_FIELDS, user_create, user_update, username_check
from reports.admin_base import (
    DateRangeFilter,
    DistrictFilter,
    GovernorateFilter,
    ReadOnlyHistoryAdmin,
    ReadOnlyInline,
    local_datetime,
    now_message,
    show_refusal,
    states_message,
    user_text,
)
from reports.choices import ReportStatus, Role
from reports.models import (
    Area,
    AreaAlias,
    Attachment,
    AttachmentAccess,
    Category,
    Organisation,
    Report,
    ReportCasualty,
    ReviewDecision,
    User,
)
from reports.review import ReviewError, lock_holder, report_release, report_review, report_review_bulk, report_take
from reports.selectors import QUEUE_ORDERING, reports_for_review

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _QueueFigures(TypedDict):
    """What reports_for_review() annotates and the queue shows."""

    killed_high: int | None
    cumulative_killed_high: int | None


# A filter of the review queue's sidebar: a filter class, a field name, or a field with its filter class.
QueueFilter = type[admin.ListFilter] | str | tuple[str, type[admin.FieldListFilter]]

QUEUE_STATES = (ReportStatus.SUBMITTED, ReportStatus.IN_REVIEW)


# --- queue filters ---------------------------------------------------------------------


class ReviewStateFilter(admin.SimpleListFilter):
    """The queue by default (submitted and in review); any one state, or all, on request."""

    title = gettext_lazy("review state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("queue", _("Waiting for review")), *ReportStatus.choices, ("all", _("All"))]

    def queryset(self, request, queryset):
        value = self.value() or "queue"
        if value == "queue":
            return queryset.filter(status__in=QUEUE_STATES)
        if value == "all":
            return queryset
        return queryset.filter(status=value)

    def choices(self, changelist):
        current = self.value() or "queue"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class TakenFilter(admin.SimpleListFilter):
    title = gettext_lazy("taken")
    parameter_name = "taken"

    def lookups(self, request, model_admin):
        return [("mine", _("Taken by me")), ("free", _("Free to take")), ("others", _("Taken by others"))]

    def queryset(self, request, queryset):
        held = Q(assigned_to__isnull=False, assigned_until__gt=timezone.now())
        if self.value() == "mine":
            return queryset.filter(held, assigned_to=request.user)
        if self.value() == "free":
            return queryset.exclude(held)
        if self.value() == "others":
            return queryset.filter(held).exclude(assigned_to=request.user)
        return queryset


class ReportCasualtyInline(ReadOnlyInline):
    model = ReportCasualty
    fields = ("kind", "group", "low", "high", "scope")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("casualty figures")


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("preview", "content_type", "size", "sha256", "uploaded_at", "original_link")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("photos and documents")

    @admin.display(description=gettext_lazy("stripped copy"))
    def preview(self, attachment: Attachment):
        url = _attachment_url("attachment-stripped", attachment)
        if url is None:
            return "—"
        if attachment.content_type.startswith("image/"):
            return format_html('<a href="{}"><img src="{}" class="sijil-thumb" alt=""></a>', url, url)
        return format_html('<a href="{}">{}</a>', url, _("open"))

    @admin.display(description=gettext_lazy("original"))
    def original_link(self, attachment: Attachment):
        url = _attachment_url("attachment-original", attachment)
        if url is None:
            return "—"
        return format_html(
            '<a class="button" href="{}" title="{}">{}</a>',
            url,
            _("Every opening of an original is recorded."),
            _("Open the original (recorded)"),
        )


def _attachment_url(name: str, attachment: Attachment) -> str | None:
    """The attachment views of `reports.web` (stripped copy, recorded original), when they are installed."""
    for kwargs in ({"pk": attachment.pk}, {"attachment_id": attachment.pk}):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


class ReviewDecisionInline(ReadOnlyInline):
    model = ReviewDecision
    fields = ("decided_at", "actor", "decision", "from_status", "to_status", "note")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("review steps")


# --- the report admin ----------------------------------------------------------------


class RejectForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Reason for rejecting (the monitor sees it)"), widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(Report)
class ReportAdmin(ReadOnlyHistoryAdmin):
    """The review queue and the report page. Read-only content; review steps through `reports.review`."""

    change_form_template = "admin/reports/report/review_change_form.html"
    # Typed wider than the literal tuples, so that incidents/admin.py's ReviewReportAdmin can add a column and a filter.
    list_display: tuple[str, ...] = (
        "title_cell",
        "category",
        "where",
        "occurred",
        "killed",
        "status",
        "taken_by",
        "organisation",
        "received",
    )
    list_display_links = ("title_cell",)
    list_select_related = ("category", "admin1", "admin2", "organisation", "assigned_to")
    list_filter: ClassVar[tuple[QueueFilter, ...]] = (
        ReviewStateFilter,
        "category",
        ("admin1", GovernorateFilter),
        ("admin2", DistrictFilter),
        ("occurred_at", DateRangeFilter),
        ("received_at", DateRangeFilter),
        "organisation",
        TakenFilter,
    )
    search_fields = ("title", "narrative", "place_name")
    list_per_page = 50
    show_full_result_count = False
    actions = ("take_selected", "verify_selected", "reject_selected")
    inlines = (ReportCasualtyInline, AttachmentInline, ReviewDecisionInline)
    fieldsets = (
        (gettext_lazy("What"), {"fields": ("title", "category", "narrative", "language", "perpetrator")}),
        (gettext_lazy("When"), {"fields": ("occurred_at", "occurred_until", "time_precision")}),
        (
            gettext_lazy("Where"),
            {"fields": ("admin1", "admin2", "place_name", "latitude", "longitude", "geo_precision")},
        ),
        (
            gettext_lazy("Source"),
            {
                "fields": (
                    "monitor",
                    "organisation",
                    "source_type",
                    "source_reliability",
                    "info_credibility",
                    "source_notes",
                )
            },
        ),
        (gettext_lazy("Outage"), {"fields": ("service", "outage_restored_at")}),
        (
            gettext_lazy("Review"),
            {
                "fields": (
                    "status",
                    "review_note",
                    "reviewed_by",
                    "reviewed_at",
                    "assigned_to",
                    "assigned_until",
                    "incident_link",
                    "incident_pinned",
                )
            },
        ),
        (
            gettext_lazy("Processing"),
            {
                "classes": ("collapse",),
                "fields": (
                    "id",
                    "received_at",
                    "updated_at",
                    "processing_state",
                    "processing_attempts",
                    "processed_at",
                    "processing_error",
                    "submission_hash",
                ),
            },
        ),
    )

    # The queue -------------------------------------------------------------------

    def get_queryset(self, request):
        return reports_for_review()

    def get_ordering(self, request):
        return QUEUE_ORDERING

    def get_readonly_fields(self, request, obj=None):
        return [name for _title, options in self.fieldsets for name in options["fields"]]

    def has_add_permission(self, request):
        return False  # reports come from monitors, through reports.services.report_submit

    def has_delete_permission(self, request, obj=None):
        return False  # a report is a record; rejecting it is the way to set it aside

    def has_change_permission(self, request, obj=None):
        return False  # the content is the monitor's; review steps have their own buttons

    def has_review_permission(self, request) -> bool:
        return request.user.is_reviewer

    @admin.display(description=gettext_lazy("title"), ordering="title")
    def title_cell(self, report: Report):
        # Two lines at most in the queue (admin-review.css); the whole title on hover and on its page.
        return format_html('<bdi dir="auto" title="{}">{}</bdi>', report.title, report.title)

    @admin.display(description=gettext_lazy("where"), ordering="admin2__name_en")
    def where(self, report: Report):
        area = report.admin2 or report.admin1
        if not report.place_name:
            return str(area)
        return format_html("{} <small>({})</small>", user_text(report.place_name), area)

    @admin.display(description=gettext_lazy("when"), ordering="occurred_at")
    def occurred(self, report: Report) -> str:
        return local_datetime(report.occurred_at)

    @admin.display(description=gettext_lazy("received"), ordering="received_at")
    def received(self, report: Report) -> str:
        return local_datetime(report.received_at)

    @admin.display(description=gettext_lazy("killed (at most)"), ordering="killed_high")
    def killed(self, report: WithAnnotations[Report, _QueueFigures]):
        """The report's own figure; a running total it quotes ("over a thousand killed") shown as such, never as 0."""
        cumulative = getattr(report, "cumulative_killed_high", None)
        if cumulative:
            total = format_html(
                '<span class="sijil-cumulative" title="{}">{}</span>',
                _("A running total the report quotes; not counted for this incident."),
                _("running total: %(n)s") % {"n": cumulative},
            )
            return total if not report.killed_high else format_html("{}<br>{}", report.killed_high, total)
        return report.killed_high

    @admin.display(description=gettext_lazy("taken by"))
    def taken_by(self, report: Report) -> str:
        holder = report.assigned_to if lock_holder(report) else None
        return holder.get_username() if holder is not None else ""

    @admin.display(description=gettext_lazy("incident"))
    def incident_link(self, report: Report):
        if report.incident_id is None:
            return _("not yet processed")
        url = reverse("admin:incidents_incident_change", args=[report.incident_id])
        assert report.incident is not None  # noqa: S101 — incident_id is set
        return format_html(
            '<a href="{}">{}</a> ({})', url, user_text(report.incident), report.incident.get_status_display()
        )

    # Queue actions ----------------------------------------------------------------

    @admin.action(description=gettext_lazy("Take the selected reports (assign them to me)"), permissions=["review"])
    def take_selected(self, request, queryset):
        taken = []
        for report in queryset.order_by(*QUEUE_ORDERING):
            try:
                taken.append(report_take(report=report, reviewer=request.user))
            except ReviewError as error:
                show_refusal(request, error, subject=report)
        if taken:
            messages.success(
                request, _("Taken by you: %(n)d. %(states)s") % {"n": len(taken), "states": states_message(taken)}
            )

    @admin.action(description=gettext_lazy("Verify the selected reports"), permissions=["review"])
    def verify_selected(self, request, queryset):
        self._bulk(request, queryset, decision="verify", note="")

    @admin.action(description=gettext_lazy("Reject the selected reports (asks for a reason)"), permissions=["review"])
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._bulk(request, queryset, decision="reject", note=form.cleaned_data["note"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject %(n)d reports") % {"n": queryset.count()},
            "opts": self.model._meta,
            "reports": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/reports/report/reject_selected.html", context)

    def _bulk(self, request, queryset, *, decision: str, note: str) -> None:
        try:
            result = report_review_bulk(reports=list(queryset), reviewer=request.user, decision=decision, note=note)
        except ReviewError as error:
            show_refusal(request, error)
            return
        if result.decided:
            messages.success(request, states_message(result.decided))
        titles = {r.pk: r.title for r in queryset}
        for pk, refusal in result.refused.items():
            show_refusal(request, refusal, subject=titles.get(pk, pk))

    # The report page ----------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<uuid:object_id>/review/", wrap(self.review_view), name="reports_report_review"),
            *super().get_urls(),
        ]

    def review_view(self, request: HttpRequest, object_id):
        """One review step from the report page: take, release, verify, reject or ask (POST only)."""
        report = get_object_or_404(Report, pk=object_id)
        back = reverse("admin:reports_report_change", args=[report.pk])
        if request.method != "POST":
            return HttpResponseRedirect(back)
        step = request.POST.get("step", "")
        note = request.POST.get("note", "")
        reviewer = request.user
        assert isinstance(reviewer, User)  # noqa: S101 — admin_view lets in only signed-in staff
        try:
            if step == "take":
                taken = report_take(report=report, reviewer=reviewer)
                messages.success(request, f"{_('You have taken this report.')} {now_message(taken)}")
            elif step == "release":
                released = report_release(report=report, reviewer=reviewer)
                messages.success(request, f"{_('The report is back in the queue.')} {now_message(released)}")
            else:
                messages.success(
                    request, now_message(report_review(report=report, reviewer=reviewer, decision=step, note=note))
                )
                if step in ("verify", "reject"):
                    return HttpResponseRedirect(reverse("admin:reports_report_changelist"))
        except ReviewError as error:
            show_refusal(request, error)
        return HttpResponseRedirect(back)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), **self._review_context(request, report)} if report else extra_context
        return super().change_view(request, object_id, form_url, extra_context)

    def _review_context(self, request, report: Report) -> dict:
        holder = lock_holder(report)
        return {
            "review_url": reverse("admin:reports_report_review", args=[report.pk]),
            "can_review": request.user.is_reviewer,
            "lock_holder": report.assigned_to if holder else None,
            "held_by_me": holder == request.user.pk,
            "in_queue": report.status in QUEUE_STATES,
            "report_figures": list(report.casualties.all()),
        }


# --- coordinators' registers -------------------------------------------------------------


class RoleField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Role.choices, label=gettext_lazy("role"), **kwargs)


class SijilUserCreationForm(UserCreationForm):
    role = RoleField()

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "organisation")


class SijilUserChangeForm(UserChangeForm):
    role = RoleField()

    class Meta(UserChangeForm.Meta):
        model = User

    def clean_username(self):
        username = self.cleaned_data["username"]
        username_check(username=username, exclude=self.instance.pk)
        return username

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            roles = sorted(self.instance.roles)
            self.fields["role"].initial = roles[0] if roles else None


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users and their role (the role is membership of the group of the same name)."""

    form = SijilUserChangeForm
    add_form = SijilUserCreationForm
    list_display = ("username", "email", "organisation", "role_names", "is_active", "last_login")
    list_filter = ("groups", "organisation", "is_active")
    list_select_related = ("organisation",)
    search_fields = ("username", "email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            gettext_lazy("Person"),
            {"fields": ("first_name", "last_name", "email", "organisation", "time_zone", "preferred_language")},
        ),
        (gettext_lazy("Role and access"), {"fields": ("role", "is_active")}),
        (gettext_lazy("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "role", "organisation", "email", "password1", "password2")},
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=gettext_lazy("role"))
    def role_names(self, user: User) -> str:
        return ", ".join(sorted(g.name for g in user.groups.all()))

    # Saving goes through the services, which turn the role into groups and is_staff and record who did it.
    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)
        data = form.cleaned_data
        return user_create(
            username=data["username"],
            role=data["role"],
            password=data["password1"],
            organisation=data.get("organisation"),
            email=data.get("email") or "",
            by=request.user,
        )

    def save_model(self, request, obj, form, change):
        if change:
            profile = {name: form.cleaned_data[name] for name in form.changed_data if name in PROFILE_FIELDS}
            user_update(user=obj, role=form.cleaned_data["role"], by=request.user, **profile)

    def save_related(self, request, form, formsets, change):
        if change:  # the add form has no related fields: user_create saved the account whole
            super().save_related(request, form, formsets, change)

    def log_addition(self, request, obj, message):
        return None  # user_create recorded it

    def log_change(self, request, obj, message):
        if request.resolver_match and request.resolver_match.url_name == "reports_user_change":
            return None  # user_update recorded it (the password form's change is still logged here)
        return super().log_change(request, obj, message)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_en", "name_ar", "group", "acled_event_type", "is_outage", "is_active", "sort_order")
    list_filter = ("group", "is_outage", "is_active")
    search_fields = ("slug", "name_en", "name_ar")

    def get_readonly_fields(self, request, obj=None):
        return ("slug",) if obj else ()  # the slug is part of the API contract


class AreaAliasInline(admin.TabularInline):
    model = AreaAlias
    extra = 1


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("pcode", "name_en", "name_ar", "level", "parent")
    list_filter = ("level", ("parent", GovernorateFilter))
    list_select_related = ("parent",)
    search_fields = ("pcode", "name_en", "name_ar", "aliases__name")
    inlines = (AreaAliasInline,)

    def get_readonly_fields(self, request, obj=None):
        return ("pcode", "level") if obj else ()

    def save_related(self, request, form, formsets, change):
        from reports.selectors import place_index_clear

        super().save_related(request, form, formsets, change)
        place_index_clear()  # new names resolve at once


@admin.register(AttachmentAccess)
class AttachmentAccessAdmin(admin.ModelAdmin):
    """Chain of custody: every opening of an attachment's original, by whom and when (read-only)."""

    list_display = ("accessed_at", "user", "attachment", "report")
    list_filter = ("user",)
    list_select_related = ("user", "attachment", "attachment__report")
    search_fields = ("user__username", "attachment__report__title")
    date_hierarchy = "accessed_at"

    @admin.display(description=gettext_lazy("report"))
    def report(self, access: AttachmentAccess):
        report = access.attachment.report
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:reports_report_change", args=[report.pk]), user_text(report.title)
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
