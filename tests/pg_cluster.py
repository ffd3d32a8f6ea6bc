"""A PostgreSQL cluster a test owns: made with initdb, started and stopped with pg_ctl on a port of its own.

For the tests of the database going away (TESTING.md: never stop the shared server). The cluster
holds a copy of the test database (schema and reference data, by pg_dump), and `swap_default_to`
points Django's default connection at it for the duration of a test, in this thread and in any
other (the live server's, a worker's environment), since they share the connection's settings.
Run as root (as CI does), initdb and pg_ctl are run as the `postgres` user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.db import connection

BIN = Path(os.environ.get("PG_BIN") or sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])
DATABASE = "sijil_outage"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PostgresCluster:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="sijil-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = _free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, user="postgres", group="postgres")

    def _run(self, *command: str) -> None:
        subprocess.run(_as_postgres(list(command)), check=True, capture_output=True, timeout=120)

    def create(self) -> None:
        self._run(
            str(BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        self.start()

    def start(self) -> None:
        # No fsync (the machine does not crash, only the server is killed), but synchronous commit as in
        # production: a commit answered is in the WAL, and survives the immediate shutdown of `stop`.
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        # This thread's connection, if the server was lost under it, is broken: the next query reconnects.
        with contextlib.suppress(Exception):
            connection.close()

    def stop(self) -> None:
        """As if the server were lost: an immediate shutdown drops every connection at once."""
        if self.is_up():
            self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def is_up(self) -> bool:
        probe = subprocess.run(
            [str(BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"], capture_output=True
        )
        return probe.returncode == 0

    def copy_database(self, source: dict) -> None:
        """The test database's schema and rows (categories, gazetteer…) into DATABASE here."""
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", DATABASE], check=True, timeout=60
        )
        dump = subprocess.Popen(
            [
                "pg_dump", "-h", source["HOST"] or "127.0.0.1", "-p", str(source["PORT"] or 5432),
                "-U", source["USER"] or "postgres", "--no-owner", "--no-privileges", source["NAME"],
            ],
            stdout=subprocess.PIPE,
        )  # fmt: skip
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", DATABASE, "-q",
             "-v", "ON_ERROR_STOP=1"],
            stdin=dump.stdout, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        assert dump.wait(timeout=60) == 0

    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    @contextlib.contextmanager
    def swap_default_to(self) -> Iterator[None]:
        """Django's default connection on this cluster, then back on the test database, whatever happens."""
        saved = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(self.port), NAME=DATABASE, CONN_MAX_AGE=0)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)

    def wait_until_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not self.is_up():
            if time.monotonic() > deadline:
                raise AssertionError(f"PostgreSQL on port {self.port} did not come back:\n{self.log.read_text()}")
            time.sleep(0.2)
