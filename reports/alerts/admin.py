"""Alerts in the admin: each reviewer sees their own, at once; coordinators edit the rules and the duty roster."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy, ngettext

from reports.alerts.models import Alert, AlertRule, ReviewerDuty
from reports.alerts.services import alert_mark_read


def is_coordinator(user) -> bool:
    return bool(user.is_active and (user.is_superuser or user.is_coordinator))


def is_reviewer(user) -> bool:
    return bool(user.is_active and (user.is_superuser or user.is_reviewer))


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("subject", "kind", "created_at", "email_delivered", "read_at")
    list_filter = ("kind", "email_delivered")
    fields = ("subject", "body", "kind", "created_at", "email_delivered", "email_error", "read_at")
    readonly_fields = fields
    actions = ["mark_read"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(recipient=request.user)

    def has_module_permission(self, request):
        return is_reviewer(request.user)

    def has_view_permission(self, request, obj=None):
        return is_reviewer(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        alert = self.get_queryset(request).filter(pk=object_id).first()
        if alert is not None:
            alert_mark_read(alerts=[alert], user=request.user)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=gettext_lazy("Mark as read"))
    def mark_read(self, request, queryset):
        count = alert_mark_read(alerts=list(queryset), user=request.user)
        messages.success(
            request, ngettext("%(n)d alert marked read.", "%(n)d alerts marked read.", count) % {"n": count}
        )


class CoordinatorsEdit(admin.ModelAdmin):
    def has_module_permission(self, request):
        return is_coordinator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_coordinator(request.user)

    def has_add_permission(self, request):
        return is_coordinator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_coordinator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_coordinator(request.user)


@admin.register(AlertRule)
class AlertRuleAdmin(CoordinatorsEdit):
    list_display = ("name", "categories", "areas", "killed_at_least", "is_active")


@admin.register(ReviewerDuty)
class ReviewerDutyAdmin(CoordinatorsEdit):
    list_display = ("user", "on_duty")
