"""Settings for bench_api_export.py's gunicorn: the real site, its URLs plus one baseline view."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "api_bench_urls"
API_THROTTLE_RATE = ""
API_THROTTLE_WRITE_RATE = ""
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
