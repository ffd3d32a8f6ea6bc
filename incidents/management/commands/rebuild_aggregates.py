"""Recount every daily aggregate from the incidents: after a restore, a bug fix, or to check the workers."""

from django.core.management.base import BaseCommand

from incidents.services import aggregates_rebuild
from incidents.services.aggregates import aggregates_snapshot, compute_all


class Command(BaseCommand):
    help = "Rebuild the daily aggregates from the incidents (the workers keep them current incrementally)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; report whether the stored aggregates equal a rebuild (exit status 1 if not).",
        )

    def handle(self, *args, check: bool = False, **options):
        if check:
            stored, expected = aggregates_snapshot(), compute_all()
            differing = {key for key in stored.keys() | expected.keys() if stored.get(key) != expected.get(key)}
            if differing:
                self.stderr.write(f"{len(differing)} aggregate row(s) differ from a rebuild.")
                raise SystemExit(1)
            self.stdout.write(f"The {len(stored)} aggregate rows equal a rebuild.")
            return
        rows = aggregates_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {rows} daily aggregate row(s)."))
