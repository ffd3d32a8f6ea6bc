"""Who is calling: a bearer key (a user's or a partner organisation's), or a signed-in session.

Keys are looked up on every request, so a revocation takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from incidents.api_keys import api_key_find, api_key_record_use
from reports.models import Organisation, User


@dataclass(frozen=True)
class PartnerClient:
    """The caller behind an organisation's key: a partner NGO, not a person.

    It stands in for `request.user` so that permission checks read the same
    way for everyone; it has no roles and no database row of its own.
    """

    organisation: Organisation

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    is_monitor = False
    is_reviewer = False
    is_coordinator = False
    pk = None
    id = None
    roles: frozenset[str] = frozenset()

    def has_role(self, role: str) -> bool:
        return False

    def has_perm(self, perm: str, obj=None) -> bool:
        return False

    def __str__(self) -> str:
        return f"partner {self.organisation.name}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>`."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the key after “Bearer ”, with no spaces in it."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid key.")) from None
        api_key = api_key_find(key=key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("Invalid key."))
        if api_key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This key has been revoked."))
        if api_key.expires_at is not None and api_key.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("This key has expired."))
        principal: User | PartnerClient
        if api_key.user is not None:
            if not api_key.user.is_active:
                raise exceptions.AuthenticationFailed(_("The key's user is not active."))
            principal = api_key.user
        else:
            organisation = api_key.organisation
            assert organisation is not None  # noqa: S101 — a key has a user or an organisation (a check constraint)
            principal = PartnerClient(organisation=organisation)
        api_key_record_use(api_key=api_key)
        return principal, api_key

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the schema (and Swagger UI's "Authorize") describes the bearer key."""

    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A key from `manage.py issue_api_key`: `Authorization: Bearer sjl_…`.",
        }
