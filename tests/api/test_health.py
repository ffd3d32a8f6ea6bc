"""/healthz: the database and the broker, each named when down."""

import socket

import pytest

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_it_reports_the_in_process_mode_without_a_broker(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "in-process"}}


def test_it_is_ok_with_a_reachable_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/6"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_it_answers_503_naming_the_broker_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/6"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]
    assert response.json()["checks"]["database"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")
