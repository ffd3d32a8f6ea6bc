"""Numbers as the page's language writes them: Arabic-Indic digits (٠١٢…) and the Arabic separators in Arabic.

Syria's written Arabic uses the Arabic-Indic digits; English the Latin ones. One
place for it, used by the templates (`situation_tags`) and the charts.
"""

from __future__ import annotations

ARABIC_DIGITS = str.maketrans("0123456789,.", "٠١٢٣٤٥٦٧٨٩٬٫")


def localise_digits(text: str, language: str) -> str:
    return text.translate(ARABIC_DIGITS) if language == "ar" else text


def format_number(value: int | float | None, language: str) -> str:
    if value is None:
        return ""
    text = f"{value:,}" if isinstance(value, int) or float(value).is_integer() else f"{value:,.1f}"
    if isinstance(value, float) and value.is_integer():
        text = f"{int(value):,}"
    return localise_digits(text, language)
