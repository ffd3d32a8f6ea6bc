"""The incident pages and the coordinators' registers in the admin."""

import pytest
from django.urls import reverse

from incidents.api_keys import hash_key
from incidents.models import ApiKey, DuplicateCandidate, IncidentStatus
from reports.models import User
from tests.factories import (
    CoordinatorFactory,
    IncidentCasualtyFactory,
    IncidentFactory,
    PartnerOrganisationFactory,
    ReportFactory,
    ReviewerFactory,
    area,
)

pytestmark = pytest.mark.django_db
INCIDENTS = "/admin/incidents/incident/"


def listed(client, query=""):
    response = client.get(INCIDENTS + query)
    assert response.status_code == 200
    return {incident.title for incident in response.context["cl"].result_list}


def test_the_incident_list_filters_like_the_queue(admin_login):
    client = admin_login(ReviewerFactory())
    IncidentFactory(title="Jableh killings")
    tartous = IncidentFactory(title="Tartous water cut", admin1=area("SY10"), admin2=area("SY1000"))
    IncidentFactory(title="Withdrawn rumour", status=IncidentStatus.WITHDRAWN)
    DuplicateCandidate.objects.create(report=ReportFactory(), incident=tartous, score=0.6, reasons={})
    assert listed(client, "?admin1__pcode__exact=SY10") == {"Tartous water cut"}
    assert listed(client, "?state=withdrawn") == {"Withdrawn rumour"}
    assert "Withdrawn rumour" not in listed(client)  # tombstones only when asked for
    assert "Withdrawn rumour" in listed(client, "?state=all")
    assert listed(client, "?candidates=yes") == {"Tartous water cut"}
    assert listed(client, "?q=Jableh") == {"Jableh killings"}


def test_the_incident_page_shows_its_reports_and_reconciled_figures(admin_login):
    client = admin_login(ReviewerFactory())
    incident = IncidentFactory(title="Baniyas executions")
    IncidentCasualtyFactory(incident=incident, low=40, best=52, high=70, method="median of 3 credible sources")
    ReportFactory(incident=incident, title="Eyewitness in al-Qusour")
    page = client.get(reverse("admin:incidents_incident_change", args=[incident.pk]))
    assert page.status_code == 200
    for shown in ("Baniyas executions", "Eyewitness in al-Qusour", "median of 3 credible sources", ">52<"):
        assert shown in page.text, shown
    assert 'name="status"' not in page.text


def test_editing_an_incidents_summary_is_in_its_history_with_who(admin_login):
    reviewer = ReviewerFactory()
    client = admin_login(reviewer)
    incident = IncidentFactory(title="Old title")
    response = client.post(
        reverse("admin:incidents_incident_change", args=[incident.pk]),
        {
            "title": "Killings in Jableh, 7 March",
            "summary": "At least 12 civilians.",
            "perpetrator": "",
            "casualties-TOTAL_FORMS": "0",
            "casualties-INITIAL_FORMS": "0",
            "reports-TOTAL_FORMS": "0",
            "reports-INITIAL_FORMS": "0",
            "status": "withdrawn",
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.title == "Killings in Jableh, 7 March"
    assert incident.status == IncidentStatus.UNVERIFIED  # not a field of the form
    latest = incident.history.latest()
    assert latest.history_user == reviewer
    assert "title" in latest.history_change_reason


def test_issuing_a_partner_key_shows_it_once_and_keeps_only_its_hash(admin_login):
    coordinator = CoordinatorFactory()
    client = admin_login(coordinator)
    partner = PartnerOrganisationFactory()
    response = client.post(
        reverse("admin:incidents_apikey_add"),
        {"name": "HDX sync", "organisation": partner.pk, "scopes": ["incidents:read", "aggregates:read"]},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = response.context["issued"].key
    assert key in response.text
    stored = ApiKey.objects.get(organisation=partner)
    assert stored.hashed_key == hash_key(key)
    assert stored.created_by == coordinator
    listing = client.get(reverse("admin:incidents_apikey_changelist"))
    assert key not in listing.text
    assert stored.prefix in listing.text


def test_a_partner_key_with_a_write_scope_is_refused_naming_the_field(admin_login):
    client = admin_login(CoordinatorFactory())
    partner = PartnerOrganisationFactory()
    response = client.post(
        reverse("admin:incidents_apikey_add"),
        {"name": "too much", "organisation": partner.pk, "scopes": ["reports:write"]},
    )
    assert "reads verified data only" in response.text
    assert not ApiKey.objects.exists()


def test_revoking_keys_from_the_list(admin_login):
    client = admin_login(CoordinatorFactory())
    client.post(
        reverse("admin:incidents_apikey_add"),
        {"name": "k", "organisation": PartnerOrganisationFactory().pk, "scopes": ["incidents:read"]},
    )
    stored = ApiKey.objects.get()
    client.post(
        reverse("admin:incidents_apikey_changelist"), {"action": "revoke_selected", "_selected_action": [stored.pk]}
    )
    stored.refresh_from_db()
    assert stored.revoked_at is not None


def test_a_coordinator_creates_a_reviewer_whose_role_is_the_group(admin_login):
    client = admin_login(CoordinatorFactory())
    response = client.post(
        reverse("admin:reports_user_add"),
        {
            "username": "hala",
            "role": "reviewer",
            "email": "",
            "password1": "a-long-passphrase-2025",
            "password2": "a-long-passphrase-2025",
        },
    )
    assert response.status_code == 302, response.content
    hala = User.objects.get(username="hala")
    assert hala.roles == {"reviewer"}
    assert hala.is_reviewer
    assert hala.is_staff
    change = client.post(
        reverse("admin:reports_user_change", args=[hala.pk]),
        {
            "username": "hala",
            "role": "monitor",
            "first_name": "",
            "last_name": "",
            "email": "",
            "time_zone": "Asia/Damascus",
            "preferred_language": "",
            "is_active": "on",
        },
    )
    assert change.status_code == 302, change.content
    hala = User.objects.get(username="hala")
    assert hala.roles == {"monitor"}
    assert not hala.is_staff


def test_the_incident_list_runs_the_same_number_of_queries_for_3_or_30_incidents(admin_login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = admin_login(ReviewerFactory())

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(INCIDENTS).status_code == 200
        return len(queries)

    IncidentFactory.create_batch(3)
    few = count()
    IncidentFactory.create_batch(27, admin1=area("SY10"), admin2=area("SY1002"))
    assert count() == few


def test_an_incident_cannot_be_reverted_from_its_history(admin_login):
    client = admin_login(ReviewerFactory())
    incident = IncidentFactory(title="Before")
    historic = incident.history.earliest()
    incident.status = IncidentStatus.WITHDRAWN
    incident.save()
    url = reverse("admin:incidents_incident_simple_history", args=[incident.pk, historic.history_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "Before"}).status_code == 403
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.WITHDRAWN
