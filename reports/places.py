"""Resolve a free place name, in Arabic or Latin script, to an area of the gazetteer.

Pure Python, no Django: the gazetteer is handed in as plain records, so the
same code serves the report form, the API, the matcher and its benchmarks.

Monitors write the same town many ways: القرداحة, Al-Qardaha, Al Qardāḩah,
Qardaha, Qurdaha, Kardaha. Names are first *normalised* (Arabic letter
variants folded, diacritics and tatweel dropped, Latin accents folded, the
article removed), then looked up exactly among the gazetteer's names and
aliases, then fuzzily, and finally word by word ("near Jableh", "حي الرمل،
اللاذقية") so that a place inside a longer phrase is still found.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

# Arabic letters that are written interchangeably in place names.
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",  # alef wasla
        "ة": "ه",  # ta marbuta
        "ى": "ي",  # alef maksura
        "ؤ": "و",
        "ئ": "ي",
        "ـ": None,  # tatweel
    }
)
# Harakat, tanwin, shadda, sukun, superscript alef and Quranic marks.
_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_ARABIC_ARTICLE = re.compile(r"(?<!\S)(?:ال|وال|بال|فال)(?=\S{3,})")
# Latin transliterations of the article: Al-, El-, Ar-, As-, Ash-, Ad-, Az-, At-, An- ...
_LATIN_ARTICLE = re.compile(r"(?<![\w])(?:al|el|ar|as|ash|ad|adh|az|at|ath|an|ed|es|er|et|ez)[-\s'’‘]+(?=\w)")
_APOSTROPHES = re.compile(r"['’‘`ʿʾ]")
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")
# Words that say where a place is rather than name it.
_FILLER_WORDS = frozenset(
    {
        "near",
        "in",
        "at",
        "outside",
        "around",
        "of",
        "the",
        "village",
        "town",
        "city",
        "district",
        "countryside",
        "rural",
        "neighbourhood",
        "neighborhood",
        "area",
        "centre",
        "center",
        "قرب",
        "في",
        "حي",
        "قريه",
        "بلده",
        "مدينه",
        "منطقه",
        "محيط",
        "ضواحي",
        "جوار",
        "مركز",
    }
)


def normalize_arabic(text: str) -> str:
    """Fold the Arabic letter variants and drop diacritics and tatweel."""
    return _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_FOLD)


def normalize_name(text: str) -> str:
    """The comparison key of a place name: lower case, folded, without the article.

    >>> normalize_name("Al Qardāḩah") == normalize_name("Qardahah")
    True
    >>> normalize_name("القرداحة")
    'قرداحه'
    """
    text = normalize_arabic(unicodedata.normalize("NFC", text or ""))
    # Fold Latin accents (ā, ḩ, é) without touching Arabic letters.
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = normalize_arabic(text).casefold()
    text = _LATIN_ARTICLE.sub("", _APOSTROPHES.sub("", text))
    text = _PUNCTUATION.sub(" ", text)
    text = _ARABIC_ARTICLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


# Arabic letters as the common Latin transliterations write their consonants.
# The long vowels and semivowels ا و ي ى (a/aa, w/u/o/ou, y/i/ee/e) and the
# glottal stops vanish, as the vowels and w/y of a Latin name do: a name is
# written ارواد, Arwad or Ruad, السودا, Sawdah or Al-Souda, and only its
# consonants are the same in every rendering.
_ARABIC_CONSONANTS = {
    "ب": "b",
    "ت": "t",
    "ث": "th",
    "ج": "j",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "dh",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "غ": "gh",
    "ف": "f",
    "ق": "k",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "ة": "h",
    "پ": "b",
    "ڤ": "f",
    "گ": "j",
}
_ARABIC_LETTERS = re.compile("[\u0621-\u064a\u067e\u06a4\u06af]")
# Latin: vowels and the semivowels w and y (Arwad/Ruad, Sawda/Souda, Sweida/Suwayda), apostrophes for ع and ء.
_LATIN_DROPPED = re.compile(r"[aeiouwy'’‘`ʿʾ-]")
# Letters that Arabic does not have, and the spellings of one Arabic consonant: dj→j and ch→sh
# (French: Djebleh, Cheikh), p→b (Pasha/Basha), v→f, q/c→k (Qardaha/Kardaha), g→j unless it is
# the gh of غ (Gabala/Jablah).
_LATIN_FOLD = (("dj", "j"), ("ch", "sh"), ("q", "k"), ("c", "k"), ("p", "b"), ("v", "f"), ("x", "ks"))
_G_NOT_GH = re.compile(r"g(?!h)")
_DOUBLED = re.compile(r"(.)\1+")


def consonant_skeleton(word: str) -> str:
    """The consonants of one normalised word (see `normalize_name`), in Latin letters, whatever its script.

    This is the one transliteration of the project: the resolver, the
    matcher's place keys and its family names use it, so that an Arabic name
    and each of its Latin renderings give the same key. Doubled letters
    collapse (Haffa, الحفة) and a final h (the ta marbuta: Jableh, جبلة) is
    dropped.

    >>> consonant_skeleton("arwad") == consonant_skeleton("ruad") == consonant_skeleton("ارواد")
    True
    >>> consonant_skeleton("sawdah") == consonant_skeleton("souda") == consonant_skeleton("سودا")
    True
    """
    # Doubled letters collapse before the vowels go (Hammam, حمام), so that two
    # consonants a vowel apart stay two (Sisiniyah, السيسنية: s-s-n).
    word = _DOUBLED.sub(r"\1", word.casefold())
    if _ARABIC_LETTERS.search(word):
        latin = "".join(_ARABIC_CONSONANTS.get(ch, ch if ch.isascii() and ch.isalnum() else "") for ch in word)
    else:
        latin = word
        for letter, replacement in _LATIN_FOLD:
            latin = latin.replace(letter, replacement)
        latin = _LATIN_DROPPED.sub("", _DOUBLED.sub(r"\1", _G_NOT_GH.sub("j", latin)))
    return latin.rstrip("h") if len(latin) > 2 else latin


def latin_skeleton(key: str) -> str | None:
    """The consonant skeleton of a normalised Latin name, or None when it is too short.

    Transliterations of one Arabic name differ mostly in vowels, semivowels,
    doubled letters, q/k and a final h: jeblah, jableh and jabla all give
    "jbl"; dayr az-zawr and deir ez-zor "drzr".
    """
    if not key.isascii():
        return None
    text = "".join(consonant_skeleton(word) for word in key.split())
    return text if len(text) >= 3 and len(key) >= 5 else None


@dataclass(frozen=True)
class Place:
    """An area of the gazetteer as the resolver sees it."""

    pcode: str
    level: int  # 1 governorate (admin1), 2 district (admin2)
    parent: str | None
    names: tuple[str, ...]


@dataclass(frozen=True)
class PlaceMatch:
    pcode: str
    level: int
    parent: str | None
    score: float  # 1.0 for an exact name or alias, lower for a fuzzy match
    matched: str  # the normalised key that matched


@dataclass
class PlaceIndex:
    """An in-memory index of the gazetteer's names, built once and queried often."""

    places: dict[str, Place] = field(default_factory=dict)
    _by_key: dict[str, list[str]] = field(default_factory=dict)
    _by_skeleton: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, places: Iterable[Place]) -> PlaceIndex:
        index = cls()
        for place in places:
            index.places[place.pcode] = place
            for name in place.names:
                key = normalize_name(name)
                if key and place.pcode not in index._by_key.setdefault(key, []):
                    index._by_key[key].append(place.pcode)
                skeleton = latin_skeleton(key)
                if skeleton and place.pcode not in index._by_skeleton.setdefault(skeleton, []):
                    index._by_skeleton[skeleton].append(place.pcode)
        return index

    def resolve(self, name: str | None, *, within: str | None = None, min_score: float = 0.9) -> PlaceMatch | None:
        """The area a place name names, or None.

        `within` (a governorate p-code) keeps only areas in that governorate.
        When a name is both a governorate and its central district (Lattakia,
        Tartous), the district is returned: a named town lies in a district.
        """
        if not name or not name.strip():
            return None
        key = normalize_name(name)
        if not key:
            return None
        match = self._lookup(key, within=within, min_score=min_score)
        if match is not None and match.score == 1.0:
            return match
        # A longer phrase: try its parts and runs of up to three words.
        best = match
        for phrase in _candidate_phrases(name):
            found = self._lookup(phrase, within=within, min_score=min_score)
            if found is not None and (best is None or (found.score, found.level) > (best.score, best.level)):
                best = found
        return best

    def _lookup(self, key: str, *, within: str | None, min_score: float) -> PlaceMatch | None:
        pcodes = self._admissible(self._by_key.get(key, ()), within)
        if pcodes:
            return self._match(pcodes, key, 1.0)
        if len(key) < 4:  # too short for a fuzzy match to mean anything
            return None
        # Transliterations that differ only in vowels or q/k (Jeblah, Jableh).
        skeleton = latin_skeleton(key)
        pcodes = self._admissible(self._by_skeleton.get(skeleton, ()) if skeleton else (), within)
        if pcodes:
            return self._match(pcodes, key, 0.9)
        keys = [k for k, codes in self._by_key.items() if self._admissible(codes, within)]
        found = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=min_score * 100)
        if found is None:
            return None
        matched, score, _ = found
        return self._match(self._admissible(self._by_key[matched], within), matched, score / 100)

    def _admissible(self, pcodes: Iterable[str], within: str | None) -> list[str]:
        if within is None:
            return list(pcodes)
        return [code for code in pcodes if code == within or self.places[code].parent == within]

    def _match(self, pcodes: list[str], key: str, score: float) -> PlaceMatch:
        place = max((self.places[code] for code in pcodes), key=lambda p: p.level)
        return PlaceMatch(place.pcode, place.level, place.parent, round(score, 3), key)


def _candidate_phrases(name: str) -> list[str]:
    """Parts of a phrase, split at commas and filler words, and their runs of 1–3 words."""
    phrases: list[str] = []
    for part in re.split(r"[,،;/]| - ", name):
        words = [w for w in normalize_name(part).split() if w not in _FILLER_WORDS]
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                phrases.append(" ".join(words[start : start + size]))
    return phrases
