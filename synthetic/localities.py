"""Villages and neighbourhoods of the coast, for generated data only.

The gazetteer stops at districts; monitors name villages. These points are
approximate (a few kilometres) and serve only to make generated reports look
like real ones: spelled several ways in Latin script and written in Arabic.
The district towns themselves come from the gazetteer with its aliases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from reports.seed_data import gazetteer_records

_ARABIC = re.compile("[\u0600-\u06ff]")


@dataclass(frozen=True)
class Locality:
    key: str
    admin1: str
    admin2: str
    latitude: float
    longitude: float
    latin: tuple[str, ...]  # spellings monitors use in Latin script, the first is the usual one
    arabic: tuple[str, ...]
    is_town: bool = False  # the district's own town (its names are gazetteer aliases)


# key, district, lat, lon, Latin spellings, Arabic spellings
_VILLAGES = [
    (
        "raml",
        "SY0600",
        35.500,
        35.775,
        ("Al-Raml al-Janoubi", "Ramel", "Raml al-Janubi"),
        ("الرمل الجنوبي", "حي الرمل"),
    ),
    ("sleibeh", "SY0600", 35.522, 35.783, ("Al-Sleibeh", "Sleibeh", "Al-Sulaybah"), ("الصليبة", "حي الصليبة")),
    ("daatour", "SY0600", 35.540, 35.800, ("Al-Daatour", "Daatour", "Al-Da'tour"), ("الدعتور", "حي الدعتور")),
    ("sqoubin", "SY0600", 35.573, 35.833, ("Sqoubin", "Skoubin", "Squbin"), ("سقوبين",)),
    ("bahluliyah", "SY0600", 35.633, 35.933, ("Al-Bahluliyah", "Bahloulieh", "Bahluliya"), ("البهلولية",)),
    ("mukhtariyah", "SY0600", 35.600, 35.950, ("Al-Mukhtariyah", "Mukhtariya", "Mokhtarieh"), ("المختارية",)),
    ("kasab", "SY0600", 35.922, 35.987, ("Kasab", "Kessab", "Kassab"), ("كسب",)),
    ("burj_islam", "SY0600", 35.668, 35.800, ("Burj Islam", "Borj Islam"), ("برج إسلام", "برج اسلام")),
    ("hmeimim", "SY0602", 35.411, 35.948, ("Hmeimim", "Humaymim", "Khmeimim"), ("حميميم",)),
    ("beit_yashout", "SY0602", 35.335, 36.098, ("Beit Yashout", "Bayt Yashut", "Beit Yashut"), ("بيت ياشوط",)),
    ("qutailbiyah", "SY0602", 35.372, 36.040, ("Al-Qutailbiyah", "Qteilbiyeh", "Kutaylibiya"), ("القطيلبية",)),
    ("daliyah", "SY0602", 35.310, 36.128, ("Al-Daliyah", "Dalieh", "Daliya"), ("الدالية",)),
    ("arab_mulk", "SY0602", 35.330, 35.930, ("Arab al-Mulk", "Arab al-Melk"), ("عرب الملك",)),
    ("sanobar", "SY0602", 35.395, 35.955, ("Al-Sanobar", "Sanobar", "Snobar"), ("السنوبر",)),
    ("ain_sharqiyah", "SY0602", 35.345, 36.015, ("Ain al-Sharqiyah", "Ain Sharqieh"), ("عين الشرقية",)),
    ("slinfah", "SY0603", 35.594, 36.186, ("Slinfah", "Slunfeh", "Salanfa"), ("صلنفة", "صلنفه")),
    ("babanna", "SY0603", 35.625, 36.155, ("Babanna", "Babana"), ("بابنا",)),
    ("ain_tineh", "SY0603", 35.570, 36.090, ("Ain al-Tineh", "Ain Tineh", "Ayn al-Tina"), ("عين التينة",)),
    ("istamo", "SY0604", 35.440, 36.010, ("Istamo", "Istamu", "Estamo"), ("اسطامو", "إسطامو")),
    ("bustan_basha", "SY0604", 35.430, 36.040, ("Bustan al-Basha", "Bustan al-Pasha"), ("بستان الباشا",)),
    (
        "jawbat_burghal",
        "SY0604",
        35.470,
        36.210,
        ("Jawbat Burghal", "Jobet Berghal", "Joubet Burghal"),
        ("جوبة برغال",),
    ),
    ("harf_musaytirah", "SY0604", 35.490, 36.150, ("Harf al-Musaytirah", "Harf Msaitra"), ("حرف المسيترة",)),
    ("arwad", "SY1000", 34.856, 35.858, ("Arwad", "Arwad island", "Ruad"), ("أرواد", "جزيرة أرواد")),
    ("hamidiyah", "SY1000", 34.720, 35.930, ("Al-Hamidiyah", "Hamidieh", "Hamidiya"), ("الحميدية",)),
    ("sawda", "SY1000", 34.950, 36.010, ("Al-Sawda", "Sauda", "Al-Souda"), ("السودا", "السودة")),
    ("qusour", "SY1002", 35.176, 35.945, ("Al-Qusour", "Qusour", "Al-Qusur"), ("القصور", "حي القصور")),
    ("bayda", "SY1002", 35.160, 35.977, ("Al-Bayda", "Al-Baida", "Bayda"), ("البيضا", "البيضاء")),
    (
        "ras_nabaa",
        "SY1002",
        35.170,
        35.940,
        ("Ras al-Nabaa", "Ras al-Naba", "Ras Al Nabeh"),
        ("رأس النبع", "راس النبع"),
    ),
    ("hreisoun", "SY1002", 35.205, 35.968, ("Hreisoun", "Huraysun", "Hraisoun"), ("حريصون",)),
    ("marqab", "SY1002", 35.151, 35.949, ("Al-Marqab", "Marqab", "Margat"), ("المرقب",)),
    ("ain_zarqa", "SY1003", 34.800, 36.150, ("Ain al-Zarqa", "Ain Zarka"), ("عين الزرقا",)),
    ("sisiniyah", "SY1003", 34.830, 36.200, ("Al-Sisiniyah", "Sisinieh"), ("السيسنية",)),
    ("mashta_helu", "SY1004", 34.870, 36.260, ("Mashta al-Helu", "Mashta al-Hilu", "Meshta Helou"), ("مشتى الحلو",)),
    ("jneinet_ruslan", "SY1004", 34.850, 36.210, ("Jneinet Ruslan", "Junaynat Raslan"), ("جنينة رسلان",)),
    ("brummanet", "SY1005", 35.010, 36.100, ("Brummanet al-Mashayekh", "Burmanat al-Mashayikh"), ("برمانة المشايخ",)),
    ("qamsiyah", "SY1005", 35.020, 36.060, ("Al-Qamsiyah", "Qamsieh"), ("القمصية",)),
    ("hammam_wasel", "SY1006", 35.070, 36.130, ("Hammam Wasel", "Hamam Wasil"), ("حمام واصل",)),
    ("annazah", "SY1006", 35.130, 36.100, ("Al-Annazah", "Annazeh"), ("العنازة",)),
    ("kinsabba", "SY0600", 35.700, 36.080, ("Kinsabba", "Kinsiba", "Kansaba"), ("كنسبا",)),
    ("rabia", "SY0600", 35.790, 36.000, ("Rabia", "Rabiaa"), ("ربيعة",)),
    ("qastal_maaf", "SY0600", 35.760, 35.880, ("Qastal Maaf", "Kastal Maaf"), ("قسطل معاف",)),
    ("bisnada", "SY0600", 35.555, 35.820, ("Bisnada", "Besnada", "Bsnada"), ("بسنادا",)),
    ("damsarkho", "SY0600", 35.560, 35.750, ("Damsarkho", "Demsarkho"), ("دمسرخو",)),
    ("shabatliyah", "SY0600", 35.480, 35.800, ("Al-Shabatliyah", "Shabatlieh"), ("الشبطلية",)),
    ("siyano", "SY0602", 35.380, 35.990, ("Siyano", "Siano", "Sayanu"), ("سيانو",)),
    ("ain_arous", "SY0602", 35.350, 36.060, ("Ain al-Arous", "Ain Arous"), ("عين العروس",)),
    ("mazraa", "SY0604", 35.470, 36.080, ("Al-Mazraa", "Mazraa"), ("المزرعة",)),
    ("qurfays", "SY0604", 35.420, 36.000, ("Qurfays", "Kerfeis", "Qirfays"), ("قرفيص",)),
    ("mushayrfeh", "SY0603", 35.640, 36.060, ("Al-Mushayrfeh", "Mshairfeh"), ("المشيرفة",)),
    ("taanita", "SY1000", 34.930, 35.960, ("Taanita", "Tanita"), ("تعنيتا",)),
    (
        "bayt_shaykh_yunis",
        "SY1000",
        34.840,
        35.920,
        ("Bayt al-Shaykh Yunis", "Beit Sheikh Younes"),
        ("بيت الشيخ يونس",),
    ),
    ("rusafa", "SY1002", 35.140, 35.990, ("Al-Rusafa", "Rusafeh"), ("الرصافة",)),
    ("jamasa", "SY1002", 35.200, 36.010, ("Al-Jamasa", "Jamasseh"), ("الجماسة",)),
    ("qadmous_wadi", "SY1006", 35.080, 36.190, ("Wadi al-Uyun", "Wadi Al Ayoun"), ("وادي العيون",)),
    ("mushayrifa_safita", "SY1003", 34.790, 36.090, ("Al-Mushayrifa", "Mshayrfeh Safita"), ("المشيرفة الغربية",)),
    ("ain_halaqim", "SY1005", 35.030, 36.140, ("Ain Halaqim", "Ain Halakim"), ("عين حلاقيم",)),
]


@lru_cache(maxsize=1)
def localities() -> tuple[Locality, ...]:
    """The coast's villages above and its district towns from the gazetteer."""
    areas = {r["pcode"]: r for r in gazetteer_records()}
    result = [
        Locality(key, areas[admin2]["parent"], admin2, lat, lon, latin, arabic)
        for key, admin2, lat, lon, latin, arabic in _VILLAGES
    ]
    for pcode, area in sorted(areas.items()):
        if area["level"] != 2 or area["parent"] not in {"SY06", "SY10"}:
            continue
        names = [area["name_en"], *area["aliases"]]
        latin = tuple(dict.fromkeys(n for n in names if not _ARABIC.search(n) and n != pcode))
        arabic = tuple(dict.fromkeys(n for n in [area["name_ar"], *area["aliases"]] if _ARABIC.search(n)))
        result.append(
            Locality(pcode, area["parent"], pcode, area["lat"], area["lon"], latin, arabic or (area["name_ar"],), True)
        )
    return tuple(result)


def district_town(admin2: str) -> Locality:
    return next(loc for loc in localities() if loc.is_town and loc.admin2 == admin2)
