"""`manage.py train_matcher`: learn the matcher's weights from the register now (what the daily task does)."""

from django.core.management.base import BaseCommand, CommandParser

from incidents.services.learning import matcher_train


class Command(BaseCommand):
    help = "Learn the matcher's m/u weights from the register (EM), calibrate on reviewers' decisions, activate it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reports", type=int, default=None, help="Learn from this many of the latest reports.")
        parser.add_argument("--min-comparisons", type=int, default=200)

    def handle(self, *args: object, **options: object) -> None:
        reports = options["reports"]
        minimum = options["min_comparisons"]
        row = matcher_train(
            max_reports=reports if isinstance(reports, int) else None,
            min_comparisons=minimum if isinstance(minimum, int) else 200,
        )
        if row is None:
            self.stdout.write("Too few comparisons in the register to learn from; the model in use is kept.")
        else:
            self.stdout.write(
                f"Model {row.version} is active: {row.comparisons} comparisons, "
                f"{'calibrated on ' + str(row.labels) + ' reviewer decisions' if row.calibrated else 'not calibrated'}."
            )
