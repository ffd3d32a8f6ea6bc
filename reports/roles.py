"""The roles are Django groups; this module says which permissions each carries."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission

from reports.choices import Role

# app_label.codename; "view" only where a role reads but does not change.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.MONITOR: [
        "reports.add_report",
        "reports.view_report",
        "reports.add_attachment",
    ],
    Role.REVIEWER: [
        "reports.view_report",
        "reports.change_report",
        "reports.view_reportcasualty",
        "reports.view_attachment",
        "reports.view_reviewdecision",
        "reports.view_category",
        "reports.view_area",
        "reports.view_organisation",
        "incidents.view_incident",
        "incidents.change_incident",
        "incidents.view_incidentcasualty",
        "incidents.change_incidentcasualty",
        "incidents.view_duplicatecandidate",
        "incidents.change_duplicatecandidate",
        "incidents.view_dailyaggregate",
    ],
}
ROLE_PERMISSIONS[Role.COORDINATOR] = (
    ROLE_PERMISSIONS[Role.REVIEWER]
    + [
        f"{app}.{action}_{model}"
        for app, model in [
            ("reports", "user"),
            ("reports", "organisation"),
            ("reports", "category"),
            ("reports", "area"),
            ("reports", "areaalias"),
            ("incidents", "apikey"),
        ]
        for action in ("view", "add", "change", "delete")
    ]
    + ["reports.view_attachmentaccess"]
    # Coordinators may see and delete (reset) an account's authenticator device, never read its key.
    + ["otp_totp.view_totpdevice", "otp_totp.delete_totpdevice"]
)


def ensure_role_groups(sender=None, **kwargs) -> None:
    """Create the role groups and give each exactly its permissions (idempotent)."""
    # Runs after every app's migrations: the permissions of later apps exist only then.
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for code in dict.fromkeys(codes):
            app_label, codename = code.split(".")
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)


def two_factor_required() -> bool:
    """The admin's one-time code is required (everywhere but the local demo)."""
    return bool(getattr(settings, "SIJIL_ADMIN_2FA", True))


def acts_as_reviewer(user, *, via_key: bool = False) -> bool:
    """Whether this user may be served as a reviewer now: the role, and the second factor.

    A reviewer's session counts only once it proved a one-time code (django-otp's
    `is_verified()`), wherever it is used — the admin, the API's browsable
    session, attachment originals — so a stolen password alone opens nothing a
    reviewer sees. An API key issued to a reviewer is itself the second secret.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_reviewer:
        return False
    if via_key or not two_factor_required():
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())
