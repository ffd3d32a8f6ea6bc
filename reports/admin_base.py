"""Building blocks shared by the admins of both apps (`reports/admin.py`, `incidents/admin.py`).

History to read but never revert from, read-only inlines, the governorate and
district filters, and the one way a refused service step is shown.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from reports.errors import ActionRefused
from reports.models import Area


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """History to read, never to revert from.

    simple-history's `SIMPLE_HISTORY_REVERT_DISABLED` only hides the button: a
    POST to a historical version still saves it, state included, around the
    services. Here any POST there is refused.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GovernorateFilter(admin.RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        return [(a.pcode, str(a)) for a in Area.objects.filter(level=Area.Level.ADMIN1)]


class DistrictFilter(admin.RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        return [(a.pcode, str(a)) for a in Area.objects.filter(level=Area.Level.ADMIN2)]


def show_refusal(request: HttpRequest, error: ActionRefused, *, subject: object = None) -> None:
    """A refused step as the reviewer reads it: the reason (and what it was about, for a step on many)."""
    if error.status == 403:
        raise PermissionDenied(error.reason)
    prefix = f"{subject}: " if subject is not None else ""
    messages.error(request, f"{prefix}{error.reason}")
