"""Helpers shared by the benchmarks: a throw-away Django data folder, the corpus
mirrored under slugified folder names, a synthetic large document.

Only ``django_setup`` touches Django; the rest is pure, so the loopback load tests
(which run the portal in gunicorn, not in-process) use it too.
"""

from __future__ import annotations

import json
import os
import random
import re
import tempfile
import time
from pathlib import Path


def django_configure(data: Path) -> None:
    """Set Django up in this process over the data folder ``data`` (SQLite database and
    Whoosh folder inside it). Debug is off, so there is no query log: production-like
    timings. Call before importing anything from ``documents``."""
    os.environ["PORTAL_DATA_DIR"] = str(data)
    os.environ["DATABASE_URL"] = f"sqlite:///{data / 'bench.sqlite3'}"
    os.environ["WHOOSH_PATH"] = str(data / "whoosh_portal")
    os.environ["SEARCH_BACKEND"] = "whoosh"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def django_setup(prefix: str, data: Path | None = None) -> Path:
    """``django_configure`` over ``data`` (a folder kept between runs) or a new
    temporary one, migrated; returns the folder (the caller deletes a temporary one)."""
    data = data or Path(tempfile.mkdtemp(prefix=prefix))
    django_configure(data)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return data


def slugify(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def mirror(source: Path, target: Path) -> Path:
    """Symlink ``source``'s <publisher>/<document>/<date>.md files under slugified names."""
    renames: dict[tuple[str, str], tuple[str, str]] = {}
    for file in sorted(source.rglob("*")):
        rel = file.relative_to(source).parts
        if not file.is_file() or len(rel) < 3:
            continue
        pub, doc = rel[-3], rel[-2]
        new = renames.setdefault((pub, doc), (slugify(pub) or "publisher", slugify(doc) or "document"))
        dest = target.joinpath(*new, rel[-1])
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.symlink_to(file.resolve())
    manifest = source / "manifest.json"
    if manifest.is_file():
        entries = json.loads(manifest.read_text(encoding="utf-8"))
        if isinstance(entries, list):
            for entry in entries:
                parts = Path(entry.get("path", "")).parts
                if len(parts) >= 2 and (parts[0], parts[1]) in renames:
                    entry["path"] = str(Path(*renames[(parts[0], parts[1])], *parts[2:]))
        (target / "manifest.json").write_text(json.dumps(entries), encoding="utf-8")
    return target


def synthetic_text(sections: int = 223, items: int = 9) -> str:
    """A terms of service of sections x items numbered clauses (223 x 9 + 4 = 2,231)."""
    rnd = random.Random(13)
    words = ("data service account user content terms agree provide right law party notice payment "
             "licence use access information rights may shall any other such including without").split()

    def sentence(n):
        return " ".join(rnd.choice(words) for _ in range(n)).capitalize() + "."

    lines = ["# Synthetic Terms of Service", "", "Effective as of January 1, 2024.", ""]
    for s in range(1, sections + 1):
        lines += [f"## {s}. {sentence(3)[:-1]}", ""]
        for k in range(1, items + 1):
            lines += [f"{s}.{k} {sentence(25)} {sentence(20)}", ""]
    return "\n".join(lines)


class Phases:
    """CPU seconds spent in each phase of what runs inside ``measure()``: ``phases`` are
    (module or class path, function name, label); each such function is wrapped (for
    the whole process) by a timer that counts only while ``measure()`` runs. Phases
    must not nest, or their time is counted twice."""

    def __init__(self, phases):
        import importlib

        self.cpu: dict[str, float] = {}
        self._originals = []
        for module_name, function, label in phases:
            owner, _, attribute = module_name.partition(":")
            module = importlib.import_module(owner)
            if attribute:
                module = getattr(module, attribute)
            original = getattr(module, function)
            self._originals.append((module, function, original))
            setattr(module, function, self._timed(original, label))
        self.active = False

    def _timed(self, original, label):
        def timed(*args, **kwargs):
            if not self.active:
                return original(*args, **kwargs)
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.cpu[label] = self.cpu.get(label, 0.0) + time.process_time() - started
        return timed

    def measure(self, fn):
        """(result, wall s, CPU s, queries) of ``fn()``, its phases added to ``self.cpu``."""
        from django.db import connection

        queries = []
        self.active = True
        try:
            with connection.execute_wrapper(lambda execute, sql, params, many, context: (
                    queries.append(sql), execute(sql, params, many, context))[1]):
                cpu, wall = time.process_time(), time.perf_counter()
                result = fn()
                return result, time.perf_counter() - wall, time.process_time() - cpu, len(queries)
        finally:
            self.active = False

    def breakdown(self, total_cpu: float, runs: int = 1, *, rest: str = "the rest", unit: float = 1000,
                  digits: int = 0) -> str:
        """Each phase's CPU per run (ms by default), and the rest of ``total_cpu``."""
        parts = [(label, seconds) for label, seconds in self.cpu.items()]
        parts.append((rest, total_cpu - sum(self.cpu.values())))
        self.cpu = {}
        return "; ".join(f"{label} {seconds / runs * unit:.{digits}f}" for label, seconds in parts
                         if seconds > 0.0005)
