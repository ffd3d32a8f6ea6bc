"""How heavy the report form's first load is: HTML, CSS, JS (and the service worker), raw and gzipped.

    python bench/bench_form_weight.py

Budget (issue 5): at most 150 KB transferred on the first load. Runs the real
site in-process against a throwaway SQLite database (migrated, so the seeded
categories and gazetteer are on the page), signs in a monitor, and requests
the form in Arabic and in English as a phone would: the page, then every
stylesheet, script, manifest and the service worker it loads. Prints each
resource's size as served (raw) and gzipped at level 6 (what a compressing
proxy sends; WhiteNoise serves static files precompressed), and the totals.
The page embeds no images or fonts (system fonts only).
"""

import gzip
import os
import re
import secrets
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_db = Path(tempfile.mkdtemp()) / "bench_form_weight.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{_db}"
os.environ.setdefault("HTTPS_ONLY", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# DEBUG is off here, so Sijil refuses the development key: a throwaway one for this run.
os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(48))
os.environ["AXES_ENABLED"] = "false"
os.environ["CELERY_BROKER_URL"] = ""

import django

django.setup()

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from reports.accounts import user_create

BUDGET = 150 * 1024
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"|data-sw="([^"]+)"')


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def measure(client: Client, language: str) -> list[tuple[str, int, int]]:
    page = client.get("/reports/new/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200, page.status_code
    html = page.content
    rows = [(f"form ({language})", len(html), len(gzip.compress(html, 6)))]
    for static, worker in ASSET.findall(html.decode()):
        if static:
            # Static files as collectstatic would serve them (no STATIC_ROOT needed here).
            data = Path(finders.find(static.removeprefix(settings.STATIC_URL))).read_bytes()
        else:
            response = client.get(worker)
            assert response.status_code == 200, (worker, response.status_code)
            data = body_of(response)
        url = static or worker
        rows.append((url, len(data), len(gzip.compress(data, 6))))
    return rows


def main() -> None:
    call_command("migrate", verbosity=0)
    # A throwaway database; the password is random and never used (force_login).
    monitor = user_create(
        username="bench-monitor", role="monitor", password=secrets.token_urlsafe(), validate=False, by=None
    )
    client = Client()
    client.force_login(monitor)
    worst = 0
    for language in ("ar", "en"):
        rows = measure(client, language)
        raw, packed = sum(r[1] for r in rows), sum(r[2] for r in rows)
        worst = max(worst, raw)
        print(f"\n{'resource':<40} {'raw bytes':>10} {'gzip bytes':>11}")
        for name, size, zipped in rows:
            print(f"{name:<40} {size:>10,} {zipped:>11,}")
        print(f"{'total (' + language + ')':<40} {raw:>10,} {packed:>11,}")
        print(f"budget {BUDGET:,} bytes: raw uses {raw / BUDGET:.0%}, gzipped {packed / BUDGET:.0%}")
    _db.unlink(missing_ok=True)
    if worst > BUDGET:
        sys.exit(f"Over budget even uncompressed: {worst:,} > {BUDGET:,} bytes")


if __name__ == "__main__":
    main()
