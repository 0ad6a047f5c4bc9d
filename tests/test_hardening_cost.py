"""Issue #25, item 7: what an anonymous reader controls cannot grow a worker's memory
or bypass the page cache: the cache is bounded in bytes (and shared by the workers),
and a Host header naming a port the site does not serve is a 400."""

from __future__ import annotations

import os

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

from tests import factories


def _held_bytes(cache: BaseCache) -> int:
    inner = getattr(cache, "_cache", None)
    if hasattr(inner, "volume"):  # diskcache: bytes of values held (its own accounting)
        return inner.volume()
    return sum(len(v) for v in inner.values())  # LocMemCache: pickled values


def test_the_default_cache_is_bounded_in_bytes(settings, tmp_path):
    config = dict(django_settings.CACHES["default"])
    limit = 4 * 1024 * 1024
    config["LOCATION"] = str(tmp_path / "cache")
    config["OPTIONS"] = {**config.get("OPTIONS", {}), "size_limit": limit}
    settings.CACHES = {**django_settings.CACHES, "bounded": config}
    cache = caches.create_connection("bounded")
    payload = os.urandom(256 * 1024)  # incompressible: 256 KB however it is stored
    for n in range(50):  # fifty different large comparisons
        cache.set(f"compare:{n}", payload + n.to_bytes(4, "big"), timeout=None)
    assert _held_bytes(cache) <= limit + 2 * len(payload)  # a shard may exceed by one value before culling
    assert cache.get("compare:49") is not None  # the newest is kept
    cache.close()


@pytest.mark.django_db
def test_a_host_port_the_site_does_not_serve_is_a_400(client, settings):
    settings.PORTAL_ALLOWED_PORTS = ["80", "443", "8000"]
    doc = factories.document()
    factories.publish(doc, factories.POLICY_V1)
    assert client.get("/", HTTP_HOST="testserver").status_code == 200
    assert client.get("/", HTTP_HOST="testserver:8000").status_code == 200
    for port in ("1", "8001", "65535"):
        response = client.get(doc.get_absolute_url(), HTTP_HOST=f"testserver:{port}")
        assert response.status_code == 400, port
        assert "not served on port" in response.content.decode()


def test_production_settings_name_the_base_urls_port():
    import subprocess
    import sys

    env = {**os.environ, "PORTAL_ENV": "production", "DJANGO_SECRET_KEY": "x" * 50,
           "DJANGO_ALLOWED_HOSTS": "portal.example", "PORTAL_BASE_URL": "https://portal.example:8443"}
    code = "import portal.settings as s; print(','.join(s.PORTAL_ALLOWED_PORTS))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=django_settings.BASE_DIR)
    assert out.stdout.strip() == "443,80,8443"
