"""gunicorn settings, read from the environment like everything else."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
workers = int(
    os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2))
)
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# A new worker is a safety net against leaks, not free: it imports Django
# again (about 0.7 s of CPU) and starts with empty kept pages. Every 2,000
# requests that cost a seventh of a busy server's throughput (make bench).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
accesslog = "-"
# The access log holds paths and status codes only, never query strings:
# a search term or a token in a URL is nobody's business in a log file.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# Tokens in paths (reset and confirmation links) are replaced as well.
logger_class = "portal.gunicorn_logging.RedactingLogger"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
