"""The shape of the code: the two apps depend on each other in one direction only.

`incidents` may import `reports`; `reports` never imports `incidents` (it
reaches the pipeline through `reports/pipeline.py`, which `incidents/apps.py`
registers). Read from the source with `ast`, so a lazy import inside a
function counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def offending_imports(package: str, forbidden: str) -> dict[str, set[str]]:
    offending = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = {m for m in imported_modules(path) if m == forbidden or m.startswith(forbidden + ".")}
        if bad:
            offending[str(path.relative_to(ROOT))] = bad
    return offending


def test_reports_never_imports_incidents():
    assert offending_imports("reports", "incidents") == {}


def test_the_check_sees_a_lazy_import(tmp_path):
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from incidents.models import Incident\n    return Incident\n")
    assert imported_modules(module) == {"incidents.models"}


def test_no_app_imports_the_demo_the_synthetic_data_or_the_benchmarks():
    """`demo/` (the demo's data and loader) may import both apps; nothing of the product imports it."""
    for package in ("reports", "incidents", "config"):
        for forbidden in ("demo", "synthetic", "bench", "tests"):
            assert offending_imports(package, forbidden) == {}, (package, forbidden)
