"""A request too large for the portal gets its message, under gunicorn as in production.

Django's test client and runserver read a request's whole body whatever the answer;
gunicorn does not, so an answer given before the body is read (a 413 for a 20 MB
paste, a 403 without a CSRF token) reached the browser as a reset connection. This
starts the production server on a throwaway data folder and sends the real thing.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie

import pytest

from tests.conftest import ROOT
from tests.smtp_server import free_port

PASSWORD = "a-long-test-password-1"
TWENTY_MB = 20 * 1024 * 1024


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    data = tmp_path_factory.mktemp("gunicorn-data")
    env = {**os.environ, "PORTAL_DATA_DIR": str(data), "PORTAL_ENV": "development", "PORTAL_EMAIL": "console",
           "DJANGO_DEBUG": "false"}  # as in production: error pages, not debug pages
    env.pop("DATABASE_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "shell", "-c",
                    "from django.contrib.auth.models import Group, User; "
                    f"u = User.objects.create_user('editor', password='{PASSWORD}', is_staff=True); "
                    "u.groups.add(Group.objects.get(name='Publishers'))"], env=env, check=True, cwd=ROOT)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "portal/gunicorn.conf.py", "portal.wsgi"],
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "2"},
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=5).request("HEAD", "/admin/login/")
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("gunicorn did not start")
            time.sleep(0.2)
    yield port
    server.terminate()
    server.wait(10)


class Browser:
    """Cookies and the CSRF token across requests, as a browser keeps them."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, form=None, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "Referer": f"http://127.0.0.1:{self.port}{path}"}
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.update({k: m.value for k, m in SimpleCookie(header).items()})
        return response.status, response.read().decode("utf-8", "replace")

    def csrf(self, path):
        status, page = self.request("GET", path)
        assert status == 200, (path, status)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_a_20_mb_paste_into_the_upload_form_gets_the_413_message(gunicorn):
    reader = Browser(gunicorn)
    token = reader.csrf("/admin/login/")
    status, _ = reader.request("POST", "/admin/login/?next=/staff/upload/", form={
        "csrfmiddlewaretoken": token, "username": "editor", "password": PASSWORD, "next": "/staff/upload/"})
    assert status == 302 and "sessionid" in reader.cookies
    token = reader.csrf("/staff/upload/")
    status, page = reader.request("POST", "/staff/upload/", form={
        "csrfmiddlewaretoken": token, "document": "", "new_publisher": "Big Co", "new_title": "Big Terms",
        "new_kind": "terms", "text": "Big words. " * (TWENTY_MB // 11)})
    assert status == 413
    assert "uploads and pasted text are limited to 2 MB" in page
    # The connection was not torn down: the same client goes on working.
    assert reader.request("GET", "/staff/upload/")[0] == 200


def test_a_large_post_refused_before_it_is_read_still_gets_its_answer(gunicorn):
    # No CSRF cookie: refused by the middleware before the body is read.
    status, page = Browser(gunicorn).request("POST", "/staff/upload/", body=b"x" * TWENTY_MB)
    assert status == 403 and "CSRF" in page
