#!/usr/bin/env python
"""Run django-haystack 3.4.0's own Whoosh tests against the portal's Whoosh engine.

    .venv/bin/python tests/haystack_suite/run.py [--engine portal|stock] [test labels]

The tests come from the sdist on the package index (``pip download --no-binary :all:
--no-deps django-haystack==3.4.0``), checked against a pinned sha256, and only its
``test_haystack`` folder is used: haystack itself is the installed one. They run with
haystack's own settings (``test_haystack.settings``) except that the ``whoosh``
connections use ``documents.search.backend.PortalWhooshEngine`` (see settings.py,
which also lists the exceptions). The default labels are ``test_haystack.whoosh_tests``.
Bounded: the run is killed after ``--timeout`` seconds (default 240).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VERSION = "3.4.0"
SDIST = f"django_haystack-{VERSION}.tar.gz"
SHA256 = "1226a7c9ce13e1e7ead8ac83f6e87bfef4996f146ed24971fde7896115b1c530"
CACHE = Path(os.environ.get("HAYSTACK_SUITE_CACHE", ROOT / "var" / "cache" / "haystack-suite"))


class Unavailable(RuntimeError):
    """The sdist could not be fetched (no package index reachable)."""


def sdist() -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / SDIST
    if not path.exists():
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-binary", ":all:", "--no-deps",
             f"django-haystack=={VERSION}", "-d", str(CACHE)],
            capture_output=True, text=True, timeout=180,
        )
        if done.returncode != 0 or not path.exists():
            raise Unavailable(f"pip download failed: {done.stderr.strip()[-500:]}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != SHA256:
        path.unlink()
        raise RuntimeError(f"{SDIST} has sha256 {digest}, expected {SHA256}")
    return path


def tests_folder() -> Path:
    """The sdist's ``test_haystack`` folder, extracted once into the cache."""
    target = CACHE / f"tests-{VERSION}"
    CACHE.mkdir(parents=True, exist_ok=True)
    if (target / "test_haystack" / "whoosh_tests").is_dir():
        return target
    archive = sdist()
    tmp = Path(tempfile.mkdtemp(dir=CACHE))
    prefix = f"django_haystack-{VERSION}/test_haystack/"
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix) and (m.isfile() or m.isdir())]
        for member in members:
            member.name = member.name[len(f"django_haystack-{VERSION}/"):]
        tar.extractall(tmp, members=members, filter="data")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target


def run(engine: str = "portal", labels=(), timeout: float = 240) -> subprocess.CompletedProcess:
    folder = tests_folder()
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "tests.haystack_suite.settings",
        "HAYSTACK_SUITE_ENGINE": engine,
        "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]),
    })
    workdir = tempfile.mkdtemp(prefix="haystack-suite-")
    try:
        return subprocess.run(
            [sys.executable, "-m", "django", "test", "--noinput", *(labels or ["test_haystack.whoosh_tests"])],
            cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout,
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("portal", "stock"), default="portal")
    parser.add_argument("--timeout", type=float, default=240)
    parser.add_argument("labels", nargs="*")
    args = parser.parse_args()
    done = run(args.engine, args.labels, args.timeout)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
