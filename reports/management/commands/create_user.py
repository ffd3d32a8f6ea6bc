"""python manage.py create_user USERNAME --role monitor|reviewer|coordinator [--organisation NAME]

The password comes from the SIJIL_PASSWORD environment variable or a prompt,
never from an argument (arguments end up in shell history and `ps`).
"""

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reports.accounts import organisation_ensure, user_create
from reports.choices import Role

PASSWORD_ENV = "SIJIL_PASSWORD"  # noqa: S105 — the name of the variable, not a password


class Command(BaseCommand):
    help = "Create a user with a role. Password from $SIJIL_PASSWORD or a prompt."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--organisation", help="Name of the organisation (created if missing).")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, role, organisation, email, **options):
        password = os.environ.get(PASSWORD_ENV) or self._prompt()
        try:
            with transaction.atomic():  # a refused account leaves no new organisation behind
                user = user_create(
                    username=username,
                    role=role,
                    organisation=organisation_ensure(name=organisation) if organisation else None,
                    email=email,
                    password=password,
                    by=None,  # the command line: nobody is signed in
                )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Created {role} {user.username}."))

    def _prompt(self) -> str:
        if not os.isatty(0):
            raise CommandError(f"No password: set {PASSWORD_ENV} or run interactively.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ.")
        try:
            validate_password(first)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        return first
