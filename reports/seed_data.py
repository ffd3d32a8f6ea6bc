"""Reference data Sijil ships with: the category taxonomy and the gazetteer of Syria.

Both are loaded by data migrations through the functions below, which take the
model classes as arguments so that migrations can pass their historical models.
Loading twice changes nothing; edits made by coordinators to names and
descriptions are kept (only missing rows and aliases are added).
"""

import json
from pathlib import Path

GAZETTEER_FILE = Path(__file__).parent / "data" / "gazetteer.json"

VAC = "Violence against civilians"
SD = "Strategic developments"
LOOTING = "Looting/property destruction"

# slug, group, English, Arabic, description EN, description AR, ACLED type, ACLED sub-type, service
CATEGORIES = [
    (
        "killing",
        "violence",
        "Killing",
        "قتل",
        "People killed, by shooting, bombing or any other means.",
        "أشخاص قُتلوا رمياً بالرصاص أو بالتفجير أو بأي وسيلة أخرى.",
        VAC,
        "Attack",
        "",
    ),
    (
        "execution",
        "violence",
        "Execution",
        "إعدام ميداني",
        "People killed after being captured or while in someone's power, including summary executions.",
        "أشخاص قُتلوا بعد أسرهم أو وهم تحت سيطرة الفاعل، ومنها الإعدامات الميدانية.",
        VAC,
        "Attack",
        "",
    ),
    (
        "injury",
        "violence",
        "Injury",
        "إصابة",
        "People wounded by violence.",
        "أشخاص جُرحوا بسبب أعمال عنف.",
        VAC,
        "Attack",
        "",
    ),
    (
        "abduction",
        "detention",
        "Abduction or enforced disappearance",
        "اختطاف أو إخفاء قسري",
        "People taken away by force whose fate or whereabouts are unknown.",
        "أشخاص اقتيدوا بالقوة ومصيرهم أو مكانهم مجهول.",
        VAC,
        "Abduction/forced disappearance",
        "",
    ),
    (
        "arbitrary_detention",
        "detention",
        "Arbitrary detention",
        "اعتقال تعسفي",
        "People arrested or held without legal grounds.",
        "أشخاص اعتُقلوا أو احتُجزوا دون سند قانوني.",
        SD,
        "Arrests",
        "",
    ),
    (
        "detainee_mistreatment",
        "detention",
        "Mistreatment of detainees",
        "سوء معاملة المحتجزين",
        "Torture, beating or humiliation of people held by any party.",
        "تعذيب أو ضرب أو إهانة أشخاص محتجزين لدى أي طرف.",
        VAC,
        "Attack",
        "",
    ),
    (
        "looting",
        "property",
        "Looting",
        "نهب",
        "Homes, shops or property robbed.",
        "سرقة منازل أو محلات أو ممتلكات.",
        SD,
        LOOTING,
        "",
    ),
    (
        "arson",
        "property",
        "Arson",
        "حرق",
        "Homes, shops, fields or vehicles deliberately set on fire.",
        "إضرام النار عمداً في منازل أو محلات أو حقول أو سيارات.",
        SD,
        LOOTING,
        "",
    ),
    (
        "property_destruction",
        "property",
        "Destruction of property",
        "تدمير ممتلكات",
        "Homes or property demolished or wrecked, other than by fire.",
        "هدم منازل أو ممتلكات أو تخريبها بغير النار.",
        SD,
        LOOTING,
        "",
    ),
    (
        "armed_clash",
        "fighting",
        "Armed clash",
        "اشتباك مسلح",
        "Fighting between armed groups or forces.",
        "قتال بين مجموعات أو قوات مسلحة.",
        "Battles",
        "Armed clash",
        "",
    ),
    (
        "ambush",
        "fighting",
        "Ambush",
        "كمين",
        "A surprise attack on a patrol, convoy or checkpoint.",
        "هجوم مباغت على دورية أو رتل أو حاجز.",
        "Battles",
        "Armed clash",
        "",
    ),
    (
        "shelling",
        "fighting",
        "Shelling or explosion",
        "قصف أو انفجار",
        "Artillery, rockets, air strikes, mines or explosive devices.",
        "قصف مدفعي أو صاروخي أو جوي أو ألغام أو عبوات ناسفة.",
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
        "",
    ),
    (
        "displacement",
        "displacement",
        "Displacement",
        "نزوح",
        "People forced to leave their homes.",
        "أشخاص أُجبروا على مغادرة منازلهم.",
        SD,
        "Other",
        "",
    ),
    (
        "electricity_outage",
        "services",
        "Electricity cut",
        "انقطاع الكهرباء",
        "Electricity cut off for an area: when it started and when it came back.",
        "انقطاع الكهرباء عن منطقة: متى بدأ ومتى عادت.",
        "",
        "",
        "electricity",
    ),
    (
        "water_outage",
        "services",
        "Water cut",
        "انقطاع المياه",
        "Drinking water cut off for an area: when it started and when it came back.",
        "انقطاع مياه الشرب عن منطقة: متى بدأ ومتى عادت.",
        "",
        "",
        "water",
    ),
    (
        "telecom_outage",
        "services",
        "Telephone or internet cut",
        "انقطاع الاتصالات",
        "Mobile, landline or internet cut off for an area.",
        "انقطاع الهاتف الخلوي أو الأرضي أو الإنترنت عن منطقة.",
        "",
        "",
        "telecom",
    ),
]


def load_categories(Category) -> int:
    """Create the categories that do not exist yet; return how many were created."""
    created = 0
    for order, (slug, group, name_en, name_ar, desc_en, desc_ar, acled, acled_sub, service) in enumerate(CATEGORIES):
        _, was_created = Category.objects.get_or_create(
            slug=slug,
            defaults={
                "group": group,
                "name_en": name_en,
                "name_ar": name_ar,
                "description_en": desc_en,
                "description_ar": desc_ar,
                "acled_event_type": acled,
                "acled_sub_event_type": acled_sub,
                "is_outage": bool(service),
                "service": service,
                "sort_order": (order + 1) * 10,
            },
        )
        created += was_created
    return created


def gazetteer_records() -> list[dict]:
    return json.loads(GAZETTEER_FILE.read_text(encoding="utf-8"))["areas"]


def load_gazetteer(Area, AreaAlias) -> int:
    """Create the areas and aliases of the gazetteer file that do not exist yet."""
    created = 0
    records = sorted(gazetteer_records(), key=lambda r: r["level"])  # governorates first
    for record in records:
        area, was_created = Area.objects.get_or_create(
            pcode=record["pcode"],
            defaults={
                "level": record["level"],
                "parent_id": record["parent"],
                "name_en": record["name_en"],
                "name_ar": record["name_ar"],
                "latitude": str(record["lat"]),
                "longitude": str(record["lon"]),
            },
        )
        created += was_created
        for alias in record["aliases"]:
            AreaAlias.objects.get_or_create(area=area, name=alias)
    return created
