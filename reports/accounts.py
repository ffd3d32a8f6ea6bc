"""Writes on users and organisations."""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from reports.choices import Role
from reports.models import Organisation, User


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    password: str,
    organisation_name: str | None = None,
    email: str = "",
    validate: bool = True,
) -> User:
    """Create a user in the group of its role. Reviewers and coordinators get admin (staff) access."""
    if role not in Role.values:
        raise ValidationError({"role": [f"Unknown role “{role}”; one of {', '.join(Role.values)}."]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [f"A user named “{username}” already exists."]})
    organisation = None
    if organisation_name:
        organisation, _ = Organisation.objects.get_or_create(name=organisation_name)
    user = User(username=username, email=email, organisation=organisation, is_staff=role != Role.MONITOR)
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user
