"""python manage.py issue_api_key (--user USERNAME | --partner ORG) --scopes a,b [--expires-in-days N] [--name NAME]

Prints the key once, on its own line; only its SHA-256 is stored, so it can
never be shown again (issue a new one and revoke the old one instead).
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from incidents.api_keys import api_key_issue
from incidents.models import ApiKeyScope
from reports.models import Organisation, User


class Command(BaseCommand):
    help = "Issue an API key to a user or a partner organisation and print it once."

    def add_arguments(self, parser):
        owner = parser.add_mutually_exclusive_group(required=True)
        owner.add_argument("--user", help="Username of a monitor or reviewer.")
        owner.add_argument("--partner", help="Name of a partner organisation (created if missing).")
        parser.add_argument("--scopes", required=True, help=f"Comma-separated, from: {', '.join(ApiKeyScope.values)}.")
        parser.add_argument("--expires-in-days", type=int, default=None)
        parser.add_argument("--name", default="", help="What the key is for (shown in lists).")

    def handle(self, *args, user, partner, scopes, expires_in_days, name, **options):
        owner_user = owner_organisation = None
        if user:
            owner_user = User.objects.filter(username=user).first()
            if owner_user is None:
                raise CommandError(f"No user named {user!r}.")
        else:
            owner_organisation, created = Organisation.objects.get_or_create(
                name=partner, defaults={"kind": Organisation.Kind.PARTNER}
            )
            if created:
                self.stderr.write(f"Created partner organisation {partner!r}.")
        if expires_in_days is not None and expires_in_days < 1:
            raise CommandError("--expires-in-days must be at least 1.")
        scope_list = [scope.strip() for scope in scopes.split(",") if scope.strip()]
        expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
        try:
            issued = api_key_issue(
                name=name or f"{user or partner} key",
                scopes=scope_list,
                user=owner_user,
                organisation=owner_organisation,
                expires_at=expires_at,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        key = issued.api_key
        self.stderr.write(
            f"Issued key {key.prefix} to {owner_user or owner_organisation} with scopes {', '.join(key.scopes)}"
            + (f", expiring {key.expires_at:%Y-%m-%d %H:%M} UTC" if key.expires_at else "")
            + ". It is shown once, below; store it now."
        )
        self.stdout.write(issued.key)
