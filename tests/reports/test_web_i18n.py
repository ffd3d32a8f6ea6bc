"""The Arabic translation: complete, compiled, placeholders intact; pages right to left in Arabic."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "ar" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sd]")


def catalogue() -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) of every entry but the header and those with a context (read with pgettext)."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        if re.search(r"^msgctxt ", block, re.M):
            continue
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr ((?:".*"\n?)+)', block, re.M)
        if not msgid or not msgstr:
            continue
        text_id = "".join(re.findall(r'"(.*)"', msgid.group(1))).replace('\\"', '"').replace("\\n", "\n")
        text_str = "".join(re.findall(r'"(.*)"', msgstr.group(1))).replace('\\"', '"').replace("\\n", "\n")
        if text_id:
            entries.append((text_id, text_str, "#, fuzzy" in block))
    return entries


def test_every_string_has_an_arabic_translation_and_none_is_a_draft():
    entries = catalogue()
    assert len(entries) > 300
    assert [msgid for msgid, msgstr, _ in entries if not msgstr.strip()] == []
    assert [msgid for msgid, _, fuzzy in entries if fuzzy] == []


def test_translations_keep_their_placeholders():
    for msgid, msgstr, _ in catalogue():
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid


def test_the_compiled_catalogue_matches_the_translations():
    with translation.override("ar"):
        stale = [msgid for msgid, msgstr, _ in catalogue() if translation.gettext(msgid) != msgstr]
    assert stale == [], "locale/ar/LC_MESSAGES/django.mo is stale: run `python manage.py compilemessages -l ar`"


@pytest.mark.django_db
def test_the_form_in_arabic_is_right_to_left_with_arabic_labels_and_category_names(client, monitor):
    client.force_login(monitor)
    html = client.get("/reports/new/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    for arabic in ("تقرير جديد", "أرسل التقرير", "إعدام ميداني", "المحافظة", "اللاذقية", "استخدم موقعي"):
        assert arabic in html
    for english in ("New report", "Send the report", "Governorate", "Use my location"):
        assert english not in html
