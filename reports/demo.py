"""The demo register: Syria's coast, 6–10 March 2025, as the seed article tells it.

Forty-odd reports from five monitors about seventeen events: the ambush of a
security patrol near Qardaha, the clashes in Jableh, executions, homes looted
and burned, electricity and water cut around Latakia. Several events are
reported more than once, with conflicting figures and spellings, so that the
workers have something to deduplicate and reconcile; two arson attacks in
Jableh on the same day are separate events. The figures are illustrative, not
a record of what happened.

Everything has a fixed id, so seeding twice changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.db import transaction

from incidents.api_keys import hash_key
from incidents.models import ApiKey, ApiKeyScope
from reports.choices import ReportStatus, Role
from reports.models import Organisation, Report, User
from reports.review import report_review
from reports.services import report_submit

DAMASCUS = ZoneInfo("Asia/Damascus")
DEMO_NAMESPACE = uuid.UUID("6f1d4b1e-3b57-4d57-9a55-5a1c0e0c2025")
DEMO_PASSWORD = "sijil-demo-2025"  # noqa: S105 — local demo only; seed_demo refuses to run in production
# A published key for the local demo's partner, so the API can be tried at once.
DEMO_PARTNER_KEY = "sjl_dem0c0a5_local-demo-partner-key-never-use-in-production"
MONITORING_ORGANISATION = "Coastal Monitoring Network (demo)"
PARTNER_ORGANISATION = "Partner NGO (demo)"

DEMO_USERS = [
    ("monitor.latakia", Role.MONITOR),
    ("monitor.jableh", Role.MONITOR),
    ("monitor.qardaha", Role.MONITOR),
    ("monitor.banyas", Role.MONITOR),
    ("monitor.tartous", Role.MONITOR),
    ("reviewer", Role.REVIEWER),
    ("coordinator", Role.COORDINATOR),
]


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=DAMASCUS)


def _killed(group: str, low: int, high: int, scope: str = "incident") -> dict:
    return {"kind": "killed", "group": group, "low": low, "high": high, "scope": scope}


def _figure(kind: str, group: str, low: int, high: int) -> dict:
    return {"kind": kind, "group": group, "low": low, "high": high, "scope": "incident"}


@dataclass
class DemoReport:
    monitor: str
    occurred_at: datetime
    place_name: str
    title: str
    narrative: str = ""
    casualties: list[dict] = field(default_factory=list)
    source_type: str = "eyewitness"
    source_reliability: str = "C"
    info_credibility: int = 3
    time_precision: int = 1
    latitude: float | None = None
    longitude: float | None = None
    language: str = "en"
    perpetrator: str = ""
    outage_restored_at: datetime | None = None


@dataclass
class DemoEvent:
    key: str
    category: str
    admin1: str
    admin2: str | None
    reports: list[DemoReport]


GUNMEN = "Gunmen loyal to the former government"
FACTIONS = "Armed factions affiliated with the security forces"

EVENTS: list[DemoEvent] = [
    DemoEvent(
        "qardaha-ambush",
        "ambush",
        "SY06",
        "SY0604",
        [
            DemoReport(
                "monitor.qardaha",
                _at(6, 15, 40),
                "Al-Qardaha",
                "Security patrol ambushed near Qardaha",
                "A General Security patrol was ambushed on the road below the town; heavy gunfire for an hour.",
                [_killed("security_forces", 13, 13)],
                "eyewitness",
                "B",
                2,
                latitude=35.4561,
                longitude=36.0594,
                perpetrator=GUNMEN,
            ),
            DemoReport(
                "monitor.latakia",
                _at(6, 16),
                "Qardaha",
                "Ambush on security forces outside Qardaha",
                "Local official says the patrol lost at least 15 men.",
                [_killed("security_forces", 15, 16)],
                "local_official",
                "B",
                3,
                perpetrator=GUNMEN,
            ),
            DemoReport(
                "monitor.qardaha",
                _at(6, 16, 10),
                "القرداحة",
                "كمين لدورية أمنية قرب القرداحة",
                "هاجم مسلحون دورية للأمن العام عند مدخل البلدة، وسقط عدد من القتلى.",
                [_killed("security_forces", 12, 16), _figure("injured", "security_forces", 5, 9)],
                "relative",
                "C",
                3,
                language="ar",
            ),
            DemoReport(
                "monitor.jableh",
                _at(6, 17),
                "Kardaha",
                "Patrol attacked near Kardaha, fighters took the town",
                "Social media posts show gunmen in the town centre after the attack.",
                [_killed("security_forces", 10, 20)],
                "social_media",
                "E",
                4,
                time_precision=1,
            ),
        ],
    ),
    DemoEvent(
        "jableh-clashes",
        "armed_clash",
        "SY06",
        "SY0602",
        [
            DemoReport(
                "monitor.jableh",
                _at(6, 19),
                "Jableh",
                "Clashes between security forces and gunmen in Jableh",
                "Fighting around the military academy and the hospital road through the night.",
                [_killed("security_forces", 10, 12), _killed("armed_group", 5, 8)],
                "eyewitness",
                "B",
                2,
                latitude=35.3621,
                longitude=35.9276,
            ),
            DemoReport(
                "monitor.latakia",
                _at(6, 20),
                "Jablah",
                "Heavy clashes in Jablah",
                "Medical source at the national hospital: 16 dead brought in, soldiers and fighters.",
                [_killed("security_forces", 11, 16), _killed("armed_group", 4, 6)],
                "medical",
                "A",
                2,
            ),
            DemoReport(
                "monitor.jableh",
                _at(6, 21),
                "جبلة",
                "اشتباكات عنيفة في جبلة",
                "اشتباكات بين قوات الأمن ومسلحين استمرت حتى الفجر.",
                [_killed("security_forces", 8, 20)],
                "eyewitness",
                "C",
                3,
                language="ar",
            ),
        ],
    ),
    DemoEvent(
        "banyas-executions",
        "execution",
        "SY10",
        "SY1002",
        [
            DemoReport(
                "monitor.banyas",
                _at(8, 10),
                "Banyas",
                "Men taken from their homes and shot in Banyas",
                "Residents in hiding say armed men went house to house in the neighbourhood and shot men.",
                [_killed("civilian", 20, 30)],
                "eyewitness",
                "B",
                2,
                perpetrator=FACTIONS,
            ),
            DemoReport(
                "monitor.tartous",
                _at(8, 11),
                "Baniyas",
                "Mass killing reported in Baniyas",
                "Relatives report dozens of bodies in the streets; figures cannot be verified.",
                [_killed("civilian", 25, 45)],
                "relative",
                "C",
                3,
                perpetrator=FACTIONS,
            ),
            DemoReport(
                "monitor.banyas",
                _at(8, 12),
                "بانياس",
                "إعدامات ميدانية في بانياس",
                "شهود عيان من مخابئهم: مسلحون أعدموا رجالاً أمام منازلهم.",
                [_killed("civilian", 22, 22)],
                "eyewitness",
                "B",
                2,
                language="ar",
            ),
            DemoReport(
                "monitor.latakia",
                _at(8, 14),
                "Banias",
                "Executions in Banias, hospital counts bodies",
                "Hospital staff counted 31 bodies by the afternoon.",
                [_killed("civilian", 31, 31), _figure("injured", "civilian", 10, 15)],
                "medical",
                "A",
                2,
            ),
        ],
    ),
    DemoEvent(
        "jableh-village-executions",
        "execution",
        "SY06",
        "SY0602",
        [
            DemoReport(
                "monitor.jableh",
                _at(7, 8),
                "village near Jableh",
                "Eight men executed in a village near Jableh",
                "Survivors say the men were separated from women and shot.",
                [_killed("civilian", 8, 8)],
                "victim",
                "B",
                2,
                perpetrator=FACTIONS,
            ),
            DemoReport(
                "monitor.latakia",
                _at(7, 9),
                "Jablah countryside",
                "Killings in Jablah countryside",
                "Local sources: about ten villagers killed.",
                [_killed("civilian", 8, 12)],
                "local_official",
                "C",
                3,
            ),
            DemoReport(
                "monitor.jableh",
                _at(7, 10),
                "ريف جبلة",
                "إعدام مدنيين في ريف جبلة",
                "قُتل ثمانية رجال على الأقل.",
                [_killed("civilian", 8, 10)],
                "relative",
                "C",
                3,
                language="ar",
            ),
        ],
    ),
    DemoEvent(
        "qardaha-looting",
        "looting",
        "SY06",
        "SY0604",
        [
            DemoReport(
                "monitor.qardaha",
                _at(8, 9),
                "Qardaha",
                "Homes looted in Qardaha",
                "Armed men emptied houses of furniture and cars after the fighting.",
                [],
                "eyewitness",
                "B",
                2,
            ),
            DemoReport(
                "monitor.qardaha",
                _at(8, 11),
                "Al-Qardaha",
                "Looting of Alawite family homes in Al-Qardaha",
                "Several streets looted; residents fled to the hills.",
                [],
                "victim",
                "B",
                2,
            ),
            DemoReport(
                "monitor.latakia",
                _at(8, 12),
                "القرداحة",
                "نهب منازل في القرداحة",
                "نهب منازل عائلات وسرقة سيارات.",
                [],
                "social_media",
                "D",
                3,
                language="ar",
            ),
        ],
    ),
    DemoEvent(
        "jableh-arson-north",
        "arson",
        "SY06",
        "SY0602",
        [
            DemoReport(
                "monitor.jableh",
                _at(8, 14),
                "Jableh",
                "Houses set on fire in northern Jableh",
                "Five houses burned on the northern edge of town after being looted.",
                [],
                "eyewitness",
                "B",
                2,
                latitude=35.3705,
                longitude=35.9301,
            ),
            DemoReport(
                "monitor.latakia",
                _at(8, 15),
                "Jablah",
                "Arson of homes in north Jablah",
                "Smoke seen from the coast road; homes of Alawite families burned.",
                [],
                "media",
                "C",
                3,
            ),
            DemoReport(
                "monitor.jableh",
                _at(8, 15, 30),
                "جبلة",
                "إحراق منازل شمال جبلة",
                "أُحرقت منازل بعد نهبها.",
                [],
                "eyewitness",
                "C",
                2,
                language="ar",
            ),
        ],
    ),
    DemoEvent(
        "jableh-arson-south",
        "arson",
        "SY06",
        "SY0602",
        [
            DemoReport(
                "monitor.banyas",
                _at(8, 21),
                "Jableh",
                "Shops burned in southern Jableh",
                "A row of shops near the southern roundabout set alight at night.",
                [],
                "eyewitness",
                "B",
                2,
                latitude=35.3480,
                longitude=35.9250,
            ),
            DemoReport(
                "monitor.jableh",
                _at(8, 22),
                "Jableh",
                "Fire in the market, south Jableh",
                "Shops burned at night, unrelated to the houses burned in the north earlier.",
                [],
                "local_official",
                "B",
                2,
                latitude=35.3475,
                longitude=35.9262,
            ),
        ],
    ),
    DemoEvent(
        "latakia-electricity",
        "electricity_outage",
        "SY06",
        "SY0600",
        [
            DemoReport(
                "monitor.latakia",
                _at(7, 7),
                "Latakia",
                "Electricity cut across Latakia",
                "No power in most neighbourhoods since the morning; the main line was damaged.",
                [],
                "local_official",
                "B",
                2,
                outage_restored_at=_at(9, 18),
            ),
            DemoReport(
                "monitor.jableh",
                _at(7, 8),
                "Lattakia",
                "Power outage in Lattakia city",
                "Whole city dark.",
                [],
                "eyewitness",
                "C",
                2,
            ),
            DemoReport(
                "monitor.latakia",
                _at(7, 9),
                "اللاذقية",
                "انقطاع الكهرباء عن اللاذقية",
                "انقطاع كامل للكهرباء.",
                [],
                "eyewitness",
                "C",
                2,
                language="ar",
            ),
        ],
    ),
    DemoEvent(
        "latakia-water",
        "water_outage",
        "SY06",
        "SY0600",
        [
            DemoReport(
                "monitor.latakia",
                _at(7, 10),
                "Latakia",
                "Drinking water cut in Latakia",
                "Pumping stations stopped without electricity.",
                [],
                "local_official",
                "B",
                2,
                outage_restored_at=_at(10, 12),
            ),
            DemoReport(
                "monitor.qardaha",
                _at(7, 12),
                "Al-Ladhiqiyah",
                "No water in Al-Ladhiqiyah",
                "Families queuing at wells.",
                [],
                "eyewitness",
                "C",
                3,
            ),
        ],
    ),
    DemoEvent(
        "tartous-abduction",
        "abduction",
        "SY10",
        "SY1000",
        [
            DemoReport(
                "monitor.tartous",
                _at(9, 13),
                "Tartous",
                "Two young men abducted at a checkpoint in Tartous",
                "Taken from a minibus; families have no news.",
                [_figure("abducted", "civilian", 2, 2)],
                "relative",
                "B",
                2,
            ),
            DemoReport(
                "monitor.banyas",
                _at(9, 14),
                "Tartus",
                "Abduction at checkpoint, Tartus",
                "Three passengers taken away.",
                [_figure("abducted", "civilian", 2, 3)],
                "eyewitness",
                "C",
                3,
            ),
        ],
    ),
    DemoEvent(
        "banyas-countryside-killing",
        "killing",
        "SY10",
        "SY1002",
        [
            DemoReport(
                "monitor.banyas",
                _at(9, 9),
                "village outside Baniyas",
                "Family killed in a village near Baniyas",
                "A family of five shot in their home.",
                [_killed("civilian", 5, 5)],
                "relative",
                "B",
                2,
            ),
            DemoReport(
                "monitor.tartous",
                _at(9, 10),
                "Banyas countryside",
                "Killing of a family in Banyas countryside",
                "Neighbours say six or seven dead.",
                [_killed("civilian", 5, 7)],
                "eyewitness",
                "C",
                3,
            ),
        ],
    ),
    DemoEvent(
        "jableh-displacement",
        "displacement",
        "SY06",
        "SY0602",
        [
            DemoReport(
                "monitor.jableh",
                _at(8, 18),
                "Jableh",
                "Families flee towards the Russian base",
                "Hundreds of families walking towards Hmeimim to seek shelter.",
                [],
                "eyewitness",
                "B",
                2,
            ),
            DemoReport(
                "monitor.latakia",
                _at(9, 9),
                "Jablah",
                "Displaced families shelter near Hmeimim",
                "Several thousand displaced, according to local sources.",
                [],
                "media",
                "C",
                3,
            ),
        ],
    ),
    DemoEvent(
        "latakia-detentions",
        "arbitrary_detention",
        "SY06",
        "SY0600",
        [
            DemoReport(
                "monitor.latakia",
                _at(10, 11),
                "Latakia",
                "Dozens detained in Latakia raids",
                "Young men taken from homes in two neighbourhoods; no charges given.",
                [_figure("detained", "civilian", 30, 50)],
                "eyewitness",
                "C",
                3,
            ),
            DemoReport(
                "monitor.qardaha",
                _at(10, 13),
                "اللاذقية",
                "حملة اعتقالات في اللاذقية",
                "اعتقال عشرات الشبان.",
                [_figure("detained", "civilian", 25, 40)],
                "relative",
                "C",
                3,
                language="ar",
            ),
        ],
    ),
    DemoEvent(
        "coast-cumulative",
        "killing",
        "SY06",
        None,
        [
            DemoReport(
                "monitor.latakia",
                _at(9, 20),
                "Latakia and Tartous",
                "Monitor reports over a thousand killed on the coast since Thursday",
                "A war monitor counts 1,225 civilians killed in Latakia and Tartous since Thursday; "
                "not an incident toll.",
                [_killed("civilian", 1225, 1225, "cumulative")],
                "media",
                "B",
                3,
                time_precision=2,
            ),
        ],
    ),
    DemoEvent(
        "tartous-telecom",
        "telecom_outage",
        "SY10",
        "SY1000",
        [
            DemoReport(
                "monitor.tartous",
                _at(8, 8),
                "Tartous",
                "Mobile network down in Tartous",
                "No mobile coverage or internet since last night.",
                [],
                "eyewitness",
                "C",
                2,
            ),
        ],
    ),
    DemoEvent(
        "latakia-injuries",
        "injury",
        "SY06",
        "SY0600",
        [
            DemoReport(
                "monitor.latakia",
                _at(7, 17),
                "Latakia",
                "Civilians wounded by gunfire in Latakia",
                "Hospital received wounded civilians from a shooting in the city.",
                [_figure("injured", "civilian", 6, 9)],
                "medical",
                "A",
                2,
            ),
            DemoReport(
                "monitor.jableh",
                _at(7, 18),
                "Lattakia",
                "Shooting wounds passers-by in Lattakia",
                "Several passers-by wounded.",
                [_figure("injured", "civilian", 4, 10)],
                "eyewitness",
                "C",
                3,
            ),
        ],
    ),
    DemoEvent(
        "qardaha-destruction",
        "property_destruction",
        "SY06",
        "SY0604",
        [
            DemoReport(
                "monitor.qardaha",
                _at(9, 10),
                "Qardaha",
                "Mausoleum and houses damaged in Qardaha",
                "Buildings in the centre wrecked after the town was retaken.",
                [],
                "eyewitness",
                "B",
                2,
            ),
            DemoReport(
                "monitor.latakia",
                _at(9, 12),
                "Qurdaha",
                "Destruction in Qurdaha centre",
                "Photos show wrecked buildings.",
                [],
                "social_media",
                "D",
                3,
            ),
        ],
    ),
]


# Events whose first two reports the demo reviewer has already verified, so that
# partners see data at once; everything else waits in the review queue.
VERIFIED_EVENTS = ("qardaha-ambush", "jableh-clashes", "banyas-executions", "latakia-electricity")


def demo_report_id(event_key: str, position: int) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"{event_key}/{position}")


def demo_submission(event: DemoEvent, report: DemoReport) -> dict:
    return {
        "category": event.category,
        "occurred_at": report.occurred_at,
        "time_precision": report.time_precision,
        "admin1": event.admin1,
        "admin2": event.admin2,
        "place_name": report.place_name,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "title": report.title,
        "narrative": report.narrative,
        "language": report.language,
        "casualties": report.casualties,
        "perpetrator": report.perpetrator,
        "source_type": report.source_type,
        "source_reliability": report.source_reliability,
        "info_credibility": report.info_credibility,
        "outage_restored_at": report.outage_restored_at,
    }


@dataclass
class SeedOutcome:
    users_created: list[str]
    reports_created: int
    reports_existing: int


def seed_demo() -> SeedOutcome:
    """Create the demo accounts and submit the demo reports through the normal submission path."""
    users_created = []
    with transaction.atomic():
        monitoring, _ = Organisation.objects.get_or_create(name=MONITORING_ORGANISATION)
        partner, _ = Organisation.objects.get_or_create(
            name=PARTNER_ORGANISATION, defaults={"kind": Organisation.Kind.PARTNER}
        )
        ApiKey.objects.get_or_create(
            hashed_key=hash_key(DEMO_PARTNER_KEY),
            defaults={
                "name": "Demo partner key",
                "prefix": DEMO_PARTNER_KEY[:12],
                "organisation": partner,
                "scopes": [ApiKeyScope.AGGREGATES_READ, ApiKeyScope.INCIDENTS_READ],
            },
        )
        users = {}
        for username, role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"organisation": monitoring, "is_staff": role != Role.MONITOR}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                user.groups.add(Group.objects.get_or_create(name=role)[0])
                users_created.append(username)
            users[username] = user

    created = existing = 0
    for event in EVENTS:
        for position, report in enumerate(event.reports):
            result = report_submit(
                monitor=users[report.monitor],
                report_id=demo_report_id(event.key, position),
                data=demo_submission(event, report),
            )
            created += result.created
            existing += not result.created

    reviewer = users["reviewer"]
    for event in EVENTS:
        if event.key not in VERIFIED_EVENTS:
            continue
        for position in range(2):
            report = Report.objects.get(pk=demo_report_id(event.key, position))
            if report.status == ReportStatus.SUBMITTED:
                report_review(report=report, reviewer=reviewer, decision="verify", note="Demo: verified.")
    return SeedOutcome(users_created=users_created, reports_created=created, reports_existing=existing)
