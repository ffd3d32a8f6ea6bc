"""The filters of the dashboard and the request for a situation report; an invalid one is a 400 naming the field."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from incidents.situation.selectors import SituationFilters, State, default_period
from reports.models import Area, Category

# Long enough for any briefing, short enough that a mistyped year is caught.
MAX_PERIOD_DAYS = 3 * 366


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return obj.name_ar if get_language() == "ar" else obj.name_en


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.name_ar if get_language() == "ar" else obj.name_en


class SituationFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    admin1 = AreaChoiceField(
        label=_("Governorate"), required=False, queryset=Area.objects.filter(level=1), empty_label=_("All")
    )
    admin2 = AreaChoiceField(
        label=_("District"), required=False, queryset=Area.objects.filter(level=2), empty_label=_("All")
    )
    category = CategoryChoiceField(
        label=_("Categories"),
        required=False,
        queryset=Category.objects.all(),
        to_field_name="slug",
        help_text=_("None chosen: every category."),
    )
    state = forms.ChoiceField(
        label=_("State shown in charts, tables and map"),
        required=False,
        choices=[
            (State.ALL, _("All reported (verified and unverified)")),
            (State.VERIFIED, _("Verified only")),
            (State.UNVERIFIED, _("Unverified only")),
        ],
    )

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # noqa: S101 — Form.clean returns cleaned_data
        start: dt.date | None = cleaned.get("date_from")
        end: dt.date | None = cleaned.get("date_to")
        if start is None or end is None:
            default_start, default_end = default_period()
            if end is not None:  # only the end given
                start = end - (default_end - default_start)
            elif start is not None:  # only the start given
                end = min(start + (default_end - default_start), max(start, default_end))
            else:
                start, end = default_start, default_end
            cleaned["date_from"], cleaned["date_to"] = start, end
        if "date_from" not in self.errors and "date_to" not in self.errors:
            if end < start:
                self.add_error("date_to", _("The end of the period is before its start."))
            elif (end - start).days + 1 > MAX_PERIOD_DAYS:
                self.add_error("date_to", _("Choose a period of at most three years."))
        admin1, admin2 = cleaned.get("admin1"), cleaned.get("admin2")
        if admin1 is not None and admin2 is not None and admin2.parent_id != admin1.pk:
            self.add_error("admin2", _("This district is not in the chosen governorate."))
        return cleaned

    def filters(self) -> SituationFilters:
        data = self.cleaned_data
        admin1, admin2 = data.get("admin1"), data.get("admin2")
        areas = (admin2.pk,) if admin2 is not None else (admin1.pk,) if admin1 is not None else ()
        return SituationFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            areas=areas,
            categories=tuple(sorted(c.slug for c in data.get("category") or [])),
            state=data.get("state") or State.ALL,
        )


class SituationReportRequestForm(forms.Form):
    """What a coordinator asks a report for: a period, areas, categories, a language."""

    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    areas = forms.ModelMultipleChoiceField(
        label=_("Areas"),
        required=False,
        queryset=Area.objects.all(),
        help_text=_("None chosen: every area."),
    )
    category = forms.ModelMultipleChoiceField(
        label=_("Categories"), required=False, queryset=Category.objects.all(), to_field_name="slug"
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # noqa: S101 — Form.clean returns cleaned_data
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end of the period is before its start."))
            elif (end - start).days + 1 > MAX_PERIOD_DAYS:
                self.add_error("date_to", _("Choose a period of at most three years."))
        return cleaned

    @property
    def area_codes(self) -> list[str]:
        return sorted(a.pk for a in self.cleaned_data.get("areas") or [])

    @property
    def category_slugs(self) -> list[str]:
        return sorted(c.slug for c in self.cleaned_data.get("category") or [])


def period_days(start: dt.date, end: dt.date) -> int:
    return (end - start).days + 1
