"""Benchmark: webhook deliveries per second to a local receiver, beside plain HTTP POSTs of the same bytes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<migrated db> python bench/bench_webhooks.py [--deliveries 500]

One process (what one worker process does), in the same run:

- `webhooks_deliver` in batches (what a worker does with each message): claim
  up to 50 due deliveries in one transaction (`FOR UPDATE SKIP LOCKED`), sign
  each body (Standard Webhooks), resolve and check the address (SSRF, once
  per batch per URL), POST over the worker's kept connection to the checked
  address, then record the attempts and the outcomes in a few statements;
- `webhook_deliver` one delivery at a time (a batch of one: the same code);
- the peer: urllib3 POSTing the same body to the same receiver in a loop,
  with no database and no signing.

The receiver is a threaded HTTP/1.1 server on 127.0.0.1 answering 204.
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
    from incidents.webhooks.services import webhook_deliver, webhook_endpoint_create, webhooks_deliver
    from reports.models import Organisation

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    organisation, _ = Organisation.objects.get_or_create(name="Bench partner", kind=Organisation.Kind.PARTNER)
    endpoint = webhook_endpoint_create(organisation=organisation, url=url, events=["incident.updated"])
    body = {"type": "incident.updated", "timestamp": timezone.now().isoformat(), "data": {"id": "x" * 36}}

    def pending(count: int, offset: int) -> list:
        events = WebhookEvent.objects.bulk_create(
            WebhookEvent(type="incident.updated", subject=str(i), txid=-i - 1 - offset, body=body) for i in range(count)
        )
        return WebhookDelivery.objects.bulk_create(
            WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=timezone.now()) for event in events
        )

    n = args.deliveries
    WebhookEvent.objects.filter(txid__lt=0, subject__regex=r"^[0-9]+$").delete()
    pending(n, 0)
    started = time.perf_counter()
    while webhooks_deliver():
        pass
    batches = time.perf_counter() - started
    delivered_batches = WebhookDelivery.objects.filter(endpoint=endpoint, status="delivered").count()

    deliveries = pending(n, 10 * n)
    started = time.perf_counter()
    for delivery in deliveries:
        webhook_deliver(delivery_id=delivery.pk)
    single = time.perf_counter() - started
    delivered = WebhookDelivery.objects.filter(endpoint=endpoint, status="delivered").count() - delivered_batches

    pool = urllib3.PoolManager()
    payload = str(body).encode()
    started = time.perf_counter()
    for _ in range(n):
        pool.request("POST", url, body=payload, headers={"content-type": "application/json"})
    plain = time.perf_counter() - started

    print(f"deliveries: {n} each way, delivered: {delivered_batches} in batches, {delivered} one at a time")
    for name, seconds in (
        ("webhooks_deliver, batches of 50", batches),
        ("webhook_deliver, one at a time", single),
        ("plain urllib3 POST", plain),
    ):
        print(f"{name:32} {n / seconds:8.1f} per second  ({seconds / n * 1000:.2f} ms each, {seconds / plain:.1f}×)")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
    WebhookEvent.objects.filter(txid__lt=0, subject__regex=r"^[0-9]+$").delete()
    server.shutdown()


if __name__ == "__main__":
    main()
