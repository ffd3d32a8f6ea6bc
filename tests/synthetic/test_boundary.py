"""The generated data and its evaluation live outside the app packages (tests/test_architecture.py keeps the apps
from importing them)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_generator_and_evaluation_are_no_longer_in_the_apps():
    assert not (ROOT / "incidents" / "synthetic").exists()
    assert not (ROOT / "incidents" / "dedup" / "evaluation.py").exists()
    assert (ROOT / "synthetic" / "coast.py").exists() and (ROOT / "synthetic" / "evaluation.py").exists()
