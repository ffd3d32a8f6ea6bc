"""Place-name resolution: pure logic, no database."""

import json

import pytest

from reports.places import Place, PlaceIndex, latin_skeleton, normalize_arabic, normalize_name
from reports.seed_data import GAZETTEER_FILE


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    records = json.loads(GAZETTEER_FILE.read_text(encoding="utf-8"))["areas"]
    return PlaceIndex.build(
        Place(r["pcode"], r["level"], r["parent"], (r["name_en"], r["name_ar"], *r["aliases"])) for r in records
    )


# Every spelling variant of GAZETTEER.md, and more of our own.
VARIANTS = {
    "SY0604": [
        "Al-Qardaha",
        "Al Qardāḩah",
        "Qardaha",
        "Qurdaha",
        "Kardaha",
        "القرداحة",
        "قرداحة",
        "القُرْدَاحَة",
        "القرداحه",
        "al-qardaha",
        "AL QARDAHA",
        "بالقرداحة",
        "near Qardaha",
    ],
    "SY0602": ["Jablah", "Jableh", "Jabla", "جبلة", "Jebleh", "Jeblah", "جبله", "outside Jableh"],
    "SY1002": ["Banyas", "Baniyas", "بانياس", "Banias"],
    "SY0600": ["Lattakia", "Latakia", "Al-Ladhiqiyah", "اللاذقية", "لاذقية", "اللاذقيّة", "حي الرمل، اللاذقية"],
    "SY1000": ["Tartous", "Tartus", "Tortosa", "طرطوس"],
    "SY0603": ["Al-Haffa", "Haffa", "الحفة"],
    "SY1003": ["Safita", "صافيتا"],
    "SY1004": ["Dreikish", "دريكيش", "الدريكيش"],
    "SY1005": ["Sheikh Badr", "الشيخ بدر"],
    "SY1006": ["Qadmous", "القدموس", "Al-Qadmus"],
    "SY01": ["Damascus", "دمشق"],
    "SY03": ["Rural Damascus", "ريف دمشق"],
    "SY05": ["Hama", "حماة", "حماه"],
    "SY07": ["Idlib", "Idleb", "إدلب", "ادلب"],
    "SY09": ["Deir ez-Zor", "Deir-ez-Zor", "دير الزور"],
    "SY11": ["Ar-Raqqa", "Raqqa", "الرقة"],
    "SY12": ["Daraa", "Dar'a", "درعا"],
    "SY13": ["As-Sweida", "Suwayda", "السويداء"],
}


@pytest.mark.parametrize(("name", "pcode"), [(name, pcode) for pcode, names in VARIANTS.items() for name in names])
def test_it_resolves_every_spelling_variant(index, name, pcode):
    match = index.resolve(name)
    assert match is not None, name
    assert match.pcode == pcode


@pytest.mark.parametrize("name", ["", "   ", "xyz", "Hamam", "Paris", "القاهرة", None])
def test_it_resolves_nothing_for_names_it_does_not_know(index, name):
    assert index.resolve(name) is None


def test_it_restricts_resolution_to_a_governorate(index):
    assert index.resolve("Jableh", within="SY06").pcode == "SY0602"
    assert index.resolve("Jableh", within="SY10") is None


def test_a_city_name_resolves_to_its_central_district_not_the_governorate(index):
    assert index.resolve("Latakia").pcode == "SY0600"
    assert index.resolve("Latakia").parent == "SY06"


def test_exact_matches_score_one_and_transliterations_less(index):
    assert index.resolve("Qardaha").score == 1.0
    assert 0.85 <= index.resolve("Jeblah").score < 1.0


def test_arabic_normalisation_folds_letter_variants_and_drops_marks():
    assert normalize_arabic("أإآ") == "ااا"
    assert normalize_arabic("مدينة") == "مدينه"
    assert normalize_arabic("مستشفى") == "مستشفي"
    assert normalize_arabic("جَبْلَة") == "جبله"
    assert normalize_arabic("قـــرداحة") == "قرداحه"


def test_normalisation_drops_the_article_in_both_scripts():
    assert normalize_name("Al-Qardaha") == normalize_name("Qardaha") == "qardaha"
    assert normalize_name("As-Sweida") == "sweida"
    assert normalize_name("القرداحة") == normalize_name("قرداحة")


def test_normalisation_folds_latin_accents():
    assert normalize_name("Al Qardāḩah") == "qardahah"


def test_skeleton_ignores_vowels_and_q_k_but_refuses_short_names():
    assert latin_skeleton("jeblah") == latin_skeleton("jableh")
    assert latin_skeleton("qurdaha") == latin_skeleton("kardaha")
    assert latin_skeleton("hama") is None
