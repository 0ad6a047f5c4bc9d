"""One base URL for absolute links, checked at start-up; `make run` without debug pages."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core import checks

from documents import site
from documents.alerts import emails

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("value, production, expected", [
    ("http://127.0.0.1:8000", False, []),
    ("https://policies.example.com", True, []),
    ("https://policies.example.com:8443", True, []),
    ("127.0.0.1:8000", False, ["PORTAL_BASE_URL='127.0.0.1:8000' is not an http(s) address such as https://policies.example.com."]),
    ("http://127.0.0.1:8000/portal/?x=1", False, ["PORTAL_BASE_URL='http://127.0.0.1:8000/portal/?x=1' has a path, query or fragment; links add their own paths."]),
    ("http://localhost:80x", False, ["PORTAL_BASE_URL='http://localhost:80x' has a port that is not a number."]),
    ("http://127.0.0.1:8000", True, ["PORTAL_BASE_URL='http://127.0.0.1:8000' is not a public https address: e-mailed links would not reach readers."]),
])
def test_base_url_problems(value, production, expected):
    assert site.base_url_problems(value, production=production) == expected


def test_a_wrong_base_url_fails_the_start_up_check(settings):
    settings.PORTAL_BASE_URL = "portal.example.com"
    errors = [e for e in checks.run_checks() if e.id == "portal.E001"]
    assert [e.msg for e in errors] == ["PORTAL_BASE_URL='portal.example.com' is not an http(s) address such as https://policies.example.com."]
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8000"
    assert not [e for e in checks.run_checks() if e.id == "portal.E001"]


def test_links_without_a_request_use_the_setting_and_with_one_the_request(settings, rf):
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8123"
    assert emails.absolute("/watches/") == "http://127.0.0.1:8123/watches/"
    request = rf.get("/", HTTP_HOST="localhost:9000")
    settings.ALLOWED_HOSTS = ["localhost"]
    assert site.absolute("/d/x/", request) == "http://localhost:9000/d/x/"


def _run_command(port: int) -> tuple[dict, list[str]]:
    """The environment and command `make run` serves with (make -n prints it)."""
    out = subprocess.run(["make", "-s", "-n", "run", f"PORT={port}"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    line = next(line for line in out.splitlines() if "runserver" in line)
    words = shlex.split(line)
    env = dict(w.split("=", 1) for w in words if "=" in w and not w.startswith("-") and "/" not in w.split("=")[0])
    return env, [w for w in words if w.split("=")[0] not in env]


def test_make_run_serves_a_site_without_debug_pages_and_links_to_its_own_port(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env, command = _run_command(port)
    assert env["PORTAL_BASE_URL"] == f"http://127.0.0.1:{port}" and env["DJANGO_DEBUG"] == "0"
    full = {**os.environ, **env, "PORTAL_DATA_DIR": str(tmp_path)}
    full.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable if c.endswith("python") else c for c in command]
    server = subprocess.Popen([*command, "--noreload"], cwd=ROOT, env=full, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page/", timeout=5)
            except urllib.error.HTTPError as failure:
                status, page = failure.code, failure.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, server.stdout.read() if server.poll() is not None else ""
                time.sleep(0.3)
        assert status == 404
        assert "There is no page at this address." in page
        assert "Using the URLconf" not in page and "DEBUG = True" not in page  # Django's debug page
        css = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/documents/portal.css", timeout=5)
        assert css.status == 200  # static files still served with DEBUG off
    finally:
        server.terminate()
        server.wait(10)
