"""Helpers for the bounded loopback load tests: a throw-away data folder with the
corpus imported, gunicorn on 127.0.0.1, timed GET requests. Every loop is bounded and
only 127.0.0.1 is ever contacted."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
MANAGE = [PY, str(ROOT / "manage.py")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(p * len(values)))]


@contextlib.contextmanager
def portal(corpus: str = "tests/corpus/", workers: int = 2, threads: int = 4, extra_env=None):
    """A data folder with seeds/ and ``corpus`` imported and indexed, and gunicorn
    serving it; yields (base URL, env, server process)."""
    data = Path(tempfile.mkdtemp(prefix="portal-loopback-"))
    env = dict(os.environ, PORTAL_DATA_DIR=str(data), PORTAL_ENV="production",
               DJANGO_SECRET_KEY="load-test-only-" + "x" * 40, DJANGO_ALLOWED_HOSTS="127.0.0.1",
               DJANGO_SECURE_SSL_REDIRECT="0", AXES_ENABLED="0", LOG_LEVEL="WARNING",
               # Production checks that e-mailed links reach readers (portal.E001): a public address.
               PORTAL_BASE_URL="https://portal.example.com", **(extra_env or {}))
    server = None
    try:
        subprocess.run([*MANAGE, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run([*MANAGE, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        paths = ["seeds/"] + ([corpus] if corpus else [])
        subprocess.run([*MANAGE, "import_documents", "-v0", *paths], env=env, check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        subprocess.run([*MANAGE, "search_sync", "--repair"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        port = free_port()
        env["DJANGO_ALLOWED_PORTS"] = str(port)  # production refuses Host ports it does not serve
        # gunicorn's own log (errors, tracebacks) goes to $LOOPBACK_LOG when set.
        log = open(os.environ["LOOPBACK_LOG"], "ab") if os.environ.get("LOOPBACK_LOG") else subprocess.DEVNULL
        server = subprocess.Popen(
            [str(Path(PY).parent / "gunicorn"), "-c", "portal/gunicorn.conf.py", "--workers", str(workers),
             "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null",
             "portal.wsgi"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):  # bounded wait for the server (and its warm-up) to come up
            try:
                urllib.request.urlopen(base + "/search/?q=warm", timeout=5).read()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        yield base, env, server
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(data, ignore_errors=True)


@contextlib.contextmanager
def serve(data: Path, workers: int = 1, threads: int = 2, log: Path | None = None):
    """gunicorn (production settings) over an existing data folder ``data``, nothing
    imported or changed but collected static files; yields (base URL, env, server)
    once every worker has finished its warm-up (``post_worker_init`` logs "warmed"
    in ``log``): no request has reached a worker yet, so the caller's first request
    is each worker's first."""
    env = dict(os.environ, PORTAL_DATA_DIR=str(data), PORTAL_ENV="production",
               DJANGO_SECRET_KEY="load-test-only-" + "x" * 40, DJANGO_ALLOWED_HOSTS="127.0.0.1",
               DJANGO_SECURE_SSL_REDIRECT="0", AXES_ENABLED="0", LOG_LEVEL="WARNING",
               # Production checks that e-mailed links reach readers (portal.E001): a public address.
               PORTAL_BASE_URL="https://portal.example.com")
    env.pop("DATABASE_URL", None)
    subprocess.run([*MANAGE, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    log = log or Path(tempfile.mkstemp(prefix="portal-serve-", suffix=".log")[1])
    log.write_text("")
    port = free_port()
    env["DJANGO_ALLOWED_PORTS"] = str(port)  # production refuses Host ports it does not serve
    server = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "-c", "portal/gunicorn.conf.py", "--workers", str(workers),
         "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null",
         "--error-logfile", str(log), "--log-level", "info", "portal.wsgi"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(1200):  # bounded: two minutes for the workers to boot and warm up
            if log.read_text(errors="replace").count("warmed") >= workers:
                break
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {log}")
            time.sleep(0.1)
        else:
            raise RuntimeError(f"the workers did not warm up in two minutes: see {log}")
        yield f"http://127.0.0.1:{port}", env, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def get(base: str, path: str, params: dict | None = None, timeout: float = 30) -> tuple[int, bytes, float]:
    """(status, body, seconds) of one GET; status 0 for a connection failure."""
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    except (urllib.error.URLError, ConnectionError, OSError):
        body, status = b"", 0
    return status, body, time.perf_counter() - started


def worker_pids(server) -> list[int]:
    """gunicorn's worker processes (the master's children)."""
    try:
        text = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")
