"""The import graph: every app imports only apps below it, so the arrows all point down.

workers (the task machinery) < drako (the project's base) < accounts < schedules, personas <
conversations. A new import that runs back up (a circle between apps) fails here before anyone has
to untangle it.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = {"workers": 0, "drako": 1, "accounts": 2, "schedules": 3, "personas": 3,
          "conversations": 4}  # fmt: skip
# Migrations record history (schedules' 0002 once pointed at conversations); they import nothing.
SKIP = ("migrations",)


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name.split(".")[0] for name in names} & set(LAYERS)


def _modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if not any(part in SKIP for part in path.parts):
            yield path


@pytest.mark.parametrize("app", sorted(LAYERS))
def test_an_app_imports_only_apps_below_it(app):
    upward = []
    for path in _modules(app):
        for imported in _imported_apps(path):
            if LAYERS[imported] > LAYERS[app] or (
                imported != app and LAYERS[imported] == LAYERS[app]
            ):
                upward.append(f"{path.relative_to(ROOT)} imports {imported}")
    assert not upward, upward


def test_the_check_sees_an_import_that_runs_back_up(tmp_path):
    bad = tmp_path / "module.py"
    bad.write_text("from conversations.models import Conversation\n")
    assert _imported_apps(bad) == {"conversations"}
