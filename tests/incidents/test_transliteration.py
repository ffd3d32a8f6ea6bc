"""Cross-script place names: one transliteration for و/ي/ا and their Latin renderings. Pure, no database.

Every alias of the gazetteer and every spelling the generators use are
checked, in both scripts; the few names that are not transliterations of each
other (exonyms, translations) are listed, and the test checks that they still
disagree, so that the list cannot silently go stale.
"""

import re
from itertools import combinations

import pytest

from incidents.dedup.features import LOCATIVE_WORDS, place_similarity, specific_place
from incidents.dedup.geo import gazetteer, place_index, place_key
from reports.places import consonant_skeleton, latin_skeleton, normalize_name
from synthetic.localities import localities

ARABIC = re.compile("[\u0600-\u06ff]")

# Names that are translations or exonyms, not renderings of the Arabic name.
GAZETTEER_EXONYMS = {
    ("SY01", "Damascus"),
    ("SY01", "Damas"),
    ("SY02", "Aleppo"),
    ("SY03", "Rural Damascus"),
    ("SY03", "Damascus Countryside"),
    ("SY03", "Reef Damascus"),
    ("SY05", "Hamat"),  # the construct state of حماة
    ("SY06", "Lattakia"),
    ("SY06", "Latakia"),
    ("SY06", "Latakiya"),
    ("SY06", "Lattaquié"),
    ("SY06", "Laodicea"),
    ("SY0600", "Lattakia"),
    ("SY0600", "Lattakia city"),
    ("SY0600", "Latakia city"),
    ("SY0600", "Latakia"),
    ("SY09", "ديرالزور"),  # the article written inside the word
}
# Spellings of the generator's villages that are not transliterations of their Arabic names.
LOCALITY_EXONYMS = {"Margat"}  # the crusaders' name of al-Marqab
LOCALITY_EXCEPTIONS = {
    frozenset({"Mshayrfeh Safita", "المشيرفة الغربية"}),  # two different qualifiers ("of Safita", "the western")
}


def core_key(name: str) -> str:
    """The place key without the words that say where rather than name ("city", "مركز")."""
    return place_key(" ".join(w for w in normalize_name(name).split() if w not in LOCATIVE_WORDS))


def agree(a: str, b: str) -> bool:
    return place_similarity(core_key(a), core_key(b)) >= 85


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [
        ("ارواد", "Arwad"),  # و = w
        ("أرواد", "Ruad"),  # و = u
        ("الصودا", "Sawdah"),
        ("السودة", "Al-Souda"),  # و = ou
        ("السودا", "Sauda"),
        ("جوبة برغال", "Jobet Berghal"),  # و = o
        ("السويداء", "Suwayda"),  # ي = y
        ("السويداء", "Sweida"),  # ي = ei
        ("حميميم", "Hmeimim"),
        ("دير الزور", "Dayr az-Zawr"),  # ي = y, و = aw
        ("دير الزور", "Deir ez-Zor"),
        ("بيت ياشوط", "Beit Yashout"),  # ي = ei, ا = a, و = ou
        ("درعا", "Dar'a"),
        ("درعا", "Daraa"),  # ا = aa
        ("صافيتا", "Safitha"),
        ("بستان الباشا", "Bustan al-Pasha"),  # no p in Arabic
        ("جبلة", "Gabala"),  # ج written g
        ("ريف دمشق", "Reef Dimashq"),  # ي = ee
        ("السيسنية", "Sisinieh"),  # two s a vowel apart stay two
    ],
)
def test_an_arabic_name_and_its_latin_renderings_give_one_key(arabic, latin):
    assert place_key(arabic) == place_key(latin)


def test_the_skeleton_drops_vowels_and_semivowels_in_both_scripts_alike():
    assert consonant_skeleton("و") == consonant_skeleton("ي") == consonant_skeleton("ا") == ""
    for latin in ("w", "u", "o", "ou", "y", "i", "ee", "e", "a", "aa"):
        assert consonant_skeleton("b" + latin + "d") == "bd" == consonant_skeleton("ب" + "و" + "د")
    assert consonant_skeleton("haddad") == consonant_skeleton("حداد") == "hdd"
    assert consonant_skeleton("hammam") == consonant_skeleton("حمام") == "hmm"
    assert consonant_skeleton("jablah") == consonant_skeleton("جبله") == "jbl"  # the final h of the ta marbuta
    # Different places stay different.
    assert place_key("Kasab") != place_key("Kinsabba")
    assert place_key("Siyano") != place_key("Sisiniyah")


def test_latin_skeletons_of_the_resolver_ignore_semivowels_too():
    assert latin_skeleton("dayr zawr") == latin_skeleton("deir zor") == "drzr"
    assert latin_skeleton("sweida") == latin_skeleton("suwayda")
    assert latin_skeleton("jeblah") == latin_skeleton("jableh") == "jbl"


def test_every_alias_of_the_gazetteer_agrees_with_a_rendering_in_the_other_script():
    failures, stale = [], []
    for area in gazetteer().values():
        names = list(dict.fromkeys([area["name_en"], area["name_ar"], *area["aliases"]]))
        arabic = [n for n in names if ARABIC.search(n)]
        latin = [n for n in names if not ARABIC.search(n)]
        for name in names:
            others = latin if name in arabic else arabic
            ok = any(agree(name, other) for other in others)
            exception = (area["pcode"], name) in GAZETTEER_EXONYMS
            if not ok and not exception:
                failures.append((area["pcode"], name, core_key(name)))
            if ok and exception:
                stale.append((area["pcode"], name))
            # And the resolver finds the area (or, for a governorate named after its town, that town's district).
            match = place_index().resolve(name)
            assert match is not None and area["pcode"] in (match.pcode, match.parent), name
    assert failures == []
    assert stale == []


def test_every_spelling_of_a_generated_village_is_the_same_place_in_both_scripts():
    failures, stale = [], []
    for locality in localities():
        if locality.is_town:
            continue  # the district towns are the gazetteer's, above
        for a, b in combinations((*locality.latin, *locality.arabic), 2):
            same = place_similarity(specific_place(a), specific_place(b)) >= 85
            exception = frozenset({a, b}) in LOCALITY_EXCEPTIONS or bool({a, b} & LOCALITY_EXONYMS)
            if not same and not exception:
                failures.append((locality.key, a, b, specific_place(a), specific_place(b)))
            if same and exception:
                stale.append((a, b))
    assert failures == []
    assert stale == []


def test_villages_of_one_district_are_not_taken_for_each_other():
    villages = [loc for loc in localities() if not loc.is_town]
    confused = []
    for x, y in combinations(villages, 2):
        if x.admin2 != y.admin2:
            continue
        for a in (*x.latin, *x.arabic):
            for b in (*y.latin, *y.arabic):
                if place_similarity(specific_place(a), specific_place(b)) >= 85:
                    confused.append((x.key, a, y.key, b))
    assert confused == []
