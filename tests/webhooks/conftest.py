"""A real HTTP receiver on 127.0.0.1 that records what it is sent and answers what the test tells it to."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    peer: int = 0  # the client's port: one per connection


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    # Answers to give, in order (status, headers); after the last, 200.
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    """A threaded HTTP/1.1 receiver on 127.0.0.1 (kept-alive connections, as real receivers keep them)."""
    state = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            with lock:
                headers = {k.lower(): v for k, v in self.headers.items()}
                state.requests.append(Received(self.path, headers, body, peer=self.client_address[1]))
                status, headers = state.answers.pop(0) if state.answers else (200, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/sijil"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    with running_receiver() as state:
        yield state


@pytest.fixture
def receivers(settings):
    """`receivers()`: start one more receiver; all are stopped at teardown."""
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    with ExitStack() as stack:
        yield lambda: stack.enter_context(running_receiver())
