"""What a caller may do: its role (who it is) and, for a key, its scopes (what the key was issued for).

A session has no scopes: a signed-in person may do what the role allows. A
key may do what the role allows *and* the key's scopes cover. Which objects
a caller sees is the viewset's scoped queryset (`incidents.api.selectors`);
permissions only decide whether the action is open to the caller at all.
"""

from __future__ import annotations

from enum import StrEnum

from rest_framework import permissions

from incidents.api.auth import PartnerClient
from incidents.models import ApiKey
from reports.roles import acts_as_reviewer

# For reference data (categories, areas) any scope will do: every client needs them.
ANY_SCOPE = "*"


class Viewer(StrEnum):
    """The role a request is answered for; the querysets are scoped by it."""

    PARTNER = "partner"  # an organisation's key: verified incidents and aggregates, redacted
    MONITOR = "monitor"  # own reports; incidents as a partner sees them
    REVIEWER = "reviewer"  # reviewers and coordinators: everything


ALL_VIEWERS = frozenset(Viewer)


def viewer_of(request) -> Viewer | None:
    user = request.user
    if isinstance(user, PartnerClient):
        return Viewer.PARTNER
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_reviewer:
        # A reviewer's session without its one-time code is nobody here (reports.roles.acts_as_reviewer).
        return Viewer.REVIEWER if acts_as_reviewer(user, via_key=isinstance(request.auth, ApiKey)) else None
    if user.is_monitor:
        return Viewer.MONITOR
    return None


class RoleAndScope(permissions.BasePermission):
    """The viewset declares, per action, the roles it is open to and the scope a key needs.

    `action_roles = {"list": {Viewer.MONITOR, ...}, ...}` and
    `action_scopes = {"list": "reports:read", ...}`; an action missing from
    either is closed.
    """

    message = "Your role or your key's scopes do not allow this."

    def has_permission(self, request, view) -> bool:
        action = getattr(view, "action", None) or request.method.lower()
        viewer = viewer_of(request)
        if viewer is None or viewer not in view.action_roles.get(action, ()):
            return False
        if isinstance(request.auth, ApiKey):
            scope = view.action_scopes.get(action)
            held = request.auth.scopes or []
            return scope is not None and ((scope == ANY_SCOPE and bool(held)) or scope in held)
        return True
