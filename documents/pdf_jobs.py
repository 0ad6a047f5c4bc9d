"""PDFs made once, in the background, and kept on disk.

A published version never changes, so neither does its PDF, nor a redline of two of
them: a PDF is stored under the hash of everything it is made from (the versions'
content hashes, the address its links name, the renderer's revision) and served from
disk from then on, by every worker process. Making one costs seconds of CPU, so a
request never makes it: it hands the HTML to this process's single worker thread and
answers "preparing" until the file is there. Bounds: one PDF in the making per
process, a queue of ``PORTAL_PDF_QUEUE`` jobs, ``PORTAL_PDF_PER_CLIENT`` jobs waiting
per client address, and no job for a text longer than ``PORTAL_PDF_MAX_CHARS``.

The worker is given finished HTML (made in the request, with its database reads), so
it needs no database connection and only runs WeasyPrint.
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from django.conf import settings

log = logging.getLogger(__name__)

# Part of every key: a change to the PDF templates or stylesheet that should reach
# stored PDFs bumps it (old files are then never read again).
RENDERER_REVISION = "4"

# A lock file older than this belongs to a process that died making the PDF (a
# recycled or killed worker): the longest text allowed takes well under a minute.
STALE_LOCK_SECONDS = 120


def _folder() -> Path:
    folder = Path(getattr(settings, "PORTAL_PDF_DIR", "") or Path(settings.DATA_DIR) / "pdf")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def key_for(*parts: object) -> str:
    """The name of a PDF: a hash of what it is made from."""
    h = hashlib.sha256(RENDERER_REVISION.encode())
    for part in parts:
        h.update(b"\x00" + str(part).encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:40]


def path_for(key: str) -> Path:
    return _folder() / f"{key}.pdf"


def stored(key: str) -> Path | None:
    path = path_for(key)
    return path if path.exists() else None


class Busy(Exception):
    """The job cannot be taken now: ``reason`` says why, ``retry_after`` when to try again."""

    def __init__(self, reason: str, retry_after: int, status: int):
        super().__init__(reason)
        self.reason, self.retry_after, self.status = reason, retry_after, status


@dataclass
class _Job:
    key: str
    client: str
    html: str = ""
    done: threading.Event = field(default_factory=threading.Event)
    error: str = ""


class _Worker:
    """One thread per process that writes PDFs, one at a time."""

    def __init__(self):
        self._lock = threading.Lock()
        self._jobs: dict[str, _Job] = {}  # waiting or in the making, by key
        self._queue: queue.Queue[_Job] = queue.Queue()
        self._thread: threading.Thread | None = None

    def _ensure_thread(self):
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="pdf-worker", daemon=True)
            self._thread.start()

    def submit(self, key: str, html: str, client: str) -> _Job:
        """Queue the PDF ``key`` made from ``html`` (or join the job already queued)."""
        with self._lock:
            if (job := self._jobs.get(key)) is not None:
                return job
            limit = int(getattr(settings, "PORTAL_PDF_QUEUE", 8))
            per_client = int(getattr(settings, "PORTAL_PDF_PER_CLIENT", 2))
            if len(self._jobs) >= limit:
                raise Busy(f"{len(self._jobs)} PDFs are being prepared; try again in a minute.", 60, 503)
            if sum(1 for j in self._jobs.values() if j.client == client) >= per_client:
                raise Busy(f"You already have {per_client} PDFs being prepared; this one can be asked for "
                           "when they are ready.", 30, 429)
            job = _Job(key=key, client=client, html=html)
            self._jobs[key] = job
            self._ensure_thread()
        self._queue.put(job)
        return job

    def pending(self, key: str) -> _Job | None:
        with self._lock:
            return self._jobs.get(key)

    def _run(self):
        while True:
            job = self._queue.get()
            try:
                _make(job.key, job.html)
            except Exception as exc:  # noqa: BLE001 - the reader is told; the worker lives on
                log.exception("PDF %s failed", job.key)
                job.error = str(exc)[:200] or exc.__class__.__name__
            finally:
                job.html = ""
                with self._lock:
                    self._jobs.pop(job.key, None)
                job.done.set()


_worker = _Worker()


def _make(key: str, html: str) -> None:
    """Write the PDF ``key`` unless it is there or another process is making it."""
    from documents import pdf

    target = path_for(key)
    if target.exists():
        return
    lock = target.with_suffix(".lock")
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        if time.time() - lock.stat().st_mtime < STALE_LOCK_SECONDS:
            return  # another worker process is making it; the reader's next look finds it
        lock.unlink(missing_ok=True)
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    os.close(fd)
    try:
        data = pdf.html_to_pdf(html)
        # Written whole, then renamed: a reader never gets half a file.
        with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as tmp:
            tmp.write(data)
        os.replace(tmp.name, target)
    finally:
        lock.unlink(missing_ok=True)


def request_pdf(key: str, make_html: Callable[[], str], *, client: str, wait: float | None = None) -> Path | _Job:
    """The stored PDF ``key``, or the job making it (queued now if it was not).
    Waits up to ``wait`` seconds (``PORTAL_PDF_WAIT``) so a small PDF is served at once.
    Raises ``Busy`` when the queue or the client's share of it is full."""
    if (path := stored(key)) is not None:
        return path
    job = _worker.pending(key) or _worker.submit(key, make_html(), client)
    wait = float(getattr(settings, "PORTAL_PDF_WAIT", 2.0)) if wait is None else wait
    if wait > 0:
        job.done.wait(wait)
    return stored(key) or job


def wait_for(key: str, timeout: float = 60) -> Path | None:
    """Wait for the PDF ``key`` (tests and the benchmark)."""
    job = _worker.pending(key)
    if job is not None:
        job.done.wait(timeout)
    return stored(key)
