"""Production mode refuses unsafe settings, and `check --deploy` is clean when they are safe.

Each case starts a real `manage.py` process with its own environment, since
settings are read once at start-up.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAFE_SECRET = "k7#Qp9!vX2mZ@r4Lw8$Tn1^Yb6&Hc3*Jd5(Fg0)Se-Ua=Vo+Ki_Ml;Nq"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "PRODUCTION",
            "HTTPS_ONLY",
            "DJANGO_SETTINGS_MODULE",
            "CACHE_URL",
        }
    }
    environment.update(DATABASE_URL="sqlite:////tmp/sijil-settings-check.sqlite3", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


SAFE = {
    "PRODUCTION": "1",
    "SECRET_KEY": SAFE_SECRET,
    "ALLOWED_HOSTS": "sijil.example.org",
    "DEBUG": "0",
    "CACHE_URL": "redis://127.0.0.1:6379/5",
}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": "insecure-local-development-key-never-use-in-production"}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is too short"),
        ({"DEBUG": "1"}, "DEBUG is on"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is empty"),
        ({"CACHE_URL": ""}, "CACHE_URL is not a Redis URL"),
        ({"CACHE_URL": "locmemcache://"}, "CACHE_URL is not a Redis URL"),
    ],
)
def test_production_refuses_to_start_with_an_unsafe_setting_and_says_which(change, named):
    env = {**SAFE, **change}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert named in result.stderr


def test_production_check_deploy_reports_nothing_with_safe_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **SAFE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_pages_carry_a_content_security_policy_and_nosniff(client):
    response = client.get("/admin/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_times_are_stored_in_utc_and_shown_in_damascus_by_default(settings):
    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == "Asia/Damascus"


def test_the_admin_second_factor_can_be_turned_off_only_for_the_demo():
    refused = manage("check", SIJIL_ADMIN_2FA="0", SECRET_KEY=SAFE_SECRET)
    assert refused.returncode != 0
    assert "SIJIL_ADMIN_2FA=0 is allowed only for the local demo" in refused.stderr
    assert manage("check", SIJIL_ADMIN_2FA="0", SIJIL_DEMO="1", SECRET_KEY=SAFE_SECRET).returncode == 0


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": "insecure-local-development-key-never-use-in-production"}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is too short"),
        ({"SECRET_KEY": "a" * 60}, "SECRET_KEY is too short or too simple"),
    ],
)
@pytest.mark.parametrize("debug", [{}, {"DEBUG": "0"}])
def test_with_debug_off_a_bad_secret_key_refuses_to_start_without_the_production_flag(change, named, debug):
    result = manage("check", **debug, **change)
    assert result.returncode != 0
    assert "Refusing to start with DEBUG off" in result.stderr and named in result.stderr


def test_with_debug_off_a_long_random_secret_key_starts_without_the_production_flag():
    result = manage("check", DEBUG="0", SECRET_KEY=SAFE_SECRET)
    assert result.returncode == 0, result.stderr


def test_local_development_and_the_demo_still_start_on_the_development_key():
    assert manage("check", DEBUG="1").returncode == 0
    assert manage("check", DEBUG="1", SIJIL_DEMO="1", SIJIL_ADMIN_2FA="0").returncode == 0
