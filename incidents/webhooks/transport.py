"""Sending one webhook over HTTP without letting a URL reach inside the network (SSRF).

The host is resolved once; every address it resolves to must be public
(not loopback, private, link-local, multicast, reserved or unspecified),
and the connection goes to the address checked — not to a second lookup, so
DNS rebinding cannot swap it (connections are kept per worker process, in a
pool keyed by that checked address). `https://` only, the certificate checked against
the host name. `WEBHOOKS_ALLOW_LOOPBACK` (tests, the demo) also allows
`http://` to a loopback address, and nothing else private.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext as _

TIMEOUT_SECONDS = 10.0


class UnsafeUrl(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    latency_ms: int
    retry_after: float | None = None
    error: str = ""


def loopback_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK", False))


def check_url(url: str, *, resolve: bool = True) -> tuple[str, str, int, list[str]]:
    """(scheme, host, port, addresses) of a URL webhooks may be sent to, or `UnsafeUrl` with the reason."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeUrl(_("Give an https:// URL."))
    if parts.username or parts.password:
        raise UnsafeUrl(_("No user name or password in the URL."))
    host = parts.hostname
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise UnsafeUrl(_("The port is not a number.")) from None
    if not resolve:
        if scheme == "http" and not loopback_allowed():
            raise UnsafeUrl(_("Only https:// URLs are allowed."))
        return scheme, host, port, []
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeUrl(_("The host name does not resolve.")) from None
    # An AF_INET or AF_INET6 sockaddr starts with the address as text (typeshed's stubs also allow the
    # (int, bytes) form of a Python built without IPv6).
    addresses = list(dict.fromkeys(cast(str, info[4][0]) for info in infos))
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if ip.is_loopback and loopback_allowed():
            continue
        if not ip.is_global or ip.is_multicast or ip.is_loopback or ip.is_link_local or ip.is_private:
            raise UnsafeUrl(_("The host resolves to a private or local address (%(ip)s).") % {"ip": address})
    if scheme == "http" and not (loopback_allowed() and all(ipaddress.ip_address(a).is_loopback for a in addresses)):
        raise UnsafeUrl(_("Only https:// URLs are allowed."))
    return scheme, host, port, addresses


# One connection pool per checked address, kept for the life of the worker process: a delivery reuses the
# connection the previous one to the same receiver left open (no new TCP and TLS handshake each time).
# The key is the address that was checked, so a pooled connection never goes anywhere a fresh check would
# not allow: a host that resolves elsewhere next time gets a pool of its own (after its own check).
MAX_POOLS = 64
_pools: OrderedDict[tuple[str, str, int, str], urllib3.HTTPConnectionPool] = OrderedDict()


def _pool(scheme: str, address: str, port: int, host: str) -> urllib3.HTTPConnectionPool:
    key = (scheme, address, port, host)
    pool = _pools.get(key)
    if pool is not None:
        _pools.move_to_end(key)
        return pool
    timeout = urllib3.Timeout(total=TIMEOUT_SECONDS)
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            timeout=timeout,
            maxsize=1,
            retries=False,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, maxsize=1, retries=False)
    _pools[key] = pool
    while len(_pools) > MAX_POOLS:
        _pools.popitem(last=False)[1].close()
    return pool


Checked = tuple[str, str, int, list[str]] | UnsafeUrl


def post(*, url: str, body: bytes, headers: dict[str, str], checked: dict[str, Checked] | None = None) -> Answer:
    """POST once, 10 seconds at most, no redirects followed; never raises for the network's failures.

    The URL is checked (and its host resolved) first; `checked` keeps those
    answers for the length of a batch of deliveries, so a batch to one
    receiver resolves its host once.
    """
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    result = checked.get(url) if checked is not None else None
    if result is None:
        try:
            result = check_url(url)
        except UnsafeUrl as exc:
            result = exc
        if checked is not None:
            checked[url] = result
    if isinstance(result, UnsafeUrl):
        return Answer(status_code=None, latency_ms=elapsed(), error=result.reason[:200])
    scheme, host, port, addresses = result
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = host if port in (80, 443) else f"{host}:{port}"
    last_error = ""
    for address in addresses[:2]:
        pool = _pool(scheme, address, port, host)
        # A kept connection the receiver has just closed fails before any answer: once more on a fresh one.
        for again in (True, False):
            try:
                response = pool.urlopen(
                    "POST",
                    target,
                    body=body,
                    headers={**headers, "host": host_header},
                    redirect=False,
                    retries=False,
                    preload_content=False,
                    timeout=urllib3.Timeout(total=TIMEOUT_SECONDS),
                )
            except urllib3.exceptions.ProtocolError as exc:
                last_error = type(exc).__name__
                if again:
                    continue
                break
            except urllib3.exceptions.HTTPError as exc:
                last_error = type(exc).__name__
                break
            try:
                response.read(64 * 1024)  # enough to not hang on a large answer
                if response.read(1):
                    response.close()  # a longer answer: the connection is not reused
            except urllib3.exceptions.HTTPError:
                response.close()
            response.release_conn()
            return Answer(
                status_code=response.status,
                latency_ms=elapsed(),
                retry_after=_retry_after(response.headers.get("retry-after")),
            )
    return Answer(status_code=None, latency_ms=elapsed(), error=last_error[:200])


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())
