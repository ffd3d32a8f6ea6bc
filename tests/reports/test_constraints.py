"""Each invariant the database holds: a bad row is refused by PostgreSQL itself.

Rows are written with `QuerySet.update()` or `bulk_create()` so that no Python
validation stands between the bad value and the database.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from incidents.models import ApiKey, DailyAggregate, DuplicateCandidate, Incident, IncidentCasualty
from reports.models import Area, Attachment, Category, Organisation, Report, ReportCasualty, ReviewDecision
from tests.factories import (
    IncidentFactory,
    ReportCasualtyFactory,
    ReportFactory,
    ReviewerFactory,
    area,
    category,
)

pytestmark = pytest.mark.django_db


def refused(queryset, constraint: str, **values) -> None:
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        queryset.update(**values)
    assert constraint in str(error.value)


REPORT_VIOLATIONS = [
    ("report_coordinates_both_or_neither", {"latitude": 35.1}),
    ("report_coordinates_in_range", {"latitude": 91, "longitude": 35}),
    ("report_coordinates_in_range", {"latitude": 35, "longitude": -181}),
    ("report_occurred_until_after_start", {"occurred_until": datetime(2025, 3, 1, tzinfo=UTC)}),
    ("report_restored_after_start", {"outage_restored_at": datetime(2025, 3, 1, tzinfo=UTC)}),
    ("report_time_precision_acled", {"time_precision": 4}),
    ("report_geo_precision_acled", {"geo_precision": 0}),
    ("report_source_type_valid", {"source_type": "rumour"}),
    ("report_reliability_admiralty", {"source_reliability": "G"}),
    ("report_credibility_admiralty", {"info_credibility": 7}),
    ("report_service_valid", {"service": "gas"}),
    ("report_status_valid", {"status": "approved"}),
    ("report_processing_state_valid", {"processing_state": "lost"}),
    ("report_processing_reason_valid", {"processing_reason": "whim"}),
    ("report_title_not_blank", {"title": ""}),
    ("report_submission_hash_sha256", {"submission_hash": "not-a-hash"}),
]


@pytest.mark.parametrize(("constraint", "values"), REPORT_VIOLATIONS, ids=[c for c, _ in REPORT_VIOLATIONS])
def test_the_database_refuses_a_bad_report(constraint, values):
    report = ReportFactory()
    refused(Report.objects.filter(pk=report.pk), constraint, **values)
    report.refresh_from_db()
    assert report.title.startswith("Report")  # what was stored is untouched


def test_the_database_refuses_a_second_report_with_the_same_client_id():
    report = ReportFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportFactory(id=report.id)
    assert Report.objects.count() == 1


CASUALTY_VIOLATIONS = [
    ("report_casualty_low_le_high", {"low": 6, "high": 5}),
    ("report_casualty_kind_valid", {"kind": "wounded"}),
    ("report_casualty_group_valid", {"group": "women"}),
    ("report_casualty_scope_valid", {"scope": "total"}),
]


@pytest.mark.parametrize(("constraint", "values"), CASUALTY_VIOLATIONS, ids=[c for c, _ in CASUALTY_VIOLATIONS])
def test_the_database_refuses_a_bad_casualty_figure(constraint, values):
    row = ReportCasualtyFactory()
    refused(ReportCasualty.objects.filter(pk=row.pk), constraint, **values)


def test_a_negative_casualty_count_is_refused():
    row = ReportCasualtyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportCasualty.objects.filter(pk=row.pk).update(low=-1)


def test_one_row_per_kind_group_and_scope_of_a_report():
    row = ReportCasualtyFactory()
    with pytest.raises(IntegrityError, match="report_casualty_unique_row"), transaction.atomic():
        ReportCasualtyFactory(report=row.report)
    ReportCasualtyFactory(report=row.report, scope="cumulative", low=100, high=1225)  # another scope is fine


INCIDENT_VIOLATIONS = [
    ("incident_status_valid", {"status": "closed"}),
    ("incident_merged_iff_merged_into", {"status": "merged"}),
    ("incident_occurred_to_after_from", {"occurred_to": datetime(2025, 3, 1, tzinfo=UTC)}),
    ("incident_coordinates_both_or_neither", {"longitude": 35.9}),
    ("incident_time_precision_acled", {"time_precision": 9}),
    ("incident_geo_precision_acled", {"geo_precision": 9}),
    ("incident_sources_le_reports", {"source_count": 2, "report_count": 1}),
]


@pytest.mark.parametrize(("constraint", "values"), INCIDENT_VIOLATIONS, ids=[c for c, _ in INCIDENT_VIOLATIONS])
def test_the_database_refuses_a_bad_incident(constraint, values):
    incident = IncidentFactory()
    refused(Incident.objects.filter(pk=incident.pk), constraint, **values)


def test_an_incident_cannot_be_merged_into_itself_and_merged_needs_a_target():
    incident, other = IncidentFactory(), IncidentFactory()
    refused(
        Incident.objects.filter(pk=incident.pk),
        "incident_not_merged_into_itself",
        status="merged",
        merged_into=incident,
    )
    refused(Incident.objects.filter(pk=incident.pk), "incident_merged_iff_merged_into", merged_into=other)
    Incident.objects.filter(pk=incident.pk).update(status="merged", merged_into=other)


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"low": 5, "best": 4, "high": 9}, "incident_casualty_low_le_best_le_high"),
        ({"low": 1, "best": 10, "high": 9}, "incident_casualty_low_le_best_le_high"),
        ({"low": 1, "best": 2, "high": 3, "best_override": 2}, "incident_casualty_override_has_note"),
        ({"low": 1, "best": 2, "high": 3, "kind": "dead"}, "incident_casualty_kind_valid"),
    ],
)
def test_the_database_refuses_a_bad_incident_estimate(values, constraint):
    incident = IncidentFactory()
    row = IncidentCasualty(incident=incident, kind="killed", group="civilian", method="test")
    for field, value in values.items():
        setattr(row, field, value)
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        IncidentCasualty.objects.bulk_create([row])


def test_duplicate_candidates_are_unique_per_pair_scored_0_to_1_and_decided_by_someone():
    report, incident = ReportFactory(), IncidentFactory()
    candidate = DuplicateCandidate.objects.create(report=report, incident=incident, score=0.7)
    with pytest.raises(IntegrityError, match="duplicate_candidate_unique_pair"), transaction.atomic():
        DuplicateCandidate.objects.create(report=report, incident=incident, score=0.7)
    queryset = DuplicateCandidate.objects.filter(pk=candidate.pk)
    refused(queryset, "duplicate_candidate_score_0_1", score=1.5)
    refused(queryset, "duplicate_candidate_decided_has_who", decision="rejected")
    queryset.update(decision="rejected", decided_by=ReviewerFactory(), decided_at=datetime.now(UTC))
    refused(queryset, "duplicate_candidate_decision_valid", decision="maybe")


def test_daily_aggregates_are_unique_per_key_even_without_a_district():
    key = {"date": "2025-03-07", "admin1": area("SY06"), "category": category("killing"), "verified": True}
    DailyAggregate.objects.create(**key)
    with pytest.raises(IntegrityError, match="daily_aggregate_unique_key_governorate"), transaction.atomic():
        DailyAggregate.objects.create(**key)
    DailyAggregate.objects.create(**key, admin2=area("SY0602"))
    with pytest.raises(IntegrityError, match="daily_aggregate_unique_key_district"), transaction.atomic():
        DailyAggregate.objects.create(**key, admin2=area("SY0602"))
    refused(DailyAggregate.objects.filter(admin2__isnull=True), "daily_aggregate_killed_ordered", killed_low=3)


def test_areas_keep_their_pcodes_levels_and_parents_straight():
    refused(Area.objects.filter(pcode="SY0602"), "area_parent_matches_level", parent=None)
    with pytest.raises(IntegrityError, match="area_pcode_format"), transaction.atomic():
        Area.objects.create(pcode="SY.02", level=1, name_en="Latakia", name_ar="", latitude=35, longitude=35)
    with pytest.raises(IntegrityError, match="area_pcode_format"), transaction.atomic():
        Area.objects.create(
            pcode="SY06", level=2, parent=area("SY06"), name_en="x", name_ar="", latitude=35, longitude=35
        )


def test_categories_keep_outage_and_service_together():
    refused(Category.objects.filter(slug="water_outage"), "category_outage_has_service", service="")
    refused(Category.objects.filter(slug="looting"), "category_outage_has_service", service="water")
    refused(Category.objects.filter(slug="looting"), "category_acled_subtype_needs_type", acled_event_type="")


def test_review_decisions_that_need_a_reason_must_have_one():
    report, reviewer = ReportFactory(), ReviewerFactory()
    for decision in ("reject", "needs_info"):
        with pytest.raises(IntegrityError, match=f"review_decision_{decision}_needs_note"), transaction.atomic():
            ReviewDecision.objects.create(
                report=report, actor=reviewer, decision=decision, from_status="in_review", to_status="rejected"
            )


def test_attachments_are_of_an_allowed_type_with_a_sha256():
    report = ReportFactory()
    attachment = Attachment.objects.create(
        report=report,
        uploaded_by=report.monitor,
        content_type="image/jpeg",
        size=10,
        sha256="a" * 64,
        original="x",
        stripped="y",
    )
    queryset = Attachment.objects.filter(pk=attachment.pk)
    refused(queryset, "attachment_content_type_allowed", content_type="image/gif")
    refused(queryset, "attachment_sha256_format", sha256="abc")
    refused(queryset, "attachment_size_positive", size=0)


def test_an_api_key_belongs_to_a_user_or_an_organisation_not_both():
    user = ReviewerFactory()
    organisation = Organisation.objects.create(name="Partner NGO", kind="partner")
    with pytest.raises(IntegrityError, match="api_key_user_xor_organisation"), transaction.atomic():
        ApiKey.objects.create(name="k", prefix="p1", hashed_key="b" * 64, user=user, organisation=organisation)
    with pytest.raises(IntegrityError, match="api_key_user_xor_organisation"), transaction.atomic():
        ApiKey.objects.create(name="k", prefix="p2", hashed_key="c" * 64)
    with pytest.raises(IntegrityError, match="api_key_hash_sha256"), transaction.atomic():
        ApiKey.objects.create(name="k", prefix="p3", hashed_key="plain", user=user)


def test_the_seeded_taxonomy_and_gazetteer_are_there():
    slugs = set(Category.objects.values_list("slug", flat=True))
    assert slugs == {
        "looting",
        "arson",
        "property_destruction",
        "killing",
        "execution",
        "injury",
        "abduction",
        "arbitrary_detention",
        "detainee_mistreatment",
        "armed_clash",
        "ambush",
        "shelling",
        "displacement",
        "electricity_outage",
        "water_outage",
        "telecom_outage",
    }
    assert category("execution").acled_event_type == "Violence against civilians"
    assert category("looting").acled_sub_event_type == "Looting/property destruction"
    assert category("ambush").acled_event_type == "Battles"
    assert category("water_outage").acled_event_type == "" and category("water_outage").is_outage
    assert Area.objects.filter(level=1).count() == 14
    assert set(Area.objects.filter(parent="SY06").values_list("pcode", flat=True)) == {
        "SY0600",
        "SY0602",
        "SY0603",
        "SY0604",
    }
    assert set(Area.objects.filter(parent="SY10").values_list("pcode", flat=True)) == {
        "SY1000",
        "SY1002",
        "SY1003",
        "SY1004",
        "SY1005",
        "SY1006",
    }
    assert not Area.objects.filter(pcode="SY0601").exists()


def test_report_time_window_may_be_open_or_ordered():
    report = ReportFactory()
    Report.objects.filter(pk=report.pk).update(occurred_until=report.occurred_at + timedelta(hours=3))
