"""The generated data and its evaluation live outside the app packages: production code never imports them."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_app_module_imports_the_synthetic_package():
    offenders = []
    for app in ("incidents", "reports", "config"):
        for path in (ROOT / app).rglob("*.py"):
            if any(name == "synthetic" or name.startswith("synthetic.") for name in _imports(path)):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_generator_and_evaluation_are_no_longer_in_the_apps():
    assert not (ROOT / "incidents" / "synthetic").exists()
    assert not (ROOT / "incidents" / "dedup" / "evaluation.py").exists()
    assert (ROOT / "synthetic" / "coast.py").exists() and (ROOT / "synthetic" / "evaluation.py").exists()
