"""Building blocks shared by the admins of both apps (`reports/admin.py`, `incidents/admin.py`).

History to read but never revert from, read-only inlines, the governorate and
district filters, a date-range filter, and the one way each thing is shown: a
refused service step (`show_refusal`), what a step did (`states_message`, from
what the service returned), user-written text (`user_text`, isolated so that
mixed Arabic and English keep their punctuation), dates (`local_datetime`),
and the signed-in user of an admin page (`admin_user`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from reports.errors import ActionRefused
from reports.models import Area, User


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """History to read, never to revert from.

    simple-history's `SIMPLE_HISTORY_REVERT_DISABLED` only hides the button: a
    POST to a historical version still saves it, state included, around the
    services. Here any POST there is refused.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """Every text a reviewer types (a title, a summary, a note) takes its own direction as it is typed."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if (field is not None and getattr(field.widget, "input_type", "text") == "text") or (
            field is not None and field.widget.__class__.__name__ == "Textarea"
        ):
            field.widget.attrs.setdefault("dir", "auto")
        return field

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


class DateRangeFilter(admin.FieldListFilter):
    """From one day to another (inclusive, in the reviewer's time zone), typed or picked as YYYY-MM-DD.

    Django's own date filter offers only today / 7 days / this month / this year, which says nothing about
    data from March 2025. The parameters are `<field>__from` and `<field>__to`; a value that is not a date is
    named in a message and not applied (the list is never filtered on a guess).
    """

    template = "admin/sijil/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.key_from = f"{field_path}__from"
        self.key_to = f"{field_path}__to"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = field.verbose_name
        self.value_from = self._raw(self.key_from)
        self.value_to = self._raw(self.key_to)

    def _raw(self, key: str) -> str:
        value = self.used_parameters.get(key, "")
        if isinstance(value, list | tuple):
            value = value[-1] if value else ""
        return str(value).strip()

    def expected_parameters(self) -> list[str | None]:
        return [self.key_from, self.key_to]

    def has_output(self) -> bool:
        return True

    def queryset(self, request, queryset):
        zone = timezone.get_current_timezone()
        for raw, lookup, shift in (
            (self.value_from, "gte", timedelta(0)),
            (self.value_to, "lt", timedelta(days=1)),
        ):
            if not raw:
                continue
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                messages.warning(
                    request,
                    _("“%(value)s” is not a date (YYYY-MM-DD): the filter on %(field)s is not applied.")
                    % {"value": raw, "field": self.title},
                )
                continue
            bound = timezone.make_aware(datetime.combine(day, time.min), zone) + shift
            queryset = queryset.filter(**{f"{self.field_path}__{lookup}": bound})
        return queryset

    def choices(self, changelist):
        hidden = [
            (key, value)
            for key, values in changelist.get_filters_params().items()
            if key not in (self.key_from, self.key_to)
            for value in (values if isinstance(values, list | tuple) else [values])
        ]
        for key in ("q", "o"):
            if changelist.params.get(key):
                value = changelist.params[key]
                hidden.append((key, value[-1] if isinstance(value, list | tuple) else value))
        yield {
            "key_from": self.key_from,
            "key_to": self.key_to,
            "value_from": self.value_from,
            "value_to": self.value_to,
            "hidden": hidden,
            "clear_url": changelist.get_query_string(remove=[self.key_from, self.key_to]),
            "active": bool(self.value_from or self.value_to),
        }


def admin_user(request: HttpRequest) -> User:
    """The user of a request to an admin page: `admin_site.admin_view` lets in only signed-in staff."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 — narrowing for mypy; admin_view redirected anyone else
    return user


def user_text(value: object) -> SafeString | str:
    """Text a person wrote (a title, a place, a note), isolated: its own direction, whatever the page's."""
    if value is None or value == "":
        return "—"
    return format_html('<bdi dir="auto">{}</bdi>', value)


def isolate(value: object) -> str:
    """User-written text inside a sentence of ours (a message, an option): Unicode's first-strong isolate.

    Plain-text twin of `user_text` for places that take no markup (messages, <option>s, <title>): an English
    title inside an Arabic sentence keeps its punctuation on its own side.
    """
    return f"\u2068{value}\u2069"


def now_message(report) -> str:
    """What one step did, from the report the service returned: "“Title” is now Verified."."""
    return _("“%(title)s” is now %(state)s.") % {"title": isolate(report.title), "state": report.get_status_display()}


def local_datetime(value: datetime | None) -> str:
    """A moment as a reviewer reads it: their time zone, the language's unambiguous short format (config/formats)."""
    if value is None:
        return "—"
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def states_message(reports: Iterable) -> str:
    """What a step did, from what the service returned: "Verified: 3." (each state the reports are now in)."""
    counts = Counter(report.get_status_display() for report in reports)
    return " ".join(_("%(state)s: %(n)d.") % {"state": state, "n": n} for state, n in counts.items())


def show_refusal(request: HttpRequest, error: ActionRefused, *, subject: object = None) -> None:
    """A refused step as the reviewer reads it: the reason (and what it was about, for a step on many)."""
    if error.status == 403:
        raise PermissionDenied(error.reason)
    prefix = f"{subject}: " if subject is not None else ""
    messages.error(request, f"{prefix}{error.reason}")
