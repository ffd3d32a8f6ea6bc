"""What partners read of an incident: never an unverified report's words, never undoing a reviewer (invariants 5, 6)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from incidents.api_keys import api_key_issue
from incidents.models import DuplicateCandidate, Incident, IncidentStatus, MatchDecision
from incidents.services import (
    IncidentActionError,
    candidate_accept,
    incident_edit_public_text,
    incident_merge,
    incident_override_best,
    incident_verify,
)
from incidents.services.processing import report_hand_back
from reports.choices import HandBack, ProcessingState, ReportStatus
from reports.models import Report
from tests.api.conftest import keyed_client
from tests.factories import MonitorFactory, PartnerOrganisationFactory, ReviewerFactory, area
from tests.incidents.conftest import jableh_report, process, reload

pytestmark = pytest.mark.django_db

WITNESS_TITLE = "Abu Khaled (who hides at the mill) saw eight men executed in Jableh"


def partner_client():
    key = api_key_issue(name="sync", scopes=["incidents:read"], organisation=PartnerOrganisationFactory())
    return keyed_client(key.key)


def verified(report: Report, reviewer) -> Report:
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.VERIFIED,
        reviewed_by=reviewer,
        reviewed_at=report.received_at,
        processing_state=ProcessingState.PENDING,
    )
    return reload(report)


def unverified_witness_and_verified_report(reviewer):
    """Report A (unverified) names a witness and his hiding place; report B of the same event is verified."""
    witness = jableh_report(
        title=WITNESS_TITLE,
        place_name="the old mill of al-Qusour",
        latitude=Decimal("35.362000"),
        longitude=Decimal("35.926000"),
        perpetrator="Abu Khaled's neighbours",
    )
    assert process(witness) == "new"
    careful = jableh_report(
        minutes=10,
        monitor=MonitorFactory(),
        place_name="Jableh",
        latitude=Decimal("35.361100"),
        longitude=Decimal("35.925600"),
    )
    assert process(careful) == "join"
    careful = verified(careful, reviewer)
    process(careful)
    incident = reload(careful).incident
    assert reload(witness).incident == incident and incident.status == IncidentStatus.VERIFIED
    return witness, careful, incident


# --- 1. the published fields come from verified reports only -----------------------------------


def test_partners_never_read_the_title_or_place_of_an_unverified_report_of_a_verified_incident():
    reviewer = ReviewerFactory()
    _witness, careful, incident = unverified_witness_and_verified_report(reviewer)
    response = partner_client().get(f"/api/v1/incidents/{incident.pk}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == careful.title
    assert body["place_name"] == "Jableh"
    assert (body["latitude"], body["longitude"]) == (35.3611, 35.9256)
    for leaked in ("Abu Khaled", "mill", "Qusour"):
        assert leaked not in response.content.decode(), leaked
    incident = reload(incident)
    assert incident.perpetrator == "armed group"  # B's, not A's
    # Counted like the figures: only the verified report once there is one.
    assert (incident.report_count, incident.source_count) == (1, 1)
    assert incident.casualties.get().method.count("verified") >= 1


def test_an_unverified_report_joining_a_verified_incident_changes_nothing_partners_read():
    reviewer = ReviewerFactory()
    careful = verified(jableh_report(), reviewer)
    process(careful)
    incident = reload(careful).incident
    before = partner_client().get(f"/api/v1/incidents/{incident.pk}/").json()
    witness = jableh_report(
        minutes=-30, title=WITNESS_TITLE, place_name="the old mill of al-Qusour", monitor=MonitorFactory()
    )
    assert process(witness) == "join"
    after = partner_client().get(f"/api/v1/incidents/{incident.pk}/").json()
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }


def test_before_any_report_is_verified_the_incident_follows_all_its_reports():
    first = jableh_report(title="First account")
    process(first)
    second = jableh_report(minutes=10, monitor=MonitorFactory())
    process(second)
    incident = reload(first).incident
    assert incident.title == "First account" and incident.report_count == 2 and incident.source_count == 2


# --- 2. a reviewer's words are never overwritten --------------------------------------------------


def test_a_title_a_reviewer_redacted_stays_redacted_when_another_report_joins():
    reviewer = ReviewerFactory()
    witness = jableh_report(title=WITNESS_TITLE)
    process(witness)
    incident = reload(witness).incident
    assert incident.title == WITNESS_TITLE
    incident_edit_public_text(
        incident=incident,
        by=reviewer,
        title="Eight men executed in Jableh",
        summary="Eight civilians shot at dawn.",
        perpetrator="",
    )
    incident = reload(incident)
    assert incident.title_by_reviewer and incident.perpetrator_by_reviewer
    latest = incident.history.latest()
    assert latest.history_user == reviewer and "title" in latest.history_change_reason

    third = jableh_report(minutes=20, monitor=MonitorFactory(), title=WITNESS_TITLE, perpetrator="the mill gang")
    assert process(third) == "join"
    Report.objects.filter(pk=witness.pk).update(processing_state=ProcessingState.PENDING)
    process(witness)
    incident = reload(incident)
    assert incident.report_count == 2
    assert incident.title == "Eight men executed in Jableh"
    assert incident.summary == "Eight civilians shot at dawn." and incident.perpetrator == ""


def test_only_the_fields_a_reviewer_changed_are_kept_from_the_pipeline():
    reviewer = ReviewerFactory()
    witness = jableh_report(title=WITNESS_TITLE)
    process(witness)
    incident = reload(witness).incident
    incident_edit_public_text(
        incident=incident, by=reviewer, title=incident.title, summary="Shootings.", perpetrator=incident.perpetrator
    )
    incident = reload(incident)
    assert not incident.title_by_reviewer and not incident.perpetrator_by_reviewer
    # The title the reviewer did not touch still follows the reports: a verified one replaces the witness's.
    careful = verified(jableh_report(minutes=10, monitor=MonitorFactory()), reviewer)
    process(careful)
    assert reload(incident).title == careful.title


def test_editing_the_public_text_is_refused_to_non_reviewers_and_bad_input_names_the_field():
    incident = jableh_report()
    process(incident)
    incident = reload(incident).incident
    with pytest.raises(IncidentActionError) as error:
        incident_edit_public_text(incident=incident, by=MonitorFactory(), title="x", summary="", perpetrator="")
    assert error.value.status == 403
    with pytest.raises(IncidentActionError) as error:
        incident_edit_public_text(incident=incident, by=ReviewerFactory(), title="  ", summary="", perpetrator="")
    assert (error.value.status, error.value.field) == (400, "title")
    with pytest.raises(IncidentActionError) as error:
        incident_edit_public_text(incident=incident, by=ReviewerFactory(), title="t", summary="", perpetrator="p" * 301)
    assert (error.value.status, error.value.field) == (400, "perpetrator")
    assert reload(incident).title == incident.title and not reload(incident).title_by_reviewer


def test_a_title_redacted_in_the_admin_survives_the_pipeline(admin_login):
    reviewer = ReviewerFactory()
    client = admin_login(reviewer)
    witness = jableh_report(title=WITNESS_TITLE)
    process(witness)
    incident = reload(witness).incident
    response = client.post(
        reverse("admin:incidents_incident_change", args=[incident.pk]),
        {
            "title": "Eight men executed in Jableh",
            "summary": "",
            "perpetrator": "armed group",
            "casualties-TOTAL_FORMS": "0",
            "casualties-INITIAL_FORMS": "0",
            "reports-TOTAL_FORMS": "0",
            "reports-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    incident = reload(incident)
    assert incident.title_by_reviewer and not incident.perpetrator_by_reviewer
    assert incident.history.latest().history_user == reviewer
    process(jableh_report(minutes=20, monitor=MonitorFactory(), title=WITNESS_TITLE))
    assert reload(incident).title == "Eight men executed in Jableh"


def test_a_merge_keeps_the_title_a_reviewer_redacted_on_the_absorbed_incident():
    reviewer = ReviewerFactory()
    witness = verified(jableh_report(title=WITNESS_TITLE), reviewer)
    process(witness)
    absorbed = reload(witness).incident
    incident_edit_public_text(
        incident=absorbed, by=reviewer, title="Eight men executed in Jableh", summary="", perpetrator="armed group"
    )
    target_report = verified(banyas_report(), reviewer)
    process(target_report)
    target = reload(target_report).incident
    survivor_title = target.title
    merged = incident_merge(target=target, absorbed=absorbed, by=reviewer, note="one event")
    merged = reload(merged)
    # The survivor keeps its own title (issue 15), marked as the reviewer's: the witness's raw title, which the
    # reviewer took out of the absorbed incident, can never come back by recomputation.
    assert merged.title == survivor_title and merged.title_by_reviewer
    process(jableh_report(minutes=20, monitor=MonitorFactory(), title=WITNESS_TITLE))
    assert reload(merged).title == survivor_title
    assert WITNESS_TITLE not in partner_client().get(f"/api/v1/incidents/{merged.pk}/").content.decode()


# --- 3. the pipeline never retires an incident a reviewer decided on ------------------------------


def amend_to_jableh(report: Report) -> None:
    """The monitor answers a question: it was Jableh after all (the same steps as `report_amend` leaves)."""
    Report.objects.filter(pk=report.pk).update(
        admin1=area("SY06"),
        admin2=area("SY0602"),
        place_name="Jableh",
        latitude=Decimal("35.361100"),
        longitude=Decimal("35.925600"),
        title="Eight men executed in Jableh",
        narrative="Gunmen took eight men from their homes in Jableh at dawn and shot them.",
        status=ReportStatus.IN_REVIEW,
    )
    report_hand_back(report_id=report.pk, reason=HandBack.AMENDED)


def banyas_report() -> Report:
    return jableh_report(
        admin1=area("SY10"),
        admin2=area("SY1002"),
        place_name="Banyas",
        latitude=None,
        longitude=None,
        title="Men shot in Banyas",
        narrative="Men were shot in Banyas.",
        monitor=MonitorFactory(),
    )


def test_an_amendment_never_turns_a_verified_incident_into_a_tombstone():
    reviewer = ReviewerFactory()
    unverified_elsewhere = jableh_report()
    process(unverified_elsewhere)
    other = reload(unverified_elsewhere).incident
    lonely = banyas_report()
    process(lonely)
    verified_incident = reload(lonely).incident
    assert verified_incident != other
    incident_verify(incident=verified_incident, by=reviewer, note="confirmed by phone")
    Report.objects.filter(pk=lonely.pk).update(status=ReportStatus.NEEDS_INFO)
    amend_to_jableh(lonely)

    assert process(lonely) == "candidate"
    verified_incident = reload(verified_incident)
    assert verified_incident.status == IncidentStatus.VERIFIED and verified_incident.merged_into is None
    assert reload(lonely).incident == verified_incident and reload(other).status == IncidentStatus.UNVERIFIED
    candidate = DuplicateCandidate.objects.get(report=lonely)
    assert candidate.incident == other and candidate.decision == DuplicateCandidate.Decision.PENDING
    assert MatchDecision.objects.filter(report=lonely).latest("decided_at").outcome == "candidate"
    response = partner_client().get(f"/api/v1/incidents/{verified_incident.pk}/")
    assert response.status_code == 200 and response.json()["status"] == "verified"

    # Processing it again keeps it there; the reviewer decides.
    Report.objects.filter(pk=lonely.pk).update(processing_state=ProcessingState.PENDING)
    assert process(lonely) == "kept"
    assert reload(verified_incident).status == IncidentStatus.VERIFIED


def test_an_amendment_never_retires_an_incident_with_an_override():
    reviewer = ReviewerFactory()
    process(jableh_report())
    lonely = banyas_report()
    process(lonely)
    overridden = reload(lonely).incident
    incident_override_best(
        incident=overridden, kind="killed", group="civilian", best=9, note="morgue list", by=reviewer
    )
    Report.objects.filter(pk=lonely.pk).update(status=ReportStatus.NEEDS_INFO)
    amend_to_jableh(lonely)
    assert process(lonely) == "candidate"
    overridden = reload(overridden)
    assert overridden.status == IncidentStatus.UNVERIFIED and overridden.casualties.get().best == 9


def test_when_the_reviewer_accepts_the_candidate_the_tombstone_points_at_an_incident_partners_see():
    reviewer = ReviewerFactory()
    process(jableh_report())
    lonely = banyas_report()
    process(lonely)
    verified_incident = reload(lonely).incident
    incident_verify(incident=verified_incident, by=reviewer)
    incident_override_best(
        incident=verified_incident, kind="killed", group="civilian", best=9, note="morgue list", by=reviewer
    )
    Report.objects.filter(pk=lonely.pk).update(status=ReportStatus.NEEDS_INFO)
    amend_to_jableh(lonely)
    process(lonely)
    candidate_accept(candidate=DuplicateCandidate.objects.get(report=lonely), by=reviewer)

    tombstone = reload(verified_incident)
    target = tombstone.merged_into
    assert tombstone.status == IncidentStatus.MERGED and target is not None
    # The reviewer's verification and override went with the report, as in a merge.
    assert target.status == IncidentStatus.VERIFIED
    assert target.casualties.get().best_override == 9
    assert partner_client().get(f"/api/v1/incidents/{target.pk}/").status_code == 200
    assert Incident.objects.filter(status=IncidentStatus.VERIFIED).count() == 1
