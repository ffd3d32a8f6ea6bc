"""Text keys for comparing what monitors write: narratives, titles, perpetrators.

Arabic is folded with `reports.places.normalize_arabic` (alef forms, ta
marbuta, alef maksura, diacritics, tatweel), Latin is lower-cased with accents
folded. Words that every report of a category uses ("killed", "قتل", "the")
are dropped, so that what is compared is what tells one event from another:
names of families and places, landmarks, numbers.

Arabic and English accounts of one event share few words, but they share
names: "the Haddad family" and "عائلة حداد" both give the consonant skeleton
`hdd`. `skeletons` turns words of either script into such skeletons so that
proper names can be compared across scripts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from reports.places import consonant_skeleton, normalize_arabic

_ARABIC_LETTER = re.compile("[\u0621-\u064a]")
_LATIN_LETTER = re.compile("[A-Za-z]")
_WORD = re.compile(r"[^\W_]+")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")

# Function words and the vocabulary that every account of this kind of event
# uses ("killed", "gunmen", "قتل", "منازل"): what is left is what tells one
# event from another — names of families and places, landmarks, numbers.
_STOPWORDS_TEXT = """
a an the of in on at to from by for with and or but as is are was were be been being it its this that these those
he she they them their his her we our us i you who which whom whose what when where how than then there here
has have had do does did not no nor so such also about after before during over under into out up down near
around some several many more most other another one two three four five six seven eight nine ten dozens
least reportedly reported report reports according said say says told sources source local locals residents
witness witnesses eyewitness people person civilians civilian men women children man woman child young family
families killed kill killing killings dead death deaths bodies body shot shooting gunfire executed execution
executions summary field injured wounded attack attacked attacks attackers gunmen armed group groups forces
security fighters members house houses home homes shop shops property set fire burned burnt looted looting
robbed emptied destroyed destruction wrecked village town city neighbourhood neighborhood area district
countryside street road morning evening night afternoon day today yesterday thursday friday saturday sunday
monday tuesday wednesday march 2025 cut outage power electricity water drinking supply restored station
substation pumping service stopped network telephone phone internet mobile telecoms clash clashes fighting
heavy between ambush ambushed patrol checkpoint convoy abducted abduction abductions taken took detained
arrested arrests without charge missing news happened place victims among lost fled flee mountains hiding
spoke named asked still next relative communications poor could not checked account count monitor entered
opened went taking cars gold furniture hospital lining describe towards fearing base blamed fell shells
explosion shelling war since displacement across al el unknown unidentified masked
مجهول مجهولون مجهولين ملثمون ملثمين
شخص اشخاص اشخاصا مدني مدنيين مدنيون مدنيا رجال رجالا نساء اطفال اطفاله طفل عائله عائلات عائلاتهم من في على
الى إلى عن مع و او ثم قد تم كان كانت هذا هذه ذلك التي الذي الذين بعد قبل خلال حول منذ عند بين حتى وفق بحسب حسب
مصادر مصدر شهود شاهد الشهود اهالي الاهالي سكان السكان قتل قتلى قتلوا مقتل اعدام اعدموا اعدموهم اعدامات ميداني
ميدانيا ميدانيه تصفيه رميا بالرصاص اطلاق اطلقوا النار نار اصابه اصيب جرحى جروح مصابين هجوم هاجم مسلحين مسلحون
مسلحه مجموعه مجموعات عناصر قوات منزل منزلها منازل منازلهم بيوت بيوتا محلات محل ممتلكات حرق احراق احرق اضرام اضرم
نهب نهبها سرقه سرقوا تدمير تخريب خرب قريه بلده مدينه حي منطقه ريف محيط شارع طريق صباح مساء ليل ليلا يوم اليوم
امس الخميس الجمعه السبت الاحد الاثنين الثلاثاء الاربعاء اذار مارس انقطاع انقطعت الكهرباء الكهربائي كهربائي
المياه مياه شرب الشرب ضخ الضخ توقف التيار الاتصالات الانترنت الهاتف الخلوي شبكه عاد عوده خرجت الخدمه خدمه تحويل
محطه اشتباك اشتباكات معارك عنيفه كمين لكمين دوريه لدوريه حاجز رتل امني امنيه استهداف تعرضت خطف اختطاف اعتقال
اعتقالات اعتقل معتقلين شبان شبانا تهمه دون مفقودين زال ما لا ولا ولم ان مجزره حالات قرب يحدد المكان مكان بجانب
جانب وقع ضحايا الضحايا بينهم افراد خسرت بقيت الجثث جثث التالي تالي يقول عدم ذكر اسمائهم تحدث مخابئهم طلبوا
الروايه روايه يتسن التحقق ضعيفه يقل احصى سقط سقوط سقطت اقارب الاقارب احد مراقب مرصد نفذها نفذه افاد اقتاد داخل
دخل سيارات داهم الاثاث اثاث الذهب ذهب افرغ محتوياتها نقل المشفى مشفى نحو خوفا قاعده نزحت نزوح الجبال جبال فر
قذائف اتهم جمعوا عليهم يروي مصيرهم شيئا تعرف
واحد اثنان اثنين ثلاثه اربعه خمسه سته سبعه ثمانيه تسعه عشره عشرات
"""


@lru_cache(maxsize=65536)
def normalize_text(text: str) -> str:
    """Lower case, Arabic folded, Latin accents dropped, punctuation gone, digits in ASCII."""
    text = normalize_arabic(unicodedata.normalize("NFC", text or "")).translate(_DIGITS)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = normalize_arabic(text).casefold().replace(",", "")
    return " ".join(_WORD.findall(text))


# Landmarks and things monitors place events by, in both languages: the same
# concept token for "bakery" and "فرن", so that an English and an Arabic account
# of one event can agree on where it happened beyond the village's name.
_CONCEPTS_TEXT = {
    "mosque": "mosque masjid جامع مسجد",
    "church": "church كنيسه",
    "school": "school مدرسه",
    "bakery": "bakery فرن",
    "hospital": "clinic مستشفي",
    "health": "health صحي مستوصف",
    "square": "square ساحه",
    "market": "market souk سوق",
    "cemetery": "cemetery graveyard مقبره",
    "tank": "tank خزان",
    "municipality": "municipality بلديه",
    "building": "building مبني",
    "farm": "farm farms زراعي مزرعه",
    "roundabout": "roundabout دوار",
    "orchard": "orchard orchards بساتين بستان",
    "bridge": "bridge جسر",
    "mill": "mill مطحنه",
    "olive": "olive olives زيتون",
    "press": "press معصره",
    "fuel": "petrol fuel gas وقود بنزين",
    "port": "port harbour ميناء مرفا",
    "university": "university جامعه",
    "hospital_": "hospital مشفي",
}
CONCEPTS = {word: "~" + concept.rstrip("_") for concept, words in _CONCEPTS_TEXT.items() for word in words.split()}


@lru_cache(maxsize=65536)
def content_words(text: str) -> str:
    """The normalised words that are not stop words, Arabic articles and prefixes removed, landmarks as concepts."""
    words = []
    for word in normalize_text(text).split():
        if word in STOPWORDS:
            continue
        if _ARABIC_LETTER.match(word):
            word = _strip_arabic_prefix(word)
            # A conjunction or preposition fused to a common word: واطلقوا, بمنازل.
            if word in STOPWORDS or len(word) < 2 or (word[0] in "وبفل" and word[1:] in STOPWORDS):
                continue
            if word not in CONCEPTS and word[0] in "وبفل" and word[1:] in CONCEPTS:
                word = word[1:]
        words.append(CONCEPTS.get(word, word))
    return " ".join(words)


def _strip_arabic_prefix(word: str) -> str:
    """Drop the article and the particles fused with it (والبيت, بالقرية, للعائلة)."""
    for prefix in ("وال", "بال", "فال", "لل", "ال"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix) :]
    return word


STOPWORDS = frozenset(
    word for raw in _STOPWORDS_TEXT.split() for word in (normalize_text(raw), _strip_arabic_prefix(normalize_text(raw)))
)


@lru_cache(maxsize=65536)
def is_arabic(text: str) -> bool:
    """Whether most letters of the text are Arabic."""
    arabic = len(_ARABIC_LETTER.findall(text or ""))
    latin = len(_LATIN_LETTER.findall(text or ""))
    return arabic > latin


@lru_cache(maxsize=65536)
def word_skeleton(word: str) -> str:
    """A script-independent key of one normalised word: its consonants in Latin letters.

    The transliteration is `reports.places.consonant_skeleton`, the one the
    gazetteer's resolver uses.

    >>> word_skeleton("haddad") == word_skeleton("حداد")
    True
    """
    return consonant_skeleton(word)


@lru_cache(maxsize=65536)
def skeletons(text: str) -> frozenset[str]:
    """The skeletons of the content words of a text that are long enough to mean something (≥ 2 consonants)."""
    keys = set()
    for word in content_words(text).split():
        if word.isdigit():
            continue
        key = word if word.startswith("~") else word_skeleton(word)
        if len(key) >= 2:
            keys.add(key)
    return frozenset(keys)


@lru_cache(maxsize=65536)
def landmarks(text: str) -> frozenset[str]:
    """The landmarks a text places the event by, as concepts common to both languages (~bakery, ~school)."""
    return frozenset(word for word in content_words(text).split() if word.startswith("~"))


@lru_cache(maxsize=65536)
def numbers(text: str) -> frozenset[int]:
    """The numbers a text gives (in any digits), except years."""
    found = set()
    for word in normalize_text(text).split():
        if word.isdigit() and len(word) <= 5:
            value = int(word)
            if not 1990 <= value <= 2100:
                found.add(value)
    return frozenset(found)


def text_similarity(a: str, b: str, *, ignore: frozenset[str] = frozenset()) -> float:
    """How alike two accounts are, 0..1.

    `ignore` holds skeletons of words not to compare: place and family names,
    which are features of their own (two fires in one village share its name
    and nothing else); landmarks are a feature of their own too. In one
    script: rapidfuzz's token-set ratio of the content words. Across scripts,
    or when it is higher: the overlap of the skeletons of their words (Dice
    coefficient), which is what an Arabic and an English account of one event
    share.
    """
    return compared_texts(Compared.of(a, ignore), Compared.of(b, ignore))


@dataclass(frozen=True)
class Compared:
    """What `text_similarity` reads of one text, given the words to ignore: worked out once per text and comparison.

    `words`: its content words without the ignored ones (empty: it says nothing
    of its own, `has_content` is false); `keys`: the skeletons it compares across
    scripts; `arabic`: its script.
    """

    words: str
    keys: frozenset[str]
    arabic: bool

    @classmethod
    def of(cls, text: str, ignore: frozenset[str] = frozenset()) -> Compared:
        # The same as `_without(content_words(text), ignore)` and the skeletons of `skeletons(text)` not in
        # `ignore` nor landmarks (a test compares the two): what is ignored matters only where the text has it.
        if not ignore:
            words, _, _, _, keys, arabic = _reading(text)
            return cls(words, keys if words else frozenset(), arabic)
        return _compared(text, _reading(text)[2] & ignore)


@lru_cache(maxsize=65536)
def _reading(
    text: str,
) -> tuple[str, tuple[tuple[str, str], ...], frozenset[str], str, frozenset[str], bool]:
    """What `Compared.of` reads of a text whatever it ignores, worked out once per text: its content words,
    those that are not landmarks with their skeletons (`_keyed_words`), every skeleton either gives, those
    words, the skeletons it compares across scripts (`skeletons` without landmarks) and whether it is Arabic."""
    words = content_words(text)
    keyed = _keyed_words(words)
    keys = frozenset(k for k in skeletons(text) if not k.startswith("~"))
    every = keys.union(key for _, key in keyed)
    return words, keyed, every, " ".join(w for w, _ in keyed), keys, is_arabic(text)


@lru_cache(maxsize=65536)
def _compared(text: str, ignored: frozenset[str]) -> Compared:
    """`Compared.of(text, ignore)` for a non-empty `ignore`, of which `ignored` are the skeletons the text has."""
    _, keyed, _, plain, keys, arabic = _reading(text)
    words = " ".join(w for w, key in keyed if key not in ignored) if ignored else plain
    return Compared(words, (keys - ignored) if words else frozenset(), arabic)


def compared_texts(a: Compared, b: Compared) -> float:
    """`text_similarity` of two texts already read (`Compared.of` with the same `ignore`)."""
    if not a.words or not b.words:
        return 0.0
    ratio = fuzz.token_set_ratio(a.words, b.words) / 100 if a.arabic == b.arabic else 0.0
    dice = 2 * len(a.keys & b.keys) / (len(a.keys) + len(b.keys)) if a.keys and b.keys else 0.0
    return max(ratio, dice)


def has_content(text: str, *, ignore: frozenset[str] = frozenset()) -> bool:
    """Whether a text says anything beyond the common vocabulary, its landmarks and the ignored words."""
    return bool(_without(content_words(text), ignore))


@lru_cache(maxsize=65536)
def _keyed_words(words: str) -> tuple[tuple[str, str], ...]:
    """The words of a content-word string that are not landmark concepts, each with its skeleton."""
    return tuple((w, word_skeleton(w)) for w in words.split() if not w.startswith("~"))


def _without(words: str, ignore: frozenset[str]) -> str:
    if not ignore:
        return words
    return " ".join(w for w, key in _keyed_words(words) if key not in ignore)


_FAMILY_LATIN = re.compile(r"\b(?:[Tt]he|of)\s+([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)\s+(?:family|clan|household)\b")
_FAMILY_LATIN_OF = re.compile(r"\b(?:family|families|clan)\s+(?:of\s+)?(?:the\s+)?([A-Z][\w'’-]+)")
# After normalize_arabic: عائلة → عايله, عائلات → عايلات, أسرة → اسره, آل → ال.
_FAMILY_ARABIC = re.compile("(?<!\\S)(?:عايله|عايلات|اسره|ال)\\s+([\u0621-\u064a]{2,}(?:\\s+ال[\u0621-\u064a]{2,})?)")


# Given names common on the coast (men's and women's), as monitors spell them: a victim named in full
# ("Among the dead: Nizar Haddad", "من بين القتلى حسن عيسى") gives the family name after the given one.
_GIVEN_LATIN_TEXT = """
mohammad mohammed muhammad mohamed mohamad muhammed ahmad ahmed ali hasan hassan hussein husain hussain hossein
omar umar othman khaled khalid samir sameer nizar fadi rami bassam ghassan yasser yasir majd ammar wael wail maher
firas ayman hani walid waleed ziad ziyad jamil adnan munir nabil riad riyad said saeed tarek tareq tariq bilal
mustafa mostafa yahya kamal imad raed hadi alaa ibrahim youssef yousef yusuf suleiman sulaiman khalil ismail issa
elias ilyas george hamza mahmoud mahmud abdullah abdallah abdulrahman karim kareem louay luay mazen muhannad
jihad nidal shadi tamer haidar haydar qusay safwan wassim wasim fatima fatma maryam mariam zainab zeinab rana
lina huda rasha nour noor samira amal hala layla laila salma sawsan ruba
"""
# Given names that are not also common Arabic words (علي = على once folded, حسن "good", سعيد "happy"...):
# those are read as a given name only after a word that introduces a victim (_VICTIM_ARABIC) or another given name.
_GIVEN_ARABIC_TEXT = """
محمد احمد عمر عثمان خالد سمير نزار فادي رامي بسام غسان ياسر مجد عمار وائل ماهر فراس ايمن هاني وليد زياد عدنان طارق
بلال مصطفى يحيى عماد رائد علاء ابراهيم يوسف سليمان خليل اسماعيل عيسى الياس جورج حمزه محمود عبدالله عبدالرحمن
كريم لؤي مازن مهند نضال شادي تامر حيدر قصي صفوان وسيم فاطمه مريم زينب رنا لينا هدى رشا سميره سلمى سوسن ربا
"""
_GIVEN_ARABIC_AMBIGUOUS_TEXT = "علي حسن حسين سعيد جميل منير نبيل رياض كمال هادي امل نور جهاد حسان"
_VICTIM_ARABIC_TEXT = (
    "القتلى القتيل الضحيه الضحايا الشهيد الشاب الشابه المواطن المواطنه المدني الطفل الطفله السيد السيده الرجل"
)


def _arabic_words(text: str) -> frozenset[str]:
    return frozenset(normalize_arabic(word) for word in text.split())


GIVEN_NAMES_LATIN = frozenset(_GIVEN_LATIN_TEXT.split())
GIVEN_NAMES_ARABIC = _arabic_words(_GIVEN_ARABIC_TEXT)
GIVEN_NAMES_ARABIC_AMBIGUOUS = _arabic_words(_GIVEN_ARABIC_AMBIGUOUS_TEXT)
VICTIM_WORDS_ARABIC = _arabic_words(_VICTIM_ARABIC_TEXT)
_FAMILY_MARKERS = frozenset(
    {"the", "family", "of", "عايله", "عايلات", "اسره", "ال", "ابو", "ابن", "بن", "abu", "ibn", "bin"}
)
_INNER_APOSTROPHE = re.compile(r"(?<=\w)['’‘`ʿʾ](?=\w)")
_NAME_TOKEN = re.compile(r"[^\W\d_][\w'’‘`ʿʾ-]*")
_SENTENCE = re.compile(r"[.!?؟:;،,\n]")


def full_name_families(text: str) -> set[str]:
    """The family names of people named in full: the word after a known given name.

    Latin: a capitalised given name (any spelling of the list) followed by a
    capitalised word in the same sentence, "Nizar Haddad", "Ahmad Al-Saqr".
    Arabic: a given name followed by a word that is not common vocabulary;
    given names that are also everyday words (علي, حسن) only after a word
    that introduces a victim or another given name (الشاب علي حسن, محمد علي
    حداد). Two given names lead to the family after them (Mohammad Ali
    Haddad). A given name that is itself the family ("the Ibrahim family",
    "عائلة إبراهيم") is not read as a first name.
    """
    found: set[str] = set()
    for sentence in _SENTENCE.split(normalize_arabic(text or "")):
        found |= _full_names(_NAME_TOKEN.findall(sentence))
    return found


def _full_names(tokens: list[str]) -> set[str]:
    found = set()
    for i, token in enumerate(tokens[:-1]):
        before = tokens[i - 1].casefold() if i else ""
        if before in _FAMILY_MARKERS:
            continue
        after = tokens[i + 1]
        if _ARABIC_LETTER.match(token):
            if not _ARABIC_LETTER.match(after) or len(after) < 3 or _strip_arabic_prefix(after) in STOPWORDS:
                continue
            introduced = before in VICTIM_WORDS_ARABIC or before in GIVEN_NAMES_ARABIC  # الشاب علي, محمد علي
            if token in GIVEN_NAMES_ARABIC or (token in GIVEN_NAMES_ARABIC_AMBIGUOUS and introduced):
                nxt = tokens[i + 2] if i + 2 < len(tokens) else ""
                if (
                    after in GIVEN_NAMES_ARABIC
                    and _ARABIC_LETTER.match(nxt)
                    and _strip_arabic_prefix(nxt) not in STOPWORDS
                ):
                    continue  # محمد خالد حداد: the next given name leads to the family
                found.add(after)
        elif (
            token[:1].isupper()
            and token.casefold() in GIVEN_NAMES_LATIN
            and after[:1].isupper()
            and after.casefold() not in STOPWORDS
        ):
            if after.casefold() in _FAMILY_MARKERS:
                continue
            nxt = tokens[i + 2] if i + 2 < len(tokens) else ""
            if after.casefold() in GIVEN_NAMES_LATIN and nxt[:1].isupper() and nxt.casefold() not in STOPWORDS:
                continue  # Mohammad Ali Haddad
            found.add(after)
    return found


@lru_cache(maxsize=65536)
def family_names(text: str) -> frozenset[str]:
    """Skeletons of the family names a text gives: "the Haddad family", "عائلة حداد", "آل صقر", "Nizar Haddad".

    Monitors identify victims and owners by family; it is the detail that
    tells two killings in one village apart, and it survives transliteration.
    An apostrophe inside a Latin name (an ʿayn or a hamza: Kana'an, Sha'ban)
    does not split it.
    """
    names = set(full_name_families(text))
    for pattern in (_FAMILY_LATIN, _FAMILY_LATIN_OF):
        for match in pattern.finditer(text or ""):
            names.add(match.group(1))
    for match in _FAMILY_ARABIC.finditer(normalize_arabic(text or "")):
        names.add(match.group(1))
    keys = set()
    for name in names:
        words = normalize_text(_INNER_APOSTROPHE.sub("", name)).split()
        if not words or words[0] in STOPWORDS:
            continue  # "عائلات من الحفة", "families from ...": a place, not a family
        words = [w for w in words if w not in STOPWORDS]
        key = " ".join(word_skeleton(_strip_arabic_prefix(w)) for w in words)
        if len(key.replace(" ", "")) >= 2:
            keys.add(key)
    return frozenset(keys)


# Perpetrators as monitors name them, by the party they mean.
PERPETRATOR_PARTIES: dict[str, tuple[str, ...]] = {
    "government": (
        "general security",
        "public security",
        "security forces",
        "government forces",
        "government",
        "defense ministry",
        "defence ministry",
        "ministry of defense",
        "ministry of defence",
        "army",
        "military operations",
        "hts",
        "hayat tahrir",
        "factions affiliated",
        "affiliated factions",
        "الامن العام",
        "قوات الامن",
        "الحكومه",
        "حكوميه",
        "وزاره الدفاع",
        "الجيش",
        "ادراه العمليات",
        "هيئه تحرير الشام",
        "فصائل تابعه",
        "فصائل",
    ),
    "loyalist": (
        "assad loyalists",
        "pro assad",
        "pro-assad",
        "loyalist",
        "loyalists",
        "former regime",
        "remnants",
        "insurgents",
        "regime remnants",
        "فلول",
        "النظام البائد",
        "النظام السابق",
        "موالين",
        "موالون",
        "الاسد",
    ),
    "unknown": (
        "unknown",
        "unidentified",
        "masked",
        "مجهول",
        "مجهولون",
        "مجهولين",
        "ملثمين",
        "ملثمون",
    ),
}


@lru_cache(maxsize=4096)
def perpetrator_party(text: str) -> str | None:
    """The party a perpetrator's description names, or None when it names none or is empty.

    "Unknown gunmen" names nobody: it is returned as None so that it neither
    confirms nor contradicts another account.
    """
    key = " " + normalize_text(text).replace("-", " ") + " "
    if not key.strip():
        return None
    for party in ("loyalist", "government", "unknown"):
        for phrase in PERPETRATOR_PARTIES[party]:
            if " " + normalize_text(phrase).replace("-", " ") + " " in key or (
                len(phrase) >= 6 and normalize_text(phrase) in key
            ):
                return None if party == "unknown" else party
    return "other:" + key.strip()
