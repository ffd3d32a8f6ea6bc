"""Load the demo register (demo/coast_2025.json) through the services people's actions go through.

The file holds the scenario as data: the demo's organisations and accounts,
and seventeen events of Syria's coast, 6–10 March 2025, each with the reports
(in English and in Arabic) that monitors filed about it, as the submission a
monitor's app would send. Loading it makes the accounts with `user_create`,
the partner's key with `api_key_issue`, submits every report with
`report_submit` and has the demo reviewer verify the first reports of a few
events with `report_review`, so that partners see data at once.

Every report has a fixed id (a UUID5 of its event and position), existing
accounts and the key are found again, and a replayed submission is recognised:
loading twice changes nothing.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction

from incidents.api_keys import api_key_find, api_key_issue
from reports.accounts import organisation_ensure, user_create
from reports.choices import ReportStatus
from reports.models import Organisation, Report, User
from reports.review import report_review
from reports.services import report_submit

SCENARIO_FILE = Path(__file__).with_name("coast_2025.json")
DEMO_PASSWORD = "sijil-demo-2025"  # noqa: S105 — local demo only; seed_demo refuses to run in production
# A published key for the local demo's partner, so the API can be tried at once (api_key_issue refuses it in
# production).
DEMO_PARTNER_KEY = "sjl_dem0c0a5_local-demo-partner-key-never-use-in-production"
# The fields of a report in the file that are times (ISO 8601 with their offset).
TIME_FIELDS = ("occurred_at", "outage_restored_at")


@dataclass(frozen=True)
class DemoEvent:
    key: str
    category: str
    admin1: str
    admin2: str | None
    verified_reports: int  # how many of its first reports the demo reviewer has verified
    reports: tuple[dict[str, Any], ...]  # each: "monitor" (a username) and the fields of the submission


@dataclass(frozen=True)
class Scenario:
    report_id_namespace: uuid.UUID
    monitoring_organisation: str
    partner_organisation: str
    partner_key_name: str
    partner_key_scopes: tuple[str, ...]
    users: tuple[tuple[str, str], ...]  # (username, role)
    reviewer: str
    review_note: str
    events: tuple[DemoEvent, ...]

    def report_id(self, event: DemoEvent, position: int) -> uuid.UUID:
        return uuid.uuid5(self.report_id_namespace, f"{event.key}/{position}")

    def submission(self, event: DemoEvent, report: dict[str, Any]) -> dict[str, Any]:
        """The body `report_submit` receives for this report: the event's fields and the report's, times parsed."""
        data: dict[str, Any] = {"category": event.category, "admin1": event.admin1, "admin2": event.admin2}
        data.update((name, value) for name, value in report.items() if name != "monitor")
        for name in TIME_FIELDS:
            if data.get(name) is not None:
                data[name] = datetime.fromisoformat(data[name])
        return data


@cache
def scenario(path: Path = SCENARIO_FILE) -> Scenario:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Scenario(
        report_id_namespace=uuid.UUID(raw["report_id_namespace"]),
        monitoring_organisation=raw["organisations"]["monitoring"],
        partner_organisation=raw["organisations"]["partner"],
        partner_key_name=raw["partner_key"]["name"],
        partner_key_scopes=tuple(raw["partner_key"]["scopes"]),
        users=tuple((row["username"], row["role"]) for row in raw["users"]),
        reviewer=raw["reviewer"],
        review_note=raw["review_note"],
        events=tuple(
            DemoEvent(
                key=event["key"],
                category=event["category"],
                admin1=event["admin1"],
                admin2=event["admin2"],
                verified_reports=event["verified_reports"],
                reports=tuple(event["reports"]),
            )
            for event in raw["events"]
        ),
    )


@dataclass
class SeedOutcome:
    users_created: list[str]
    reports_created: int
    reports_existing: int


def seed_demo(demo: Scenario | None = None) -> SeedOutcome:
    """Make the demo's accounts and partner key, submit its reports, and verify the first of a few events."""
    demo = demo or scenario()
    users_created = []
    with transaction.atomic():
        monitoring = organisation_ensure(name=demo.monitoring_organisation)
        partner = organisation_ensure(name=demo.partner_organisation, kind=Organisation.Kind.PARTNER)
        if api_key_find(key=DEMO_PARTNER_KEY) is None:
            api_key_issue(
                name=demo.partner_key_name,
                scopes=list(demo.partner_key_scopes),
                organisation=partner,
                key=DEMO_PARTNER_KEY,
            )
        users = {}
        for username, role in demo.users:
            # Found again in any case, as user_create would refuse the name.
            user = User.objects.filter(username__iexact=username).first()
            if user is None:
                user = user_create(
                    username=username, role=role, password=DEMO_PASSWORD, organisation=monitoring, by=None
                )
                users_created.append(username)
            users[username] = user

    created = existing = 0
    for event in demo.events:
        for position, report in enumerate(event.reports):
            result = report_submit(
                monitor=users[report["monitor"]],
                report_id=demo.report_id(event, position),
                data=demo.submission(event, report),
            )
            created += result.created
            existing += not result.created

    reviewer = users[demo.reviewer]
    for event in demo.events:
        for position in range(event.verified_reports):
            stored = Report.objects.get(pk=demo.report_id(event, position))
            if stored.status == ReportStatus.SUBMITTED:
                report_review(report=stored, reviewer=reviewer, decision="verify", note=demo.review_note)
    return SeedOutcome(users_created=users_created, reports_created=created, reports_existing=existing)
