"""python manage.py seed_demo — the demo register of Syria's coast, March 2025. Running it twice changes nothing."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.loader import DEMO_PARTNER_KEY, DEMO_PASSWORD, scenario, seed_demo


class Command(BaseCommand):
    help = "Load the demo accounts and reports (demo/coast_2025.json; local use only)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo creates accounts with a known password; it refuses to run in production.")
        demo = scenario()
        outcome = seed_demo(demo)
        self.stdout.write(f"Demo reports: {outcome.reports_created} new, {outcome.reports_existing} already there.")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role in demo.users:
            self.stdout.write(f"  {role:<12} {username}")
        self.stdout.write(f"Partner API key of “{demo.partner_organisation}” (incidents:read, aggregates:read):")
        self.stdout.write(f"  Authorization: Bearer {DEMO_PARTNER_KEY}")
