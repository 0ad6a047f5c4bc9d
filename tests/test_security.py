"""Security headers, production settings and admin login throttling."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/search/?q=x", "/admin/login/"])
def test_every_page_forbids_inline_scripts_and_framing(client, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_admin_login_is_throttled_after_repeated_failures(client, django_user_model):
    django_user_model.objects.create_user("staff", password="the-right-password-1", is_staff=True)
    statuses = [client.post("/admin/login/", {"username": "staff", "password": "wrong"}).status_code
                for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the form with its error, then the lockout
    locked = client.post("/admin/login/", {"username": "staff", "password": "the-right-password-1"})
    assert locked.status_code == 429
    assert not client.session.get("_auth_user_id")


def _deploy_check(**env):
    full = {**os.environ, "PORTAL_ENV": "production", "DJANGO_ALLOWED_HOSTS": "portal.example.com",
            "PORTAL_BASE_URL": "https://portal.example.com", **env}
    # The browser tests relax Django's async guard in this process; production never does,
    # and check --deploy rightly warns about it.
    full.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=full, capture_output=True, text=True, timeout=120,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = _deploy_check(DJANGO_SECRET_KEY="k" * 20 + "-a-long-random-production-secret-0123456789",
                           PORTAL_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret(tmp_path):
    result = _deploy_check(DJANGO_SECRET_KEY="", PORTAL_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
