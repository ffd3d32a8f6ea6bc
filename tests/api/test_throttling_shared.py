"""Throttling shared across processes: three gunicorn workers count one key's requests in one Redis.

A real `gunicorn config.wsgi` with three sync worker processes on the test database, its cache a
private redis-server on a port of its own (`CACHE_URL`); clients send concurrently, so that every
process serves some requests (the access log records each request's process id to prove it). A limit
of 20 an hour lets exactly 20 of the key's requests through, whichever processes served them, and
refuses the rest with 429, `Retry-After` and the API's error format.
"""

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from incidents.api_keys import api_key_issue
from tests.factories import PartnerOrganisationFactory
from tests.workers.conftest import RedisServer, _free_port, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 20


@pytest.fixture
def cache_redis(tmp_path):
    server = RedisServer(_free_port(), tmp_path / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def gunicorn(tmp_path, cache_redis):
    port = _free_port()
    db = connection.settings_dict
    access_log = tmp_path / "access.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CACHE_URL": f"redis://127.0.0.1:{cache_redis.port}/0",
        "API_THROTTLE_RATE": f"{LIMIT}/hour",
        "SECRET_KEY": "test-only-key-" + "x" * 40,
        "HTTPS_ONLY": "false",
        "CELERY_BROKER_URL": "",
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")), "config.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", "3", "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(s)s",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310 (loopback)
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    try:
        wait_for(answers, timeout=60, what="gunicorn to answer")
        time.sleep(2)  # every worker process booted, not only the first
        yield url, access_log
    finally:
        process.terminate()
        process.wait(timeout=30)


def get(url: str, key: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_one_keys_requests_through_three_processes_are_counted_together(gunicorn):
    url, access_log = gunicorn
    key = api_key_issue(name="sync", scopes=["incidents:read"], organisation=PartnerOrganisationFactory()).key
    if time.time() % 3600 > 3600 - 30:  # the count's window is the clock's hour: not across its end
        time.sleep(3600 - time.time() % 3600 + 1)
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: get(f"{url}/api/v1/incidents/", key), range(3 * LIMIT)))
    statuses = [status for status, _headers, _body in answers]
    served_by = set(re.findall(r"^<(\d+)> \d{3}$", access_log.read_text(), flags=re.MULTILINE))
    assert len(served_by) >= 2, "the requests did not reach several processes; the test proves nothing"
    assert statuses.count(200) == LIMIT and statuses.count(429) == 2 * LIMIT
    _status, headers, body = next(answer for answer in answers if answer[0] == 429)
    assert int(headers["Retry-After"]) > 0 and b'"errors"' in body
