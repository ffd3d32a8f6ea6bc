"""The demo (`make run`: SQLite, tasks in-process) shows the coast's March 2025 and generates a report.

The rest of the suite runs on PostgreSQL; the demo's database is SQLite, where the situation room's
queries must work too. Run as real processes with the demo's settings, as scripts/run_demo.sh does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import json
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from reports.models import User
from incidents.situation.models import SituationReport
client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="en")
client.force_login(User.objects.get(username="coordinator"))
page = client.get("/admin/situation/")
figures = page.context["figures"]
made = client.post("/admin/situation/reports/", {"date_from": "2025-03-06", "date_to": "2025-03-10", "language": "ar"})
report = SituationReport.objects.get()
print(json.dumps({
    "status": page.status_code, "period": figures["period"], "tiles": figures["tiles"],
    "outages": [(o["service"], o["active"]) for o in figures["outages"]], "made": made.status_code,
    "report": report.status, "pdf": bytes(report.pdf[:4]).decode(), "claims": len(figures["cumulative"]),
}))
"""


def test_the_demo_on_sqlite_shows_march_2025_and_generates_a_report(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(
        DEBUG="1", SIJIL_DEMO="1", SIJIL_ADMIN_2FA="0", CELERY_BROKER_URL="", LOG_LEVEL="ERROR",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONPATH=str(ROOT),
    )  # fmt: skip
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200 and seen["period"] == {"start": "2025-03-06", "end": "2025-03-10"}
    # 21: the Jableh arson's third account waits for a reviewer (tests/situation/test_figures.py).
    assert seen["tiles"]["verified"]["incidents"] == 4 and seen["tiles"]["all"]["incidents"] == 21
    assert sorted(seen["outages"]) == [["electricity", False], ["telecom", True], ["water", False]]
    assert seen["claims"] == 1
    assert seen["made"] == 302 and seen["report"] == "done" and seen["pdf"] == "%PDF"
