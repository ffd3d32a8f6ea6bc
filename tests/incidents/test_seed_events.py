"""The seed's events told several ways (../shared/seeds: Syria's coast, March 2025), through the real pipeline.

The Qardaha killings of 8 March told four ways, as the seed's sources tell
them: an eyewitness in English with coordinates, the hospital in Arabic, a
social-media post dated only to the week with a far higher toll (and a
running total of "more than 1,000" beside it), a relative days later; every
report verified afterwards. The three dated accounts become one incident on
the matcher's word; the week-long post is put to the reviewer as a duplicate
candidate (a week's toll in a town may sum several events), who accepts it.
One incident, counted once in the partner's aggregates, its low–best–high
following the rule (docs/invariants.md), the running total never summed. Then other events of the seed told in both
languages. With the shipped model (incidents/dedup/default_model.json).
"""

import uuid

import pytest

from incidents.models import DailyAggregate, DuplicateCandidate, Incident, IncidentStatus
from incidents.selectors import matcher_model_forget
from incidents.services import reports_process
from incidents.services.aggregates import aggregates_snapshot, compute_all
from incidents.services.incidents import candidate_accept
from reports.models import Report
from reports.review import report_review
from reports.services import report_submit
from tests.factories import MonitorFactory, ReviewerFactory

pytestmark = pytest.mark.django_db

QARDAHA = {"admin1": "SY06", "admin2": "SY0604"}


def submit(**data):
    data = {"time_precision": 1, "source_reliability": "B", "info_credibility": 2, **data}
    return report_submit(monitor=MonitorFactory(), report_id=uuid.uuid4(), data=data).report


def drain() -> None:
    while (result := reports_process(limit=50)).outcomes or result.failed:
        pass


def live() -> list[Incident]:
    return list(Incident.objects.filter(status__in=[IncidentStatus.UNVERIFIED, IncidentStatus.VERIFIED]))


def killed(low, high, scope="incident"):
    return {"kind": "killed", "group": "civilian", "low": low, "high": high, "scope": scope}


def qardaha_four_ways():
    matcher_model_forget()
    return [
        submit(
            category="killing",
            occurred_at="2025-03-08T10:00:00+02:00",
            **QARDAHA,
            place_name="Al-Qardaha",
            latitude="35.455000",
            longitude="36.061000",
            title="Gunmen killed dozens of civilians in Qardaha",
            narrative="I saw gunmen go from house to house in Qardaha on Saturday morning and shoot the men. "
            "At least 40 were killed in our neighbourhood.",
            language="en",
            casualties=[killed(40, 50)],
            perpetrator="armed group",
            source_type="eyewitness",
        ),
        submit(
            category="execution",
            occurred_at="2025-03-08T12:00:00+02:00",
            **QARDAHA,
            place_name="القرداحة",
            title="مقتل مدنيين في القرداحة",
            narrative="استقبل المستشفى الوطني في القرداحة جثث اثنين وخمسين مدنياً قتلوا بالرصاص يوم السبت.",
            language="ar",
            casualties=[killed(52, 52)],
            perpetrator="armed group",
            source_type="medical",
        ),
        submit(
            category="killing",
            occurred_at="2025-03-06T00:00:00+02:00",
            occurred_until="2025-03-12T23:59:00+02:00",
            time_precision=2,
            admin1="SY06",
            place_name="Qardaha",
            title="Massacre in Qardaha: more than 120 civilians killed this week",
            narrative="Reports on social media say more than 120 civilians were killed in Qardaha this week; "
            "more than 1,000 people have been killed on the coast since Thursday.",
            language="en",
            casualties=[killed(120, 140), killed(1000, 1000, scope="cumulative")],
            source_type="social_media",
            source_reliability="D",
            info_credibility=4,
        ),
        submit(
            category="killing",
            occurred_at="2025-03-08T09:00:00+02:00",
            **QARDAHA,
            place_name="Qurdaha",
            title="My brother and cousins were killed in Qardaha",
            narrative="My brother and two cousins were among the men shot by gunmen in Qardaha on 8 March. "
            "The families counted 45 dead in the town.",
            language="en",
            casualties=[killed(45, 45)],
            source_type="relative",
        ),
    ]


def test_the_qardaha_massacre_told_four_ways_is_one_incident_counted_once():
    reports = qardaha_four_ways()
    drain()
    eyewitness, hospital, post, relative = (Report.objects.get(pk=r.pk) for r in reports)
    # The three dated accounts (two languages, two category names, 40–52 killed) are one incident by themselves.
    assert eyewitness.incident_id == hospital.incident_id == relative.incident_id
    # The post dated only to the week, with a toll three times higher, is not merged on the matcher's word
    # (a week's count in a town may sum several events): it is put to a reviewer beside the incident.
    assert post.incident_id != eyewitness.incident_id
    candidate = DuplicateCandidate.objects.get(report=post, incident_id=eyewitness.incident_id, decision="pending")
    reviewer = ReviewerFactory()
    candidate_accept(candidate=candidate, by=reviewer, note="The post's week includes the 8th; same town.")
    drain()
    for report in reports:
        report.refresh_from_db()
        report_review(report=report, reviewer=reviewer, decision="verify")
    drain()
    incidents = live()
    homes = {r.pk: str(Report.objects.get(pk=r.pk).incident_id) for r in reports}
    assert len(incidents) == 1, f"one massacre, {len(incidents)} incidents: {homes}"
    [incident] = incidents
    assert incident.status == IncidentStatus.VERIFIED and incident.report_count == 4
    figure = incident.casualties.get(kind="killed", group="civilian")
    # The rule (docs/invariants.md): low is the highest credible floor, high the highest credible ceiling,
    # best between them; the running total is never one of them.
    assert 40 <= figure.low <= figure.best <= figure.high <= 140
    assert figure.high < 1000
    # Counted once in the partner's aggregates, and the incremental aggregates equal a rebuild.
    assert aggregates_snapshot() == compute_all()
    rows = DailyAggregate.objects.filter(admin1_id="SY06", verified=True)
    assert sum(row.incidents for row in rows) == 1
    assert sum(row.killed_best for row in rows) == figure.best


@pytest.mark.parametrize("event", ["jableh_arson", "latakia_outage"])
def test_other_seed_events_told_in_both_languages_are_one_incident_each(event):
    matcher_model_forget()
    if event == "jableh_arson":
        common = {"category": "arson", "admin1": "SY06", "admin2": "SY0602", "source_type": "eyewitness"}
        submit(
            **common,
            occurred_at="2025-03-09T21:00:00+02:00",
            place_name="Jableh",
            title="Alawite homes looted and set on fire in Jableh",
            narrative="Residents in hiding said homes of Alawite families in Jableh were looted and burned at night.",
            language="en",
        )
        submit(
            **common,
            occurred_at="2025-03-09T23:00:00+02:00",
            place_name="جبلة",
            title="نهب منازل وإحراقها في جبلة",
            narrative="قال سكان مختبئون إن منازل عائلات علوية في جبلة نُهبت وأُحرقت ليلاً.",
            language="ar",
        )
    else:
        common = {"category": "water_outage", "admin1": "SY06", "admin2": "SY0600", "source_type": "local_official"}
        submit(
            **common,
            occurred_at="2025-03-07T08:00:00+02:00",
            place_name="Latakia",
            title="Drinking water cut in Latakia",
            narrative="The water station supplying Latakia stopped after the clashes.",
            service="water",
            language="en",
        )
        submit(
            **common,
            occurred_at="2025-03-07T11:00:00+02:00",
            place_name="اللاذقية",
            title="انقطاع مياه الشرب في اللاذقية",
            narrative="توقفت محطة المياه التي تغذي اللاذقية بعد الاشتباكات.",
            service="water",
            language="ar",
        )
    drain()
    assert len(live()) == 1
    assert aggregates_snapshot() == compute_all()
