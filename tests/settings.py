"""Settings for the test suite: the real PostgreSQL, never silently SQLite.

`DATABASE_URL` defaults to the local server; pytest-django creates `test_<name>`.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sijil")
os.environ.setdefault("HTTPS_ONLY", "false")
os.environ.setdefault("SECRET_KEY", "test-only-key-" + "x" * 40)

from config.settings import *  # noqa: F403
from config.settings import DATABASES

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise RuntimeError(
        "The test suite runs on PostgreSQL only; DATABASE_URL points at "
        f"{DATABASES['default']['ENGINE']}. Unset it to use postgres://postgres@127.0.0.1:5432/sijil."
    )

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Unit tests run tasks in-process unless a test starts a real worker (tests/conftest.py).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
STORAGES = {**STORAGES, "default": {**STORAGES["default"], "OPTIONS": {"location": "/tmp/sijil-test-media"}}}  # noqa: F405
MEDIA_ROOT = "/tmp/sijil-test-media"
# django-axes needs the request in authenticate(), which the test client's login() does not pass; tests use
# force_login, and the tests of sign-in throttling turn axes back on (tests/reports/test_web_accounts.py).
AXES_ENABLED = False
# The suite's clients are not rate-limited (tests/api/test_keys.py and test_throttling_shared.py set the rates
# they test); production's defaults (config/settings.py) would refuse a test's hundred submissions by one key.
API_THROTTLE_WRITE_RATE = "100000/min"
