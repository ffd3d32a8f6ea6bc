"""Fill empty msgstr entries of a .po file from a Python dict of translations (a translator's helper).

    python scripts/po_fill.py locale/ar/LC_MESSAGES/django.po translations.py [more.py ...]

Each translations file defines dicts of msgid → msgstr at module level. Entries already translated are
kept; the `fuzzy` flag is removed from entries it fills. Prints the msgids still untranslated.
"""

import re
import runpy
import sys
from pathlib import Path


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def unquote(lines: list[str]) -> str:
    joined = "".join(m[0] for line in lines if (m := re.findall(r'^"(.*)"$', line)))
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), joined)


def fill(po_path: Path, translations: dict[str, str]) -> list[str]:
    text = po_path.read_text(encoding="utf-8")
    # makemessages may glue the first entry to the header; give it its own block.
    text = re.sub(r'(\n"[^\n]*"\n)(#[:.,] )', r"\1\n\2", text, count=1)
    # The header: no longer a draft, and the language named.
    text = text.replace('#, fuzzy\nmsgid ""\nmsgstr ""', 'msgid ""\nmsgstr ""', 1).replace(
        '"Language: \\n"', '"Language: ar\\n"', 1
    )
    blocks = text.split("\n\n")
    missing = []
    for index, block in enumerate(blocks):
        lines = block.split("\n")
        starts = {
            name: i for i, line in enumerate(lines) for name in ("msgid", "msgstr") if line.startswith(name + " ")
        }
        if "msgid" not in starts or "msgstr" not in starts or "msgid_plural" in block:
            continue
        msgid_lines = [lines[starts["msgid"]][len("msgid ") :], *lines[starts["msgid"] + 1 : starts["msgstr"]]]
        msgid = unquote(msgid_lines)
        if not msgid:
            continue  # the header
        msgstr_lines = [lines[starts["msgstr"]][len("msgstr ") :], *lines[starts["msgstr"] + 1 :]]
        if unquote(msgstr_lines) and "#, fuzzy" not in block:
            continue
        if msgid not in translations:
            missing.append(msgid)
            continue
        head = [re.sub(r"^#, fuzzy, ", "#, ", line) for line in lines[: starts["msgstr"]]]
        head = [line for line in head if not line.startswith(("#, fuzzy", "#| "))]
        blocks[index] = "\n".join([*head, "msgstr " + quote(translations[msgid])])
    po_path.write_text("\n\n".join(blocks), encoding="utf-8")
    return missing


if __name__ == "__main__":
    table: dict[str, str] = {}
    for source in sys.argv[2:]:
        for value in runpy.run_path(source).values():
            if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
                table.update(value)
    for msgid in fill(Path(sys.argv[1]), table):
        print("untranslated:", msgid)
