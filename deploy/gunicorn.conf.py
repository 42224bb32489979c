"""Gunicorn settings for Precinct's web process (``gunicorn -c deploy/gunicorn.conf.py portal.wsgi``).

Every value can be changed from the environment; docs/deploy.md explains each.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threaded workers: a request that waits (for a tip's files to be cleaned in their own low-priority
# process, for the database, for a slow client) holds one thread, not the whole worker, so the other
# visitors' pages keep being answered. Two workers per core, four threads each, is a good start.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A worker whose main loop stops answering for this long is restarted (with threads, a slow request
# does not stop the loop; tips/attachments.py bounds the slowest one, file cleaning, to 25 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak can never take the site down. Not too often: while a
# worker is replaced the others carry its load, and at 2,000 a busy site paid that every few seconds.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000
# The TLS proxy in front sets X-Forwarded-For / -Proto; trust it only from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# "-" logs each request to standard output; an empty value turns the access log off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# No line at all for tip pages, static files and icons; tokens in links masked (docs/tips-threat-model.md).
logger_class = "tips.gunicorn_logging.TipPrivacyLogger"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# The app is loaded once in the master, so workers share its memory and start fast.
preload_app = True


def when_ready(server):
    """In the master, before the first worker forks: workers (and their recycled successors) start warm."""
    import gc

    from portal.warmup import warm_up

    try:
        server.log.info("Warmed up before forking workers: %s", warm_up())
    except Exception:  # A warm-up is an optimisation: workers then load all this on first use.
        server.log.exception("Warm-up failed; workers start cold")
    # What is loaded by now lives as long as the process: leave it out of every garbage collection,
    # so a full collection in a worker stops scanning a million objects (a pause of tens of ms in
    # the middle of a request), and does not touch, and so copy, the pages it shares with the master.
    gc.freeze()
