"""API keys: bearer authentication, scopes, expiry, revocation, last use, the issue_api_key command."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from incidents.api_keys import api_key_issue, api_key_revoke, hash_key
from incidents.models import ApiKey
from tests.api.conftest import keyed_client
from tests.factories import MonitorFactory, OrganisationFactory, ReportFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


def test_a_bearer_key_authenticates_and_only_its_hash_is_stored(partner_key, partner):
    assert partner.get("/api/v1/incidents/").status_code == 200
    stored = ApiKey.objects.get(pk=partner_key.api_key.pk)
    assert stored.hashed_key == hash_key(partner_key.key)
    assert partner_key.key not in str(ApiKey.objects.values().get(pk=stored.pk))
    assert partner_key.key.startswith(stored.prefix + "_")


@pytest.mark.parametrize(
    "header", ["Bearer sjl_00000000_nope", "Bearer", "Bearer a b", "Bearer sjl_\xe9t\xe9", "Bearer " + "x" * 500]
)
def test_a_wrong_key_is_a_401_with_a_challenge(client, header):
    response = client.get("/api/v1/incidents/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "errors" in response.json()


def test_no_credentials_is_a_401(client):
    assert client.get("/api/v1/incidents/").status_code == 401


def test_a_revoked_key_is_refused_at_the_next_request(partner_key, partner):
    assert partner.get("/api/v1/incidents/").status_code == 200
    api_key_revoke(api_key=partner_key.api_key)
    response = partner.get("/api/v1/incidents/")
    assert response.status_code == 401
    assert "revoked" in response.json()["errors"]["detail"][0]


def test_an_expired_key_is_refused(partner_key, partner):
    ApiKey.objects.filter(pk=partner_key.api_key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = partner.get("/api/v1/incidents/")
    assert response.status_code == 401
    assert "expired" in response.json()["errors"]["detail"][0]


def test_a_key_of_a_deactivated_user_is_refused():
    user = MonitorFactory()
    client = keyed_client(api_key_issue(name="k", scopes=["reports:read"], user=user).key)
    user.is_active = False
    user.save()
    assert client.get("/api/v1/reports/").status_code == 401


def test_last_use_is_recorded_at_most_once_a_minute(partner_key, partner):
    key = partner_key.api_key
    assert key.last_used_at is None
    partner.get("/api/v1/incidents/")
    first = ApiKey.objects.get(pk=key.pk).last_used_at
    assert first is not None
    partner.get("/api/v1/incidents/")
    assert ApiKey.objects.get(pk=key.pk).last_used_at == first
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=first - timedelta(minutes=2))
    partner.get("/api/v1/incidents/")
    assert ApiKey.objects.get(pk=key.pk).last_used_at > first


def test_a_key_without_the_scope_is_a_403(partner_org):
    client = keyed_client(api_key_issue(name="k", scopes=["aggregates:read"], organisation=partner_org).key)
    assert client.get("/api/v1/incidents/").status_code == 403
    assert client.get("/api/v1/aggregates/daily/").status_code == 200


def test_a_monitor_key_without_reports_write_cannot_submit():
    client = keyed_client(api_key_issue(name="k", scopes=["reports:read"], user=MonitorFactory()).key)
    response = client.post("/api/v1/reports/", data={}, format="json")
    assert response.status_code == 403


def test_reference_data_is_open_to_a_key_with_any_scope(partner):
    assert partner.get("/api/v1/categories/").status_code == 200
    assert partner.get("/api/v1/areas/").status_code == 200


def test_a_signed_in_reviewer_uses_the_browsable_api_with_the_session(admin_login):
    client = admin_login(ReviewerFactory())
    response = client.get("/api/v1/reports/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"<html" in response.content


def test_a_reviewers_session_without_its_one_time_code_opens_nothing_a_reviewer_sees(client):
    """A stolen password alone: signed in at the monitors' page, but no second factor."""
    report = ReportFactory()
    client.force_login(ReviewerFactory())
    assert client.get("/api/v1/reports/").status_code in {401, 403}
    assert client.get(f"/api/v1/reports/{report.pk}/").status_code in {401, 403, 404}
    review = client.post(
        f"/api/v1/reports/{report.pk}/review/", {"decision": "verify"}, content_type="application/json"
    )
    assert review.status_code in {401, 403, 404}
    report.refresh_from_db()
    assert report.status == "submitted"


def test_a_session_post_needs_the_csrf_token():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(MonitorFactory())
    assert client.post("/api/v1/reports/", data="{}", content_type="application/json").status_code == 403


def test_an_organisations_key_may_not_carry_report_scopes(partner_org):
    with pytest.raises(ValidationError) as error:
        api_key_issue(name="k", scopes=["reports:read", "incidents:read"], organisation=partner_org)
    assert "scopes" in error.value.message_dict


def test_a_monitoring_network_is_not_issued_a_partner_key():
    with pytest.raises(ValidationError):
        api_key_issue(name="k", scopes=["incidents:read"], organisation=OrganisationFactory())


def test_unknown_scopes_are_refused():
    with pytest.raises(ValidationError):
        api_key_issue(name="k", scopes=["incidents:write"], user=MonitorFactory())


CHOSEN = "sjl_dem0c0a5_local-demo-partner-key-never-use-in-production"


def test_a_chosen_key_works_as_a_drawn_one_and_only_its_hash_is_stored(partner_org):
    issued = api_key_issue(name="demo", scopes=["incidents:read"], organisation=partner_org, key=CHOSEN)
    assert issued.key == CHOSEN and issued.api_key.prefix == "sjl_dem0c0a5"
    assert ApiKey.objects.get().hashed_key == hash_key(CHOSEN)
    assert keyed_client(CHOSEN).get("/api/v1/incidents/").status_code == 200


@pytest.mark.parametrize("key", ["sjl_short_x", "sjl_DEM0C0A5_" + "x" * 40, "abc_dem0c0a5_" + "x" * 40, CHOSEN + "!"])
def test_a_chosen_key_of_another_shape_is_refused(partner_org, key):
    with pytest.raises(ValidationError) as error:
        api_key_issue(name="demo", scopes=["incidents:read"], organisation=partner_org, key=key)
    assert "key" in error.value.message_dict
    assert not ApiKey.objects.exists()


def test_a_chosen_key_is_refused_in_production(settings, partner_org):
    settings.PRODUCTION = True
    with pytest.raises(ValidationError) as error:
        api_key_issue(name="demo", scopes=["incidents:read"], organisation=partner_org, key=CHOSEN)
    assert "key" in error.value.message_dict
    assert not ApiKey.objects.exists()


def test_issue_api_key_prints_a_working_key_once_for_a_partner():
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "issue_api_key",
        "--partner",
        "Coast Relief",
        "--scopes",
        "incidents:read,aggregates:read",
        "--expires-in-days",
        "30",
        stdout=out,
        stderr=err,
    )
    key = out.getvalue().strip()
    stored = ApiKey.objects.get()
    assert stored.hashed_key == hash_key(key) and stored.organisation.name == "Coast Relief"
    assert stored.organisation.kind == "partner"
    assert stored.scopes == ["aggregates:read", "incidents:read"]
    assert timedelta(days=29) < stored.expires_at - timezone.now() <= timedelta(days=30)
    assert key not in err.getvalue()
    assert keyed_client(key).get("/api/v1/incidents/").status_code == 200


def test_issue_api_key_for_a_user():
    user = MonitorFactory(username="rana")
    out = io.StringIO()
    call_command("issue_api_key", "--user", "rana", "--scopes", "reports:write,reports:read", stdout=out)
    stored = ApiKey.objects.get()
    assert stored.user == user and stored.expires_at is None
    assert keyed_client(out.getvalue().strip()).get("/api/v1/reports/").status_code == 200


@pytest.mark.parametrize(
    "arguments",
    [
        ["--user", "nobody", "--scopes", "reports:read"],
        ["--partner", "X", "--scopes", "reports:write"],
        ["--partner", "X", "--scopes", "everything"],
        ["--partner", "X", "--scopes", "incidents:read", "--expires-in-days", "0"],
    ],
)
def test_issue_api_key_refuses_bad_arguments_and_stores_nothing(arguments):
    with pytest.raises(CommandError):
        call_command("issue_api_key", *arguments, stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiKey.objects.exists()


def test_requests_over_the_rate_are_429_with_retry_after(settings, partner):
    settings.API_THROTTLE_RATE = "3/min"
    statuses = [partner.get("/api/v1/categories/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = partner.get("/api/v1/categories/")
    assert int(response["Retry-After"]) > 0
    assert "errors" in response.json()


def test_writes_have_their_own_lower_rate_and_count_apart_from_reads(settings, monitor_api):
    settings.API_THROTTLE_WRITE_RATE = "2/hour"
    settings.API_THROTTLE_RATE = "100/hour"
    posts = [monitor_api.post("/api/v1/reports/", {}, format="json").status_code for _ in range(3)]
    assert posts == [400, 400, 429]
    assert monitor_api.get("/api/v1/categories/").status_code == 200  # reads still go through
