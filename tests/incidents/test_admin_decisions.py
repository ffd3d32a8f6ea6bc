"""Reviewers' decisions on incidents from the admin pages, through incidents.services.

Merging and splitting keep the figures and the daily aggregates right: each
live incident counted once, with its own reconciled figures.
"""

from datetime import UTC, datetime

import pytest
from django.db.models import Sum
from django.test import TestCase
from django.urls import reverse

from incidents.models import DailyAggregate, DuplicateCandidate, Incident, IncidentCasualty, IncidentStatus
from reports.choices import ReportStatus
from reports.review import report_review
from tests.factories import IncidentFactory, ReportCasualtyFactory, ReportFactory, ReviewerFactory

pytestmark = pytest.mark.django_db
AT = datetime(2025, 3, 7, 6, 0, tzinfo=UTC)


def decide(client, incident, **data):
    return client.post(reverse("admin:incidents_incident_decide", args=[incident.pk]), data, follow=True)


def verify(report, reviewer) -> None:
    """Verify through the review service and run what it hands the pipeline after commit (eager tasks)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        report_review(report=report, reviewer=reviewer, decision="verify")


def incident_with_report(title: str, *, low: int, high: int, reviewer) -> tuple[Incident, object]:
    incident = IncidentFactory(title=title, occurred_from=AT)
    report = ReportFactory(title=title, incident=incident, occurred_at=AT, source_reliability="B", info_credibility=2)
    ReportCasualtyFactory(report=report, low=low, high=high)
    verify(report, reviewer)
    return incident, report


def killed(incident: Incident) -> tuple[int, int, int]:
    row = IncidentCasualty.objects.get(incident=incident, kind="killed", group="civilian")
    return row.low, row.best, row.high


def aggregate_totals() -> dict:
    return DailyAggregate.objects.filter(verified=True).aggregate(
        incidents=Sum("incidents"), low=Sum("killed_low"), best=Sum("killed_best"), high=Sum("killed_high")
    )


def test_accepting_a_candidate_puts_the_report_in_the_incident_and_rejecting_never_suggests_it_again(admin_login):
    reviewer = ReviewerFactory()
    client = admin_login(reviewer)
    report = ReportFactory(occurred_at=AT)
    accepted = DuplicateCandidate.objects.create(report=report, incident=IncidentFactory(), score=0.9, reasons={})
    other_report = ReportFactory(occurred_at=AT)
    rejected = DuplicateCandidate.objects.create(report=other_report, incident=IncidentFactory(), score=0.6, reasons={})
    url = reverse("admin:reports_report_candidate", args=[report.pk, accepted.pk])
    client.post(url, {"step": "accept"})
    client.post(reverse("admin:reports_report_candidate", args=[other_report.pk, rejected.pk]), {"step": "reject"})
    accepted.refresh_from_db()
    rejected.refresh_from_db()
    report.refresh_from_db()
    other_report.refresh_from_db()
    assert (accepted.decision, accepted.decided_by) == ("accepted", reviewer)
    assert report.incident_id == accepted.incident_id and report.incident_pinned
    assert (rejected.decision, rejected.decided_by) == ("rejected", reviewer)
    assert other_report.incident_id != rejected.incident_id


def test_a_candidate_of_another_report_is_not_found(admin_login):
    client = admin_login(ReviewerFactory())
    candidate = DuplicateCandidate.objects.create(
        report=ReportFactory(), incident=IncidentFactory(), score=0.9, reasons={}
    )
    response = client.post(
        reverse("admin:reports_report_candidate", args=[ReportFactory().pk, candidate.pk]), {"step": "accept"}
    )
    assert response.status_code == 404
    candidate.refresh_from_db()
    assert candidate.decision == "pending"


def test_moving_a_report_to_a_new_incident_and_back(admin_login):
    reviewer = ReviewerFactory()
    client = admin_login(reviewer)
    first, report = incident_with_report("Jableh", low=3, high=4, reviewer=reviewer)
    ReportFactory(incident=first, occurred_at=AT)
    nothing = client.post(reverse("admin:reports_report_move", args=[report.pk]), {"incident": ""}, follow=True)
    assert "Choose the incident to move the report to first." in nothing.text
    report.refresh_from_db()
    assert report.incident_id == first.pk
    client.post(reverse("admin:reports_report_move", args=[report.pk]), {"incident": "new", "note": "another street"})
    report.refresh_from_db()
    assert report.incident_id not in (None, first.pk)
    assert report.incident_pinned
    client.post(reverse("admin:reports_report_move", args=[report.pk]), {"incident": str(first.pk)})
    report.refresh_from_db()
    assert report.incident_id == first.pk
    refused = client.post(reverse("admin:reports_report_move", args=[report.pk]), {"incident": "nope"}, follow=True)
    assert "That incident does not exist (any more)." in refused.text


def test_overriding_best_needs_a_note_and_survives_in_the_figures(admin_login):
    reviewer = ReviewerFactory()
    client = admin_login(reviewer)
    incident, _report = incident_with_report("Qardaha ambush", low=10, high=20, reviewer=reviewer)
    refused = decide(client, incident, step="override", kind="killed", group="civilian", best="15", note="")
    assert "A note is required" in refused.text
    assert IncidentCasualty.objects.get(incident=incident).best_override is None
    decide(client, incident, step="override", kind="killed", group="civilian", best="15", note="Hospital list")
    row = IncidentCasualty.objects.get(incident=incident)
    assert (row.best, row.best_override, row.override_note, row.overridden_by) == (15, 15, "Hospital list", reviewer)
    assert aggregate_totals()["best"] == 15


def test_merging_counts_the_event_once_with_the_reconciled_figures(admin_login):
    reviewer = ReviewerFactory()
    client = admin_login(reviewer)
    kept, _ = incident_with_report("al-Qusour", low=10, high=12, reviewer=reviewer)
    absorbed, moved = incident_with_report("al-Qusour street", low=14, high=20, reviewer=reviewer)
    assert aggregate_totals()["incidents"] == 2
    decide(client, absorbed, step="merge", into=str(kept.pk), note="same event")
    kept.refresh_from_db()
    absorbed.refresh_from_db()
    moved.refresh_from_db()
    assert (absorbed.status, absorbed.merged_into_id) == (IncidentStatus.MERGED, kept.pk)
    assert moved.incident_id == kept.pk
    assert kept.report_count == 2
    assert not IncidentCasualty.objects.filter(incident=absorbed).exists()
    low, best, high = killed(kept)
    assert (low, high) == (10, 20)  # the lowest and the highest credible figures, never a sum
    totals = aggregate_totals()
    assert totals == {"incidents": 1, "low": low, "best": best, "high": high}
    assert absorbed.history.latest().history_user == reviewer


def test_splitting_gives_each_event_its_own_figures_and_aggregate_count(admin_login):
    reviewer = ReviewerFactory()
    client = admin_login(reviewer)
    incident, _first = incident_with_report("Baniyas", low=5, high=6, reviewer=reviewer)
    second = ReportFactory(incident=incident, occurred_at=AT, source_reliability="B", info_credibility=2)
    ReportCasualtyFactory(report=second, low=30, high=40)
    verify(second, reviewer)
    response = decide(client, incident, step="split", report_ids=[str(second.pk)], note="another village")
    second.refresh_from_db()
    assert second.incident_id != incident.pk
    new = second.incident
    assert response.request["PATH_INFO"] == reverse("admin:incidents_incident_change", args=[new.pk])
    assert killed(incident)[0::2] == (5, 6)
    assert killed(new)[0::2] == (30, 40)
    totals = aggregate_totals()
    assert totals["incidents"] == 2
    assert totals["low"] == 35 and totals["high"] == 46


def test_splitting_every_report_out_is_refused(admin_login):
    reviewer = ReviewerFactory()
    client = admin_login(reviewer)
    incident, report = incident_with_report("Latakia", low=1, high=1, reviewer=reviewer)
    refused = decide(client, incident, step="split", report_ids=[str(report.pk)])
    assert "At least one report must stay" in refused.text
    report.refresh_from_db()
    assert report.incident_id == incident.pk


def test_withdrawing_needs_a_reason_and_takes_the_incident_out_of_the_aggregates(admin_login):
    reviewer = ReviewerFactory()
    client = admin_login(reviewer)
    incident, _report = incident_with_report("Rumour", low=2, high=3, reviewer=reviewer)
    decide(client, incident, step="withdraw", note="")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.VERIFIED
    decide(client, incident, step="withdraw", note="Staged video")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.WITHDRAWN
    assert not aggregate_totals()["incidents"]
    page = client.get(reverse("admin:incidents_incident_change", args=[incident.pk]))
    assert 'id="merge-form"' not in page.text  # a withdrawn incident takes no more decisions


def test_verifying_an_incident_from_its_page(admin_login):
    reviewer = ReviewerFactory()
    client = admin_login(reviewer)
    incident = IncidentFactory()
    ReportFactory(incident=incident, status=ReportStatus.SUBMITTED)
    decide(client, incident, step="verify")
    incident.refresh_from_db()
    assert (incident.status, incident.verified_by) == (IncidentStatus.VERIFIED, reviewer)


def test_the_candidate_list_puts_first_the_pending_pairs_the_matcher_is_least_sure_of(admin_login):
    """Active learning: a reviewer's answer to a pair near 0.5 teaches the next calibration most."""
    reviewer = ReviewerFactory()
    incident = IncidentFactory()
    scores = {"sure": 0.97, "unsure": 0.52, "fairly": 0.75, "decided": 0.5}
    made = {}
    for name, score in scores.items():
        made[name] = DuplicateCandidate.objects.create(report=ReportFactory(), incident=incident, score=score)
    DuplicateCandidate.objects.filter(pk=made["decided"].pk).update(
        decision="rejected", decided_by=reviewer, decided_at=datetime(2025, 3, 9, tzinfo=UTC)
    )
    page = admin_login(reviewer).get(reverse("admin:incidents_duplicatecandidate_changelist"))
    assert page.status_code == 200
    order = [c.pk for c in page.context["cl"].result_list]
    assert order == [made["unsure"].pk, made["fairly"].pk, made["sure"].pk, made["decided"].pk]
