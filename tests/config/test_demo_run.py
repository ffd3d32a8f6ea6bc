"""The README's first command serves the demo: started as a real process, it answers on /admin/."""

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.slow
def test_the_demo_run_serves_the_admin_with_demo_data(tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    env.update(
        SIJIL_DEMO_DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        PORT=str(port),
        PYTHON=os.environ.get("PYTHON", str(Path(os.sys.executable))),
    )
    server = subprocess.Popen(
        [str(ROOT / "scripts" / "run_demo.sh")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        status, login_page = None, ""
        while time.monotonic() < deadline:
            try:
                status, login_page = get(f"http://127.0.0.1:{port}/admin/login/")
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.5)
        assert status == 200, server.stdout.read() if server.poll() is not None else "server did not answer"
        status, _ = get(f"http://127.0.0.1:{port}/admin/")
        assert status == 302  # to the login page
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert "Demo logins" in output and "reviewer" in output
    # A quiet start (issue 15): no kombu warning, no line per in-process task, no one-time code field.
    assert "No hostname was supplied" not in output
    assert "celery.app.trace" not in output
    assert 'name="otp_token"' not in login_page
