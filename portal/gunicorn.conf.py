"""gunicorn settings for production: `gunicorn -c portal/gunicorn.conf.py portal.wsgi`."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Searches are CPU-bound (Whoosh is pure Python): one worker per core, a few threads
# each for the time spent waiting on the database.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Open the search index once per worker before it takes requests, so the first
    search does not pay for it (the searcher is shared by the worker's threads)."""
    try:
        from documents.search.service import warm

        worker.log.info("search warmed in %.0f ms", warm() * 1000)
    except Exception:  # a missing or locked index must not keep the worker down
        worker.log.exception("search warm-up failed")
