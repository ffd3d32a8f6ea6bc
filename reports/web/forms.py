"""The monitor's report form: parses what was typed into the submission `report_submit` takes.

The form only turns text into types (dates, numbers, choices) and checks
files by content; the rules of the domain stay in `reports.services`, whose
errors are put back next to the fields they name (`add_service_errors`).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reports.attachments import AttachmentRejected, InspectedFile, attachment_inspect
from reports.choices import (
    CasualtyGroup,
    CasualtyKind,
    CasualtyScope,
    GeoPrecision,
    InfoCredibility,
    SourceReliability,
    SourceType,
    TimePrecision,
)
from reports.models import Area, Category, Report

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_FILES = 10
_ARABIC_LETTERS = re.compile("[\u0600-\u06ff]")
# Where the service's field names (docs/contract.md) are shown in this form.
SERVICE_FIELD_TO_FORM_FIELD = {
    "occurred_at": "occurred_date",
    "occurred_until": "occurred_date",
    "outage_restored_at": "restored_date",
    "service": "category",
    "status": None,
    "casualties": None,
}


def area_name(area: Area) -> str:
    return area.name_ar if get_language() == "ar" else area.name_en


def category_name(category: Category) -> str:
    return category.name_ar if get_language() == "ar" else category.name_en


def category_description(category: Category) -> str:
    return (category.description_ar if get_language() == "ar" else category.description_en) or ""


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or documents in one input; each is checked by content (reports.attachments)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list[InspectedFile]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_FILES:
            raise ValidationError(_("At most %(n)d files per report.") % {"n": MAX_FILES})
        inspected, errors = [], []
        for position, upload in enumerate(files, start=1):
            try:
                inspected.append(attachment_inspect(file=upload))
            except AttachmentRejected as rejected:
                # The position, never the file's name: names of photos often name people.
                errors.append(_("File %(n)d: %(reason)s") % {"n": position, "reason": rejected.reason})
        if errors:
            raise ValidationError(errors)
        return inspected


class CategoryChoiceField(forms.ModelChoiceField):
    queryset: QuerySet[Category]  # always given one (ModelChoiceField's may be None)

    def label_from_instance(self, obj: Category) -> str:
        return category_name(obj)


class AreaChoiceField(forms.ModelChoiceField):
    queryset: QuerySet[Area]  # always given one (ModelChoiceField's may be None)

    def label_from_instance(self, obj: Area) -> str:
        return area_name(obj)


class ReportForm(forms.Form):
    """What a monitor types. `submission()` gives the data of `report_submit` / `report_amend`."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    category = CategoryChoiceField(
        label=_("What happened?"),
        queryset=Category.objects.filter(is_active=True),
        widget=forms.RadioSelect,
        empty_label=None,
        to_field_name="slug",
    )
    occurred_date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    occurred_time = forms.TimeField(
        label=_("Time (if known)"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    time_precision = forms.TypedChoiceField(
        label=_("How sure is the date?"),
        choices=TimePrecision.choices,
        coerce=int,
        initial=TimePrecision.DAY,
        widget=forms.RadioSelect,
    )
    admin1 = AreaChoiceField(
        label=_("Governorate"),
        queryset=Area.objects.filter(level=Area.Level.ADMIN1),
        empty_label=_("Choose…"),
        to_field_name="pcode",
    )
    admin2 = AreaChoiceField(
        label=_("District (if known)"),
        queryset=Area.objects.filter(level=Area.Level.ADMIN2).select_related("parent"),
        required=False,
        empty_label=_("Not sure"),
        to_field_name="pcode",
    )
    place_name = forms.CharField(
        label=_("Town, village or neighbourhood"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "places", "autocomplete": "off"}),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False
    )
    geo_precision = forms.TypedChoiceField(
        label=_("How exact is the place?"),
        choices=[("", _("Decide from what I gave")), *GeoPrecision.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    title = forms.CharField(label=_("Short title"), max_length=200)
    narrative = forms.CharField(
        label=_("What happened, in your words"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    perpetrator = forms.CharField(label=_("Who did it, if known or alleged"), max_length=300, required=False)
    source_type = forms.ChoiceField(label=_("Where does this come from?"), choices=SourceType.choices)
    source_reliability = forms.ChoiceField(
        label=_("How reliable is that source usually?"),
        choices=SourceReliability.choices,
        initial=SourceReliability.F,
    )
    info_credibility = forms.TypedChoiceField(
        label=_("How believable is this information?"),
        choices=InfoCredibility.choices,
        coerce=int,
        initial=InfoCredibility.UNKNOWN,
    )
    source_notes = forms.CharField(
        label=_("Notes on the source (only reviewers see these)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    restored_date = forms.DateField(
        label=_("Service restored on (if it is back)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    restored_time = forms.TimeField(
        label=_("Restored at (time)"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    # The form's metaclass moves declared fields into `base_fields`: `self.files` stays the uploaded files, which
    # mypy cannot see (the stubs type the class attribute as BaseForm's).
    files = MultipleFileField(label=_("Photos and documents"), required=False)  # type: ignore[assignment]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels are questions; no colon after a question mark
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("client_id"):
            # The idempotency key is made when the form is drawn: resending this page is the same report.
            self.initial["client_id"] = uuid.uuid4()
        for field in self.fields.values():
            # What a monitor types takes its own direction (an English place in an Arabic form, and back).
            if type(field.widget) in (forms.TextInput, forms.Textarea):
                field.widget.attrs.setdefault("dir", "auto")

    def category_groups(self) -> list[tuple[StrOrPromise, list[dict[str, Any]]]]:
        """The category radios grouped as the taxonomy groups them, each with its plain description."""
        field = self.fields["category"]
        assert isinstance(field, CategoryChoiceField)  # noqa: S101 — declared above
        by_slug = {c.slug: c for c in field.queryset}
        groups: dict[str, list[dict[str, Any]]] = {}
        for radio in self["category"]:
            category = by_slug.get(str(radio.data["value"]))
            if category is None:
                continue
            groups.setdefault(category.group, []).append(
                {"radio": radio, "category": category, "description": category_description(category)}
            )
        labels = dict(Category.Group.choices)
        return [(labels.get(group, group), items) for group, items in groups.items()]

    def submission(self, *, casualties: list[dict[str, Any]]) -> dict[str, Any]:
        """The cleaned form as the service's submission (docs/contract.md field names)."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        text = f"{data['title']} {data.get('narrative') or ''}"
        return {
            "category": data["category"].slug,
            "occurred_at": _at(data["occurred_date"], data.get("occurred_time"), zone),
            "time_precision": data["time_precision"],
            "admin1": data["admin1"].pcode,
            "admin2": data["admin2"].pcode if data.get("admin2") else None,
            "place_name": data.get("place_name") or "",
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "geo_precision": data.get("geo_precision"),
            "title": data["title"],
            "narrative": data.get("narrative") or "",
            "language": "ar" if _ARABIC_LETTERS.search(text) else (get_language() or ""),
            "casualties": casualties,
            "perpetrator": data.get("perpetrator") or "",
            "source_type": data["source_type"],
            "source_reliability": data["source_reliability"],
            "info_credibility": data["info_credibility"],
            "source_notes": data.get("source_notes") or "",
            "outage_restored_at": _at(data["restored_date"], data.get("restored_time"), zone)
            if data.get("restored_date")
            else None,
        }

    def add_service_errors(self, error: ValidationError, formset: forms.BaseFormSet[CasualtyForm]) -> None:
        """Put the service's errors (keyed by API field names) next to the fields of this form."""
        for field, messages in error.message_dict.items():
            if field == "casualties":
                formset.non_form_errors().extend(messages)  # the formset's own list, kept in place
                continue
            target = SERVICE_FIELD_TO_FORM_FIELD.get(field, field)
            self.add_error(target if target in self.fields else None, messages)

    @classmethod
    def initial_from_report(cls, report: Report) -> dict[str, Any]:
        """The form filled with a stored report, to amend it."""
        zone = timezone.get_current_timezone()
        occurred = timezone.localtime(report.occurred_at, zone)
        restored = timezone.localtime(report.outage_restored_at, zone) if report.outage_restored_at else None
        return {
            "client_id": report.pk,
            "category": report.category_id,
            "occurred_date": occurred.date(),
            "occurred_time": occurred.time().replace(second=0, microsecond=0),
            "time_precision": report.time_precision,
            "admin1": report.admin1_id,
            "admin2": report.admin2_id,
            "place_name": report.place_name,
            "latitude": report.latitude,
            "longitude": report.longitude,
            "geo_precision": report.geo_precision,
            "title": report.title,
            "narrative": report.narrative,
            "perpetrator": report.perpetrator,
            "source_type": report.source_type,
            "source_reliability": report.source_reliability,
            "info_credibility": report.info_credibility,
            "source_notes": report.source_notes,
            "restored_date": restored.date() if restored else None,
            "restored_time": restored.time().replace(second=0, microsecond=0) if restored else None,
        }


def _at(day, at: time | None, zone) -> datetime:
    # Without a time, noon: the day stays the same day in any time zone it is read in.
    return timezone.make_aware(datetime.combine(day, at or time(12, 0)), zone)


class CasualtyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Who"), choices=[("", "—"), *CasualtyKind.choices], required=False)
    group = forms.ChoiceField(label=_("Which people"), choices=CasualtyGroup.choices, initial=CasualtyGroup.CIVILIAN)
    low = forms.IntegerField(label=_("At least"), min_value=0, required=False)
    high = forms.IntegerField(label=_("At most"), min_value=0, required=False)
    scope = forms.ChoiceField(label=_("Counts"), choices=CasualtyScope.choices, initial=CasualtyScope.INCIDENT)

    def clean(self):
        data = super().clean()
        assert data is not None  # noqa: S101 — Form.clean returns cleaned_data
        if not data.get("kind"):
            return data  # an empty row is ignored
        low, high = data.get("low"), data.get("high")
        if low is None and high is None:
            self.add_error("low", _("Give a number, or clear the row."))
        elif low is None:
            data["low"] = high
        elif high is None:
            data["high"] = low
        if data.get("low") is not None and data.get("high") is not None and data["high"] < data["low"]:
            self.add_error("high", _("At most must not be less than at least."))
        return data

    def row(self) -> dict[str, Any] | None:
        data = getattr(self, "cleaned_data", {})
        if not data.get("kind"):
            return None
        return {k: data[k] for k in ("kind", "group", "low", "high", "scope")}


CasualtyFormSet = forms.formset_factory(CasualtyForm, extra=2, max_num=30, absolute_max=40)


def casualty_rows(formset) -> list[dict[str, Any]]:
    return [row for form in formset.forms if (row := form.row())]


def casualty_initial(report: Report) -> list[dict[str, Any]]:
    return [
        {"kind": c.kind, "group": c.group, "low": c.low, "high": c.high, "scope": c.scope}
        for c in report.casualties.all()
    ]
