"""A gunicorn worker's warm-up (portal.warmup): what a first request would pay is paid
before the worker takes requests."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines

from portal import warmup

pytestmark = pytest.mark.django_db


def _cached(name: str) -> bool:
    engine = engines["django"].engine
    loader = engine.template_loaders[0]
    return any(key == name or key.startswith(f"{name}-") for key in getattr(loader, "get_template_cache", {}))


def test_every_project_template_is_compiled_once():
    folder = Path(settings.BASE_DIR) / "templates"
    expected = sum(1 for p in folder.rglob("*") if p.is_file() and p.suffix in warmup.TEMPLATE_SUFFIXES)
    engines["django"].engine.template_loaders[0].reset()
    assert not _cached("documents/home.html")
    assert warmup.templates_compile() == expected
    assert _cached("documents/home.html") and _cached("alerts/changes.html")


def test_warm_times_each_step():
    steps = warmup.warm()
    assert list(steps) == ["urls", "templates", "database", "search"]
    assert all(0 <= seconds < 60 for seconds in steps.values())


def test_a_failing_step_is_logged_and_the_others_run(monkeypatch, caplog):
    def broken():
        raise OSError("index locked")

    monkeypatch.setattr(warmup, "database_open", broken)
    steps = warmup.warm()
    assert list(steps) == ["urls", "templates", "database", "search"]
    assert "warm-up step database failed" in caplog.text
