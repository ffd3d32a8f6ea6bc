"""The management commands of the foundation: create_user and seed_demo (demo/loader.py)."""

import io

import pytest
from django.core.management import CommandError, call_command

from demo.loader import DEMO_PARTNER_KEY, DEMO_PASSWORD, scenario
from incidents.models import ApiKey, Incident
from reports.models import Report, ReportCasualty, User
from tests.factories import ReviewerFactory

pytestmark = pytest.mark.django_db

DEMO = scenario()
VERIFIED_EVENTS = [event.key for event in DEMO.events if event.verified_reports]


def test_create_user_takes_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("SIJIL_PASSWORD", "a-long-enough-passphrase")
    call_command("create_user", "huda", "--role", "reviewer", "--organisation", "Coast Network", stdout=io.StringIO())
    user = User.objects.get(username="huda")
    assert user.check_password("a-long-enough-passphrase")
    assert user.roles == {"reviewer"} and user.is_staff
    assert user.organisation.name == "Coast Network"


def test_create_user_gives_monitors_no_admin_access(monkeypatch):
    monkeypatch.setenv("SIJIL_PASSWORD", "a-long-enough-passphrase")
    call_command("create_user", "sami", "--role", "monitor", stdout=io.StringIO())
    assert not User.objects.get(username="sami").is_staff


def test_create_user_refuses_a_weak_password_and_a_taken_name(monkeypatch):
    monkeypatch.setenv("SIJIL_PASSWORD", "12345")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_user", "rana", "--role", "monitor", stdout=io.StringIO())
    monkeypatch.setenv("SIJIL_PASSWORD", "a-long-enough-passphrase")
    call_command("create_user", "rana", "--role", "monitor", stdout=io.StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_user", "RANA", "--role", "monitor", stdout=io.StringIO())


def test_create_user_has_no_password_argument():
    with pytest.raises(CommandError):
        call_command("create_user", "x", "--role", "monitor", "--password", "secret")


def test_seed_demo_builds_the_coast_scenario():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert Report.objects.count() == sum(len(event.reports) for event in DEMO.events) == 41
    assert Report.objects.values("monitor").distinct().count() >= 5
    assert set(Report.objects.values_list("admin1", flat=True)) == {"SY06", "SY10"}
    dates = {report.occurred_at.date().isoformat() for report in Report.objects.all()}
    assert min(dates) >= "2025-03-06" and max(dates) <= "2025-03-10"
    categories = set(Report.objects.values_list("category", flat=True))
    assert {"ambush", "looting", "arson", "execution", "electricity_outage", "water_outage"} <= categories
    assert ReportCasualty.objects.filter(scope="cumulative", low=1225).exists()
    printed = out.getvalue()
    for username, _role in DEMO.users:
        assert username in printed
    assert DEMO_PARTNER_KEY in printed


@pytest.mark.django_db(transaction=True)
def test_the_demo_partner_key_reads_verified_incidents_only(client):
    call_command("seed_demo", stdout=io.StringIO())  # tasks run in-process, after each commit
    response = client.get("/api/v1/incidents/", HTTP_AUTHORIZATION=f"Bearer {DEMO_PARTNER_KEY}")
    assert response.status_code == 200
    listed = response.json()["results"]
    assert len(listed) == len(VERIFIED_EVENTS) == 4
    assert {incident["status"] for incident in listed} == {"verified"}
    assert {incident["category"] for incident in listed} == {"ambush", "armed_clash", "execution", "electricity_outage"}
    assert Report.objects.filter(status="submitted").count() == Report.objects.count() - 2 * len(VERIFIED_EVENTS)
    assert client.get("/api/v1/reports/", HTTP_AUTHORIZATION=f"Bearer {DEMO_PARTNER_KEY}").status_code in {403, 404}


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    before = (
        list(Report.objects.order_by("pk").values_list("pk", "updated_at")),
        ReportCasualty.objects.count(),
        User.objects.count(),
        Incident.objects.count(),
    )
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    after = (
        list(Report.objects.order_by("pk").values_list("pk", "updated_at")),
        ReportCasualty.objects.count(),
        User.objects.count(),
        Incident.objects.count(),
    )
    assert before == after
    assert "0 new" in out.getvalue()


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=io.StringIO())
    assert Report.objects.count() == 0


def test_seed_demo_makes_each_account_in_its_role_with_the_demo_password():
    call_command("seed_demo", stdout=io.StringIO())
    for username, role in DEMO.users:
        user = User.objects.get(username=username)
        assert user.roles == {role} and user.is_staff == (role != "monitor"), username
        assert user.check_password(DEMO_PASSWORD) and user.organisation.name == DEMO.monitoring_organisation
    key = ApiKey.objects.get()
    assert (key.name, key.prefix, key.scopes) == (
        "Demo partner key",
        "sjl_dem0c0a5",
        ["aggregates:read", "incidents:read", "webhooks:manage"],
    )
    assert key.organisation.name == DEMO.partner_organisation and key.organisation.kind == "partner"


def test_seed_demo_finds_an_account_whose_name_differs_only_in_case():
    # create_user and the admin refuse "reviewer" beside "Reviewer"; the demo made it (three copies of one rule).
    existing = ReviewerFactory(username="Reviewer", is_staff=True)
    call_command("seed_demo", stdout=io.StringIO())
    assert list(User.objects.filter(username__iexact="reviewer")) == [existing]
    assert Report.objects.filter(status="verified", reviewed_by=existing).count() == 2 * len(VERIFIED_EVENTS)
