"""The address a sign-in attempt comes from, for django-axes' per-username-and-address counting."""

from django.conf import settings


def client_address(request) -> str | None:
    """The client's address: the socket's, or behind our proxy the one the proxy appended.

    Behind a TLS-terminating proxy (`BEHIND_PROXY`) every connection comes from
    the proxy, so counting `REMOTE_ADDR` would let anyone lock a monitor out by
    failing six times from anywhere. The proxy appends the address it saw to
    `X-Forwarded-For`; entries to the left of it are whatever the client wrote
    and are ignored, so an attacker cannot pose as the monitor's address.
    """
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        appended = forwarded.split(",")[-1].strip()
        if appended:
            return appended
    return request.META.get("REMOTE_ADDR")
