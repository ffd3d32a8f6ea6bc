"""A real Redis and real `celery -A config worker` processes for the fault tests.

Each test gets a private `redis-server` on a port of its own (free when the
session starts, or `SIJIL_TEST_REDIS_PORT`; the test may stop, restart or
flush it) and starts workers as subprocesses with the test database's URL in
their environment. The tests are transactional, so the workers see what the
test commits. The pytest process itself publishes to that
Redis (not eagerly) for the duration of the test.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from django.db import connection
from kombu import pools as kombu_pools

from config.celery import app


def _free_port() -> int:
    """A port nothing listens on now: several test runs on one machine (CI, developers) must not share a Redis."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


REDIS_PORT = int(os.environ.get("SIJIL_TEST_REDIS_PORT") or _free_port())
REDIS_DB = 3
BROKER_URL = f"redis://127.0.0.1:{REDIS_PORT}/{REDIS_DB}"
# Short clocks so the sweeper's recovery takes seconds, not minutes.
STALE_SECONDS = 2
SWEEP_EVERY_SECONDS = 1
CELERY = str(Path(sys.executable).with_name("celery"))


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.2) -> None:
    """Poll until `condition()` holds; fail the test naming what was awaited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    pytest.fail(f"Timed out after {timeout:.0f}s waiting for {what}")


class RedisServer:
    """A redis-server this test owns: it keeps nothing on disk and may be stopped, restarted or flushed."""

    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.log = log
        self.process: subprocess.Popen | None = None

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=REDIS_DB, socket_connect_timeout=1)

    def is_up(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.exceptions.ConnectionError:
            return False

    def start(self) -> None:
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        wait_for(self.is_up, timeout=15, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def flush(self) -> None:
        self.client().flushdb()


class Worker:
    """One `celery -A config worker` process (optionally with beat embedded), in its own process group."""

    def __init__(self, name: str, tmp: Path, *, beat: bool, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.env = env or {}
        self.log = tmp / f"{name}.log"
        self.beat = beat
        self.tmp = tmp
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.spawn()
        self.wait_ready()

    def spawn(self) -> None:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": BROKER_URL,
            "SIJIL_PROCESSING_STALE_SECONDS": str(STALE_SECONDS),
            "SIJIL_SWEEP_EVERY_SECONDS": str(SWEEP_EVERY_SECONDS),
            "HTTPS_ONLY": "false",
            "SECRET_KEY": "test-only-key-" + "x" * 40,
            "LOG_LEVEL": "INFO",
            **self.env,
        }
        command = [
            CELERY, "-A", "config", "worker", "--loglevel=INFO", "--concurrency=1", "--pool=prefork",
            "--hostname", f"{self.name}@sijil-test", "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        if self.beat:
            command += ["--beat", "--schedule", str(self.tmp / f"{self.name}-beat-schedule")]
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=str(Path(__file__).resolve().parents[2]),
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self) -> None:
        wait_for(self.answers_ping, timeout=60, what=f"worker {self.name} to answer inspect ping", interval=0.5)

    def answers_ping(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            pytest.fail(f"Worker {self.name} exited:\n{self.tail()}")
        try:
            replies = app.control.inspect(destination=[f"{self.name}@sijil-test"], timeout=1).ping()
        except Exception:
            return False
        return bool(replies)

    def kill(self) -> None:
        """SIGKILL the whole group (the main process and its pool child): no cleanup, no acknowledgement."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self.process = None
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(REDIS_PORT, tmp_path / "redis.log")
    if server.is_up():
        pytest.fail(f"Port {REDIS_PORT} is taken; set SIJIL_TEST_REDIS_PORT to a free one")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def real_broker(redis_server):
    """Make this process publish to the private Redis instead of running tasks eagerly."""
    saved = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}
    app.conf.task_always_eager = False
    app.conf.broker_url = BROKER_URL
    app.conf.broker_connection_timeout = 2
    _reset_pools()
    try:
        yield redis_server
    finally:
        app.conf.task_always_eager = saved["task_always_eager"]
        app.conf.broker_url = saved["broker_url"]
        _reset_pools()


def _reset_pools() -> None:
    """Drop cached broker connections so the next publish connects to the broker configured now."""
    # kombu keeps pools in a registry keyed by URL: clear it rather than close pools it would hand out again.
    kombu_pools.reset()
    app._pool = None
    app.__dict__.pop("amqp", None)
    app.__dict__.pop("producer_pool", None)
    app.__dict__.pop("control", None)


@pytest.fixture
def workers(real_broker, tmp_path, transactional_db):
    """Start workers with `workers.start(name, beat=...)`; all are stopped at teardown."""
    started: list[Worker] = []

    class Workers:
        def start(self, name: str, *, beat: bool = False, env: dict[str, str] | None = None) -> Worker:
            worker = Worker(name, tmp_path, beat=beat, env=env)
            started.append(worker)
            worker.start()
            return worker

        def start_together(self, *names: str) -> list[Worker]:
            """Start several workers at once, so they consume a waiting queue at the same time."""
            group = [Worker(name, tmp_path, beat=False) for name in names]
            started.extend(group)
            for worker in group:
                worker.spawn()
            for worker in group:
                worker.wait_ready()
            return group

        def log_of(self, name: str) -> str:
            return next(w for w in started if w.name == name).log.read_text(errors="replace")

        def logs(self) -> str:
            return "\n".join(f"--- {w.name}\n{w.tail()}" for w in started)

    try:
        yield Workers()
    finally:
        for worker in started:
            worker.stop()
