"""Accounts: `user_create` and `user_update` (reports/accounts.py) are the one place a role becomes groups and
`is_staff`, and they record who did it; the create_user command, the admin's user forms and the demo use them."""

import io

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from reports.accounts import user_create, user_update
from reports.choices import Role
from reports.models import User
from tests.factories import CoordinatorFactory, MonitorFactory, OrganisationFactory, ReviewerFactory

pytestmark = pytest.mark.django_db

PASSPHRASE = "a-long-passphrase-2025"


def history(user: User) -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).order_by(
            "pk"
        )
    )


def change_form(user: User, **changes) -> dict:
    """The admin's change form for `user` as it is shown, with `changes` typed in."""
    data = {
        "username": user.username,
        "role": sorted(user.roles)[0],
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "organisation": user.organisation_id or "",
        "time_zone": user.time_zone,
        "preferred_language": user.preferred_language,
    }
    if user.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- the services -------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "staff"), [(Role.MONITOR, False), (Role.REVIEWER, True), (Role.COORDINATOR, True)])
def test_user_create_puts_the_account_in_its_roles_group_and_records_who(role, staff):
    coordinator = CoordinatorFactory()
    organisation = OrganisationFactory()
    user = user_create(username="hala", role=role, password=PASSPHRASE, organisation=organisation, by=coordinator)
    user = User.objects.get(pk=user.pk)
    assert user.roles == {role} and user.is_staff is staff
    assert user.organisation == organisation and user.check_password(PASSPHRASE)
    [entry] = history(user)
    assert entry.user == coordinator and entry.action_flag == ADDITION
    assert entry.change_message == f"Created with the role {Role(role).label}."


def test_user_update_moves_the_role_groups_and_admin_access_and_records_old_and_new():
    coordinator = CoordinatorFactory()
    hala = ReviewerFactory()
    user_update(user=hala, role=Role.MONITOR, by=coordinator)
    hala = User.objects.get(pk=hala.pk)
    assert hala.roles == {Role.MONITOR} and not hala.is_staff
    assert not hala.groups.filter(name=Role.REVIEWER).exists()
    [entry] = history(hala)
    assert entry.user == coordinator and entry.action_flag == CHANGE
    assert entry.change_message == "Role: Reviewer → Field monitor."

    user_update(user=hala, role=Role.COORDINATOR, by=coordinator)
    hala = User.objects.get(pk=hala.pk)
    assert hala.roles == {Role.COORDINATOR} and hala.is_staff and hala.is_coordinator


def test_user_update_leaves_an_account_in_several_role_groups_in_the_one_it_is_given():
    hala = MonitorFactory(is_staff=False)
    hala.groups.add(Group.objects.get_or_create(name=Role.REVIEWER)[0])
    user_update(user=hala, role=Role.MONITOR, by=CoordinatorFactory())
    hala = User.objects.get(pk=hala.pk)
    assert hala.roles == {Role.MONITOR} and not hala.is_reviewer and not hala.is_staff
    [entry] = history(hala)
    assert entry.change_message == "Role: Field monitor, Reviewer → Field monitor."


def test_user_update_leaves_groups_that_are_not_roles_alone():
    other = Group.objects.create(name="newsletter")
    hala = MonitorFactory()
    hala.groups.add(other)
    user_update(user=hala, role=Role.REVIEWER, by=CoordinatorFactory())
    assert set(User.objects.get(pk=hala.pk).groups.values_list("name", flat=True)) == {"newsletter", "reviewer"}


def test_user_update_changes_the_profile_and_names_the_fields_it_changed():
    coordinator = CoordinatorFactory()
    hala = MonitorFactory(email="old@example.org")
    elsewhere = OrganisationFactory()
    user_update(user=hala, email="hala@example.org", organisation=elsewhere, is_active=False, by=coordinator)
    hala = User.objects.get(pk=hala.pk)
    assert (hala.email, hala.organisation, hala.is_active) == ("hala@example.org", elsewhere, False)
    assert not hala.is_monitor and hala.groups.filter(name=Role.MONITOR).exists()  # inactive, membership kept
    [entry] = history(hala)
    assert entry.change_message == "Changed: email address, active, organisation."
    assert "old@example.org" not in entry.change_message  # names the fields, never copies personal data


def test_user_update_with_nothing_new_writes_and_records_nothing():
    hala = user_create(username="hala", role=Role.REVIEWER, password=PASSPHRASE, email="hala@example.org", by=None)
    user_update(user=hala, role=Role.REVIEWER, email="hala@example.org", by=CoordinatorFactory())
    assert history(hala) == []


def test_user_update_puts_right_an_admin_flag_that_disagrees_with_the_role():
    hala = ReviewerFactory(is_staff=False)  # as an account made outside the services could be
    user_update(user=hala, role=Role.REVIEWER, by=CoordinatorFactory())
    assert User.objects.get(pk=hala.pk).is_staff
    [entry] = history(hala)
    assert entry.change_message == "Admin access put in line with the role Reviewer."


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"role": "superhero"}, "role"), ({"username": "TAKEN"}, "username"), ({"username": ""}, "username")],
)
def test_user_update_refuses_bad_input_naming_the_field_and_changes_nothing(changes, field):
    MonitorFactory(username="taken")
    hala = ReviewerFactory(username="hala", is_staff=True)
    with pytest.raises(ValidationError) as raised:
        user_update(user=hala, by=CoordinatorFactory(), **changes)
    assert field in raised.value.message_dict
    hala = User.objects.get(pk=hala.pk)
    assert hala.username == "hala" and hala.roles == {Role.REVIEWER} and hala.is_staff
    assert history(hala) == []


def test_user_create_refuses_a_name_taken_in_another_case_and_a_weak_password():
    MonitorFactory(username="hala")
    with pytest.raises(ValidationError) as raised:
        user_create(username="HALA", role=Role.MONITOR, password=PASSPHRASE, by=None)
    assert "username" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        user_create(username="rana", role=Role.MONITOR, password="12345", by=None)
    assert "password" in raised.value.message_dict
    assert not User.objects.filter(username="rana").exists()


# --- every way in gives the same account ------------------------------------------------


@pytest.mark.parametrize("role", Role.values)
def test_the_command_and_the_admin_make_the_same_account_for_a_role(role, admin_login, monkeypatch):
    monkeypatch.setenv("SIJIL_PASSWORD", PASSPHRASE)
    call_command("create_user", "by-command", "--role", role, stdout=io.StringIO())
    client = admin_login(CoordinatorFactory())
    response = client.post(
        reverse("admin:reports_user_add"),
        {"username": "by-admin", "role": role, "email": "", "password1": PASSPHRASE, "password2": PASSPHRASE},
    )
    assert response.status_code == 302, response.content

    def shape(user: User) -> tuple:
        return (sorted(user.groups.values_list("name", flat=True)), user.is_staff, user.is_superuser, user.is_active)

    assert shape(User.objects.get(username="by-command")) == shape(User.objects.get(username="by-admin"))


# --- the admin's user forms --------------------------------------------------------------


def test_the_admin_add_form_records_the_creation_once_by_the_coordinator(admin_login):
    coordinator = CoordinatorFactory()
    client = admin_login(coordinator)
    response = client.post(
        reverse("admin:reports_user_add"),
        {"username": "hala", "role": "reviewer", "email": "", "password1": PASSPHRASE, "password2": PASSPHRASE},
    )
    assert response.status_code == 302, response.content
    hala = User.objects.get(username="hala")
    assert hala.roles == {Role.REVIEWER} and hala.is_staff and hala.check_password(PASSPHRASE)
    assert response["Location"] == reverse("admin:reports_user_change", args=[hala.pk])
    [entry] = history(hala)
    assert entry.user == coordinator and entry.action_flag == ADDITION
    assert entry.change_message == "Created with the role Reviewer."


def test_the_admin_change_form_records_the_role_change_once_with_the_old_and_new_role(admin_login):
    coordinator = CoordinatorFactory()
    client = admin_login(coordinator)
    hala = ReviewerFactory()
    response = client.post(reverse("admin:reports_user_change", args=[hala.pk]), change_form(hala, role="monitor"))
    assert response.status_code == 302, response.content
    hala = User.objects.get(pk=hala.pk)
    assert hala.roles == {Role.MONITOR} and not hala.is_staff
    [entry] = history(hala)
    assert entry.user == coordinator and entry.action_flag == CHANGE
    assert entry.change_message == "Role: Reviewer → Field monitor."


def test_the_admin_change_form_refuses_a_name_taken_in_another_case(admin_login):
    MonitorFactory(username="taken")
    hala = ReviewerFactory(username="hala")
    client = admin_login(CoordinatorFactory())
    response = client.post(reverse("admin:reports_user_change", args=[hala.pk]), change_form(hala, username="Taken"))
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.get(pk=hala.pk).username == "hala"


def test_the_admin_password_form_still_records_the_change(admin_login):
    coordinator = CoordinatorFactory()
    client = admin_login(coordinator)
    hala = MonitorFactory()
    response = client.post(
        reverse("admin:auth_user_password_change", args=[hala.pk]),
        {"password1": PASSPHRASE + "!", "password2": PASSPHRASE + "!", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content
    assert User.objects.get(pk=hala.pk).check_password(PASSPHRASE + "!")
    [entry] = history(hala)
    assert entry.user == coordinator
