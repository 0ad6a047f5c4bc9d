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
    """Warm the worker up before it takes requests (portal.warmup: templates, database,
    search index), and log what each step took: what a first request would have paid."""
    try:
        from portal.warmup import warm

        steps = warm()
        worker.log.info("worker warmed in %.0f ms (%s)", sum(steps.values()) * 1000,
                        ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in steps.items()))
    except Exception:  # a missing or locked index must not keep the worker down
        worker.log.exception("warm-up failed")
