"""Writes and the one read on API keys: issue, revoke, and resolve a presented key.

A key is `sjl_<8 hex>_<43 url-safe characters>`: the first part is the stored
`prefix` (it names the key in lists and logs without revealing it), the whole
is 256 random bits and is stored only as its SHA-256. A slow password hash
would add latency to every request and nothing else: nobody can brute-force
256 random bits.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import ApiKey, ApiKeyScope
from reports.models import Organisation, User

KEY_PREFIX = "sjl_"
# The shape of a key a caller chooses (the local demo's published key): the prefix, 8 characters, a long tail.
CHOSEN_KEY = re.compile(r"sjl_[0-9a-z]{8}_[A-Za-z0-9_-]{32,87}")
# Scopes an organisation's key may carry: partners read verified data, never reports.
ORGANISATION_SCOPES = frozenset({ApiKeyScope.INCIDENTS_READ, ApiKeyScope.AGGREGATES_READ, ApiKeyScope.WEBHOOKS_MANAGE})
# Recording the last use is a write; do it at most this often per key.
LAST_USE_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    key: str  # shown once, never stored


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_issue(
    *,
    name: str,
    scopes: list[str],
    user: User | None = None,
    organisation: Organisation | None = None,
    expires_at: datetime | None = None,
    created_by: User | None = None,
    key: str | None = None,
) -> IssuedKey:
    """Make a key for a user or a partner organisation and return it once, in clear.

    `key` is for the local demo only (demo/loader.py publishes its partner's
    key so the API can be tried at once); everywhere else the key is drawn here.
    """
    errors: dict[str, list[str]] = {}
    if key is not None:
        if settings.PRODUCTION:
            errors.setdefault("key", []).append(_("A chosen key is for the local demo only."))
        elif not CHOSEN_KEY.fullmatch(key):
            errors.setdefault("key", []).append(
                _("A chosen key is sjl_, 8 lowercase letters or digits, _, then 32 to 87 URL-safe characters.")
            )
    if (user is None) == (organisation is None):
        errors.setdefault("owner", []).append(_("A key belongs to a user or to an organisation, not both."))
    unknown = sorted(set(scopes) - set(ApiKeyScope.values))
    if unknown:
        errors.setdefault("scopes", []).append(_("Unknown scopes: %(s)s.") % {"s": ", ".join(unknown)})
    if not scopes:
        errors.setdefault("scopes", []).append(_("Give at least one scope."))
    if organisation is not None:
        if organisation.kind != Organisation.Kind.PARTNER:
            errors.setdefault("owner", []).append(_("%(o)s is not a partner organisation.") % {"o": organisation})
        refused = sorted(set(scopes) - ORGANISATION_SCOPES - set(unknown))
        if refused:
            errors.setdefault("scopes", []).append(
                _("An organisation's key reads verified data only; not allowed: %(s)s.") % {"s": ", ".join(refused)}
            )
    if user is not None and not user.is_active:
        errors.setdefault("owner", []).append(_("The user is not active."))
    if expires_at is not None and expires_at <= timezone.now():
        errors.setdefault("expires_at", []).append(_("The expiry is in the past."))
    if errors:
        raise ValidationError(errors)

    if key is None:
        prefix = KEY_PREFIX + secrets.token_hex(4)
        key = f"{prefix}_{secrets.token_urlsafe(32)}"
    else:
        prefix = key[: len(KEY_PREFIX) + 8]
    api_key = ApiKey.objects.create(
        name=name[:100] or prefix,
        prefix=prefix,
        hashed_key=hash_key(key),
        user=user,
        organisation=organisation,
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
        created_by=created_by,
    )
    return IssuedKey(api_key=api_key, key=key)


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key; the next request that presents it is refused (nothing caches keys)."""
    with transaction.atomic():
        ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    api_key.refresh_from_db(fields=["revoked_at"])
    return api_key


# The names of the groups of a key's user, as an array (SQL of constants: the tables' own names). Written
# out rather than as an ArraySubquery, which Django takes longer to compile than the database to run.
USER_GROUP_NAMES_SQL = (
    f"ARRAY(SELECT g.name FROM {Group._meta.db_table} g "  # noqa: S608
    f"JOIN {User.groups.through._meta.db_table} m ON m.group_id = g.id "
    f"WHERE m.user_id = {ApiKey._meta.db_table}.user_id)"
)


def api_key_find(*, key: str) -> ApiKey | None:
    """The stored key a presented key hashes to, with its owner, or None. Expiry is the caller's to check."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    keys = ApiKey.objects.select_related("user", "user__organisation", "organisation").filter(hashed_key=hash_key(key))
    if connection.vendor != "postgresql":
        return keys.first()
    # The user's groups in the same query (an array subquery), so the role check after it reads nothing.
    api_key = keys.annotate(user_group_names=RawSQL(USER_GROUP_NAMES_SQL, ())).first()  # noqa: S611 — constants
    if api_key is not None and api_key.user is not None:
        api_key.user.roles_read(api_key.user_group_names)
    return api_key


def api_key_record_use(*, api_key: ApiKey) -> None:
    """Note that a key was used, writing at most once per `LAST_USE_RESOLUTION` whatever the traffic."""
    now = timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USE_RESOLUTION:
        return
    # Conditional UPDATE: of many concurrent requests, one writes.
    ApiKey.objects.filter(pk=api_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USE_RESOLUTION)
    ).update(last_used_at=now)
    api_key.last_used_at = now
