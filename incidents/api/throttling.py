"""Request rate per key (or per signed-in user, or per address), configurable; 429 with Retry-After."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from incidents.models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    """`API_THROTTLE_RATE`, e.g. "600/min"; empty turns throttling off.

    Counts live in the default cache: configure a shared cache (Redis) when
    several processes serve the API, or each counts on its own.
    """

    scope = "api"

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATE or None

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, ApiKey):
            ident = f"key:{request.auth.pk}"
        elif getattr(request.user, "is_authenticated", False) and request.user.pk is not None:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"addr:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
