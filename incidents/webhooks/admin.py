"""Coordinators register partners' webhook endpoints, read the delivery log and redeliver (docs/webhooks.md)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from incidents.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEventType
from incidents.webhooks.services import webhook_endpoint_create, webhook_endpoint_revoke, webhook_redeliver
from reports.models import Organisation


def is_coordinator(user) -> bool:
    return bool(user.is_active and (user.is_superuser or user.is_coordinator))


class CoordinatorsOnly:
    def has_module_permission(self, request):
        return is_coordinator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_coordinator(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"), choices=WebhookEventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["organisation", "url", "events", "contact_email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "organisation" in self.fields:  # the change page shows it read-only
            # A ModelForm gives a foreign key a ModelChoiceField (`fields` is typed as plain Fields).
            organisation = cast("forms.ModelChoiceField[Organisation]", self.fields["organisation"])
            organisation.queryset = Organisation.objects.filter(kind=Organisation.Kind.PARTNER)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(CoordinatorsOnly, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("organisation", "url", "is_active", "created_at", "revoked_at")
    list_filter = ("is_active", "organisation")
    readonly_fields = ("disabled_reason", "failing_since", "created_at", "revoked_at")
    actions = ["revoke_selected"]

    def has_add_permission(self, request):
        return is_coordinator(request.user)

    def save_model(self, request, obj, form, change):
        endpoint = webhook_endpoint_create(
            organisation=form.cleaned_data["organisation"],
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            contact_email=form.cleaned_data.get("contact_email", ""),
            created_by=request.user,
        )
        obj.pk = endpoint.pk
        messages.warning(
            request,
            _("The signing secret, shown this once — give it to the partner: %(secret)s") % {"secret": endpoint.secret},
        )

    @admin.action(description=gettext_lazy("Revoke the selected endpoints"))
    def revoke_selected(self, request, queryset):
        for endpoint in queryset:
            webhook_endpoint_revoke(endpoint=endpoint)
        messages.success(
            request,
            ngettext("%(n)d endpoint revoked.", "%(n)d endpoints revoked.", queryset.count()) % {"n": queryset.count()},
        )


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("at", "status_code", "latency_ms", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(CoordinatorsOnly, admin.ModelAdmin):
    list_display = ("event", "endpoint", "status", "attempts", "status_code", "delivered_at", "next_attempt_at")
    list_filter = ("status", "endpoint__organisation")
    readonly_fields = ("endpoint", "event", "status", "attempts", "status_code", "last_error", "delivered_at")
    fields = readonly_fields
    inlines = [AttemptInline]
    actions = ["redeliver_selected"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=gettext_lazy("Send the selected deliveries again"))
    def redeliver_selected(self, request, queryset):
        sent = 0
        for delivery in queryset.select_related("endpoint"):
            if delivery.endpoint.is_active:
                webhook_redeliver(delivery=delivery)
                sent += 1
        messages.success(
            request, ngettext("%(n)d delivery sent again.", "%(n)d deliveries sent again.", sent) % {"n": sent}
        )
