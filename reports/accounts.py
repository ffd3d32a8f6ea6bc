"""Writes on users and organisations.

A role is membership of the Django group of the same name (`reports/roles.py`
says which permissions each carries), and reviewers and coordinators get
`is_staff` so that Django's own admin checks let them in. `user_create` and
`user_update` are the one place that turns a role into groups and `is_staff`;
the `create_user` command, the admin's user forms (`reports/admin.py`) and the
demo loader (`demo/loader.py`) all call them.

Each records who did it: a change made by a signed-in person is an entry of
Django's admin log (the account's History page in the admin) naming the role
before and after and the fields changed, never their values; a change made
from the command line, where nobody is signed in, is a line of the
`sijil.accounts` log with the account's id.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from typing import Final

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from reports.choices import Role
from reports.models import Organisation, User

logger = logging.getLogger("sijil.accounts")


class _Keep(enum.Enum):
    KEEP = "keep"


# "Leave as it is", for the organisation, where None means "no organisation".
KEEP: Final = _Keep.KEEP

# The fields of an account `user_update` changes besides the role (the admin's change form shows these).
PROFILE_FIELDS: Final = (
    "username",
    "first_name",
    "last_name",
    "email",
    "organisation",
    "time_zone",
    "preferred_language",
    "is_active",
)


def organisation_ensure(*, name: str, kind: str = Organisation.Kind.MONITORING) -> Organisation:
    """The organisation of this name, created with `kind` if there is none (an existing one keeps its kind)."""
    organisation, _created = Organisation.objects.get_or_create(name=name, defaults={"kind": kind})
    return organisation


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    password: str,
    by: User | None,
    organisation: Organisation | None = None,
    email: str = "",
    validate: bool = True,
) -> User:
    """Create an account in the group of its role; `by` is who does it (None: the command line)."""
    errors: dict[str, list[str]] = {}
    _check_role(role, errors)
    _check_username(username, errors, exclude=None)
    if errors:
        raise ValidationError(errors)
    user = User(username=username, email=email, organisation=organisation)
    if validate:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.save()
    _role_apply(user, role)
    _record(
        user,
        by=by,
        action=ADDITION,
        message=_("Created with the role %(role)s.") % {"role": _role_label(role)},
    )
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    by: User | None,
    role: str | None = None,
    username: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
    organisation: Organisation | _Keep | None = KEEP,
    time_zone: str | None = None,
    preferred_language: str | None = None,
    is_active: bool | None = None,
) -> User:
    """Change an account's role and profile; what is not given (None, or `KEEP`) stays as it is.

    The row is read again, locked, and compared with what is given, so `user`
    may carry unsaved edits (the admin's form puts them there). Nothing new:
    nothing written, nothing recorded. Bad input raises a `ValidationError`
    keyed by field and changes nothing.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    wanted: dict[str, object] = {
        "username": username,
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "time_zone": time_zone,
        "preferred_language": preferred_language,
        "is_active": is_active,
    }
    changes: dict[str, object] = {
        name: value for name, value in wanted.items() if value is not None and getattr(locked, name) != value
    }
    if organisation is not KEEP and locked.organisation != organisation:
        changes["organisation"] = organisation
    old_roles = _roles_of(locked)
    target = role if role is not None else next(iter(old_roles), None)
    role_changes = role is not None and old_roles != [role]  # another role, or several at once
    # An account whose flag disagrees with its role (made before this module was the only writer) is put right.
    staff_drift = target is not None and locked.is_staff != _staff(target)

    errors: dict[str, list[str]] = {}
    if role is not None:
        _check_role(role, errors)
    if "username" in changes:
        _check_username(str(changes["username"]), errors, exclude=locked.pk)
    if errors:
        raise ValidationError(errors)
    if not changes and not role_changes and not staff_drift:
        return locked

    for name, value in changes.items():
        setattr(locked, name, value)
    if changes:
        locked.save(update_fields=list(changes))
    parts = []
    if target is not None and (role_changes or staff_drift):
        _role_apply(locked, target)
        if role_changes:
            old = _list(_role_label(name) for name in old_roles) if old_roles else "—"
            parts.append(_("Role: %(old)s → %(new)s.") % {"old": old, "new": _role_label(target)})
        else:
            parts.append(_("Admin access put in line with the role %(role)s.") % {"role": _role_label(target)})
    if changes:
        labels = _list(str(getattr(User._meta.get_field(name), "verbose_name", name)) for name in changes)
        parts.append(_("Changed: %(fields)s.") % {"fields": labels})
    _record(locked, by=by, action=CHANGE, message=" ".join(parts))
    return locked


def _roles_of(user: User) -> list[str]:
    """The account's role groups, in the order of `Role` (one, unless made outside these services)."""
    names = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    return [role for role in Role.values if role in names]


def _list(items: Iterable[str]) -> str:
    return pgettext("between the items of a list", ", ").join(items)


def _role_label(role: str | None) -> str:
    """The role as the person recording it reads it (their language), so an Arabic entry is one right-to-left run."""
    return str(Role(role).label) if role in Role.values else (role or "—")


def _staff(role: str | None) -> bool:
    return role is not None and role != Role.MONITOR


def _role_apply(user: User, role: str) -> None:
    """The one place a role becomes groups and `is_staff`: its group only, among the role groups."""
    user.groups.remove(*Group.objects.filter(name__in=Role.values).exclude(name=role))
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    staff = _staff(role)
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_roles_cache", None)  # `User.roles` reads the groups again


def _check_role(role: str, errors: dict[str, list[str]]) -> None:
    if role not in Role.values:
        errors.setdefault("role", []).append(
            _("Unknown role “%(role)s”; one of %(roles)s.") % {"role": role, "roles": ", ".join(Role.values)}
        )


def username_check(*, username: str, exclude: int | None = None) -> None:
    """Raise a `ValidationError` if the name is empty or taken, in any case, by another account than `exclude`."""
    if not username.strip():
        raise ValidationError(_("A username is required."), code="required")
    taken = User.objects.filter(username__iexact=username)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError(_("A user named “%(name)s” already exists.") % {"name": username}, code="unique")


def _check_username(username: str, errors: dict[str, list[str]], *, exclude: int | None) -> None:
    try:
        username_check(username=username, exclude=exclude)
    except ValidationError as error:
        errors.setdefault("username", []).extend(error.messages)


def _record(user: User, *, by: User | None, action: int, message: str) -> None:
    if by is not None:
        LogEntry.objects.log_actions(
            user_id=by.pk, queryset=[user], action_flag=action, change_message=message, single_object=True
        )
    else:
        logger.info("account %s: %s (from the command line)", user.pk, message)
