"""Benchmark: webhook deliveries per second to a local receiver, beside plain HTTP POSTs of the same bytes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<migrated db> python bench/bench_webhooks.py [--deliveries 500]

One process, one delivery at a time (what one worker process does): each
`webhook_deliver` claims the row with a conditional UPDATE, signs the body
(Standard Webhooks), resolves and checks the address (SSRF), POSTs, and
records the attempt and the outcome. The peer: urllib3 POSTing the same body
to the same receiver in a loop, with no database and no signing.

Prints the figures; BENCHMARKS.md records them. Not a test: no thresholds.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["WEBHOOKS_ALLOW_LOOPBACK"] = "1"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=500)
    args = parser.parse_args()
    import django

    django.setup()
    import urllib3
    from django.utils import timezone

    from incidents.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
    from incidents.webhooks.services import webhook_deliver, webhook_endpoint_create
    from reports.models import Organisation

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    organisation, _ = Organisation.objects.get_or_create(name="Bench partner", kind=Organisation.Kind.PARTNER)
    endpoint = webhook_endpoint_create(organisation=organisation, url=url, events=["incident.updated"])
    body = {"type": "incident.updated", "timestamp": timezone.now().isoformat(), "data": {"id": "x" * 36}}
    events = WebhookEvent.objects.bulk_create(
        WebhookEvent(type="incident.updated", subject=str(i), txid=-i - 1, body=body) for i in range(args.deliveries)
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=timezone.now()) for event in events
    )

    started = time.perf_counter()
    for delivery in deliveries:
        webhook_deliver(delivery_id=delivery.pk)
    sijil = time.perf_counter() - started
    delivered = WebhookDelivery.objects.filter(endpoint=endpoint, status="delivered").count()

    pool = urllib3.PoolManager()
    payload = str(body).encode()
    started = time.perf_counter()
    for _ in range(args.deliveries):
        pool.request("POST", url, body=payload, headers={"content-type": "application/json"})
    plain = time.perf_counter() - started

    print(f"deliveries: {args.deliveries}, delivered: {delivered}")
    each_sijil, each_plain = sijil / args.deliveries * 1000, plain / args.deliveries * 1000
    print(f"Sijil webhook_deliver: {args.deliveries / sijil:8.1f} deliveries/s  ({each_sijil:.1f} ms each)")
    print(f"plain urllib3 POST:    {args.deliveries / plain:8.1f} requests/s  ({each_plain:.1f} ms each)")
    print(f"ratio: {sijil / plain:.1f}×")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
    server.shutdown()


if __name__ == "__main__":
    main()
