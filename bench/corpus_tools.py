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
from pathlib import Path


def django_setup(prefix: str, data: Path | None = None) -> Path:
    """Set Django up in this process over a new temporary ``PORTAL_DATA_DIR`` (SQLite
    and Whoosh inside it), or over ``data`` (a folder kept between runs), and return
    that folder; the caller deletes a temporary one at the end.

    Debug is off, so there is no query log: production-like timings. Call before
    importing anything from ``documents``.
    """
    data = data or Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["PORTAL_DATA_DIR"] = str(data)
    os.environ["DATABASE_URL"] = f"sqlite:///{data / 'bench.sqlite3'}"
    os.environ["WHOOSH_PATH"] = str(data / "whoosh_portal")
    os.environ["SEARCH_BACKEND"] = "whoosh"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django
    from django.core.management import call_command

    django.setup()
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
