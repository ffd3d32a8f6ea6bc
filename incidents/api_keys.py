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
from typing import cast

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Field, Model, Q
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


def api_key_find(*, key: str) -> ApiKey | None:
    """The stored key a presented key hashes to, with its owner, or None. Expiry is the caller's to check.

    Every API request runs this. On PostgreSQL it is one statement written
    once per process (`_find_statement`): the key, its user with the user's
    organisation and group names, or its organisation, built into model
    instances as the ORM would. The ORM's own query (select_related of three
    tables and an array of group names) spent 1.2 ms compiling for a 0.1 ms
    query (BENCHMARKS.md, "Submissions").
    """
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    if connection.vendor != "postgresql":
        keys = ApiKey.objects.select_related("user", "user__organisation", "organisation")
        return keys.filter(hashed_key=hash_key(key)).first()
    sql, parts = _find_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [hash_key(key)])
        row = cursor.fetchone()
    if row is None:
        return None
    key_part, user_part, user_organisation_part, organisation_part = parts
    api_key = cast(ApiKey, key_part.build(row))
    user = cast(User | None, user_part.build(row))
    if user is not None:
        user.organisation = cast(Organisation | None, user_organisation_part.build(row))
        user.roles_read(row[-1])
    api_key.user = user
    api_key.organisation = cast(Organisation | None, organisation_part.build(row))
    return api_key


@dataclass(frozen=True)
class _Part:
    """One model's columns in a row: where they are, and how the ORM would convert them."""

    model: type[Model]
    start: int
    names: tuple[str, ...]
    converters: tuple[tuple[int, Field, tuple], ...]

    @classmethod
    def of(cls, model: type[Model], start: int) -> _Part:
        fields = model._meta.concrete_fields
        converters = tuple(
            (i, f, functions) for i, f in enumerate(fields) if (functions := tuple(f.get_db_converters(connection)))
        )
        return cls(model=model, start=start, names=tuple(f.attname for f in fields), converters=converters)

    def columns(self, alias: str) -> str:
        return ", ".join(f'{alias}."{f.column}"' for f in self.model._meta.concrete_fields)

    def build(self, row: tuple) -> Model | None:
        values = list(row[self.start : self.start + len(self.names)])
        if values[0] is None:  # the primary key: a LEFT JOIN that found nothing
            return None
        for i, field, functions in self.converters:
            for function in functions:
                values[i] = function(values[i], field, connection)
        return self.model.from_db(connection.alias, list(self.names), values)


_statement: tuple[str, tuple[_Part, ...]] | None = None


def _find_statement() -> tuple[str, tuple[_Part, ...]]:
    """`api_key_find`'s SQL (from the models' own tables and columns: constants) and its row's parts."""
    global _statement
    if _statement is None:
        parts, start = [], 0
        for model in (ApiKey, User, Organisation, Organisation):
            parts.append(_Part.of(model, start))
            start += len(parts[-1].names)
        key_part, user_part, user_org_part, org_part = parts
        org_table = Organisation._meta.db_table
        sql = (
            f"SELECT {key_part.columns('k')}, {user_part.columns('u')}, {user_org_part.columns('uo')}, "  # noqa: S608
            f"{org_part.columns('ko')}, "
            f"ARRAY(SELECT g.name FROM {Group._meta.db_table} g "
            f"JOIN {User.groups.through._meta.db_table} m ON m.group_id = g.id WHERE m.user_id = k.user_id) "
            f"FROM {ApiKey._meta.db_table} k "
            f"LEFT JOIN {User._meta.db_table} u ON u.id = k.user_id "
            f"LEFT JOIN {org_table} uo ON uo.id = u.organisation_id "
            f"LEFT JOIN {org_table} ko ON ko.id = k.organisation_id "
            f"WHERE k.hashed_key = %s"
        )
        _statement = (sql, tuple(parts))
    return _statement


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
