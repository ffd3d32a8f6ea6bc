"""Request rate per key (or per signed-in user, or per address), per scope; 429 with Retry-After.

Two scopes, each with its own rate and its own count: reads (`API_THROTTLE_RATE`, 300/min by default)
and writes — submissions, reviews, uploads, merges — (`API_THROTTLE_WRITE_RATE`, 60/min). Counts live
in the default cache, which production requires to be Redis (`CACHE_URL`): every process and machine
serving the API counts in one place, so a key gets its rate, not its rate times the number of processes.

The count is a fixed window with an atomic increment (`cache.incr`, Redis INCR): concurrent requests
in several processes can never both take the last place, as DRF's read-modify-write of a list of
timestamps can. A window is the rate's period (a minute), aligned to the clock; `Retry-After` is the
time left in it.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from incidents.models import ApiKey

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiKeyRateThrottle(SimpleRateThrottle):
    """`API_THROTTLE_RATE` / `API_THROTTLE_WRITE_RATE`, e.g. "300/min"; empty turns that scope's throttling off."""

    scope = "api"

    def allow_request(self, request, view) -> bool:
        self.scope = "api" if request.method in SAFE_METHODS else "api-write"
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        num_requests, duration = self.parse_rate(self.rate)
        assert num_requests is not None and duration is not None  # noqa: S101 — a rate was given
        self.num_requests, self.duration = num_requests, duration
        self.now = self.timer()
        window = int(self.now // duration)
        self.window_end = (window + 1) * duration
        key = f"{self.get_cache_key(request, view)}:{window}"
        self.cache.add(key, 0, timeout=duration + 1)
        try:
            count = self.cache.incr(key)
        except ValueError:  # expired between the two calls: this request opens the count again
            self.cache.add(key, 1, timeout=duration + 1)
            count = 1
        return count <= num_requests

    def wait(self) -> float:
        return max(1.0, self.window_end - self.now)

    def get_rate(self) -> str | None:
        rate = settings.API_THROTTLE_RATE if self.scope == "api" else settings.API_THROTTLE_WRITE_RATE
        return rate or None

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, ApiKey):
            ident = f"key:{request.auth.pk}"
        elif getattr(request.user, "is_authenticated", False) and request.user.pk is not None:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"addr:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
