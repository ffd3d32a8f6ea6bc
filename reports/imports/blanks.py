"""The blank files a person fills in: CSV and XLSX, with a hint row in English or Arabic.

The header is the contract's field names (the same in every language); the
second row starts with `#` and says, in the chosen language, what goes in
each column. The importer skips rows whose first cell starts with `#`, so the
template can be filled and uploaded as it is (docs/imports.md).
"""

from __future__ import annotations

import csv
import io

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

COLUMNS: list[tuple[str, object]] = [
    ("id", gettext_lazy("# Required. A UUID you make, one per report (it makes the import safe to repeat).")),
    ("category", gettext_lazy("Required. A category slug: killing, execution, looting, arson, water_outage …")),
    ("occurred_at", gettext_lazy("Required. Date and time with the offset, e.g. 2025-03-07T09:30:00+03:00.")),
    ("occurred_until", gettext_lazy("Optional end, in the same form.")),
    ("time_precision", gettext_lazy("1 exact day, 2 within a week, 3 within a month (default 1).")),
    ("admin1", gettext_lazy("Required. Governorate p-code, e.g. SY06 (Lattakia), SY10 (Tartous).")),
    ("admin2", gettext_lazy("District p-code, e.g. SY0602 (Jablah); empty if unknown.")),
    ("place_name", gettext_lazy("Village, town or neighbourhood, in any script.")),
    ("latitude", gettext_lazy("WGS84 decimal, e.g. 35.3614; with longitude or not at all.")),
    ("longitude", gettext_lazy("WGS84 decimal, e.g. 35.9256.")),
    ("geo_precision", gettext_lazy("1 the place itself, 2 near it, 3 the region.")),
    ("title", gettext_lazy("Required. A short title, at most 200 characters.")),
    ("narrative", gettext_lazy("What happened, in any language.")),
    ("language", gettext_lazy("Language of the text: ar, en …")),
    ("perpetrator", gettext_lazy("Alleged perpetrator, if known.")),
    ("source_type", gettext_lazy("Required. eyewitness, victim, relative, medical, local_official, media, …")),
    ("source_reliability", gettext_lazy("A (reliable) … F (cannot be judged); default F.")),
    ("info_credibility", gettext_lazy("1 (confirmed) … 6 (cannot be judged); default 6.")),
    ("source_notes", gettext_lazy("Confidential notes on the source, for reviewers only.")),
    ("service", gettext_lazy("Outages only: electricity, water or telecom.")),
    ("outage_restored_at", gettext_lazy("Outages only: when it was restored.")),
    ("killed_civilian_low", gettext_lazy("Civilians killed: the lowest figure.")),
    ("killed_civilian_high", gettext_lazy("Civilians killed: the highest figure (or the same).")),
    ("injured_civilian_low", gettext_lazy("Civilians injured: the lowest figure.")),
    ("injured_civilian_high", gettext_lazy("Civilians injured: the highest figure.")),
    ("missing_civilian_low", gettext_lazy("Civilians missing: the lowest figure.")),
    ("missing_civilian_high", gettext_lazy("Civilians missing: the highest figure.")),
]


def template_csv(*, language: str) -> bytes:
    """The CSV template, UTF-8 with a BOM so that Excel opens Arabic correctly."""
    with translation.override(language):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([name for name, _hint in COLUMNS])
        writer.writerow([str(hint) for _name, hint in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(*, language: str) -> bytes:
    """The XLSX template: the sheet to fill (every cell text, so times keep their offset), and a sheet of help."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    with translation.override(language):
        workbook = Workbook()
        sheet = workbook.active
        assert isinstance(sheet, Worksheet)  # noqa: S101 — a new workbook has one sheet, a worksheet
        sheet.title = "reports"
        sheet.sheet_view.rightToLeft = language == "ar"
        sheet.append([name for name, _hint in COLUMNS])
        sheet.append([str(hint) for _name, hint in COLUMNS])
        for index, (name, _hint) in enumerate(COLUMNS, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = max(14, len(name) + 4)
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(row=1, column=index).font = Font(bold=True)
            sheet.cell(row=2, column=index).alignment = Alignment(wrap_text=True, vertical="top")
            sheet.cell(row=2, column=index).font = Font(italic=True, color="666666")
        sheet.freeze_panes = "A2"
        help_sheet = workbook.create_sheet(_("Help"))
        help_sheet.sheet_view.rightToLeft = language == "ar"
        help_sheet.append([_("Column"), _("What goes in it")])
        for name, hint in COLUMNS:
            help_sheet.append([name, str(hint).lstrip("# ")])
        help_sheet.append([])
        help_sheet.append(
            [
                _("Rows"),
                _(
                    "One report per row, from row 3. Rows whose first cell starts with # are skipped. "
                    "Figures for other groups: <kind>_<group>_low / _high, e.g. killed_armed_group_low."
                ),
            ]
        )
        help_sheet.column_dimensions["A"].width = 24
        help_sheet.column_dimensions["B"].width = 100
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()
