"""The layout ARCHITECTURE.md describes, enforced: one-way dependencies between packages, every
job path given as a string importable, blueprints only in routes modules, modules kept short, and
one CSRF macro in templates. These read the source, not the database: they run once."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.utils import import_string

pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "advocacy"
LINE_LIMIT = 420  # STYLE.md: split a module by sub-feature before it passes ~400 lines


@dataclass(frozen=True)
class Contract:
    """Modules under `source` (but not under `exempt`) import nothing under `forbidden`."""

    name: str
    source: str
    forbidden: tuple[str, ...]
    exempt: tuple[str, ...] = ()


FEATURES = (
    "advocacy.accounts",
    "advocacy.feeds",
    "advocacy.leaderboard",
    "advocacy.discussions",
    "advocacy.webhooks",
    "advocacy.analytics",
    "advocacy.recruiting",
    "advocacy.privacy",
    "advocacy.backup",
)

CONTRACTS = (
    Contract(
        "the discussions core knows nothing of the feed, notifications or the bridge",
        "advocacy.discussions",
        (
            "advocacy.feeds",
            "advocacy.discussions.notifications",
            "advocacy.discussions.bridge",
            "advocacy.leaderboard",
        ),  # fmt: skip
        exempt=("advocacy.discussions.notifications", "advocacy.discussions.bridge"),
    ),
    Contract(
        "reach knows nothing of points",
        "advocacy.leaderboard.reach",
        ("advocacy.leaderboard.points",),
    ),  # fmt: skip
    Contract(
        "the feed knows nothing of the features built on it",
        "advocacy.feeds",
        (
            "advocacy.discussions",
            "advocacy.leaderboard",
            "advocacy.webhooks",
            "advocacy.analytics",
            "advocacy.recruiting",
        ),  # fmt: skip
    ),
    Contract(
        "accounts is the bottom layer",
        "advocacy.accounts",
        tuple(feature for feature in FEATURES if feature != "advocacy.accounts")
        + ("advocacy.search",),
    ),
    Contract(
        "features use search through its face (advocacy.search), never its internals",
        "advocacy.",
        ("advocacy.search.",),
        exempt=("advocacy.search",),
    ),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(path: Path, modules: set[str] | None = None) -> set[str]:
    """Every module a file imports, at module level or inside functions: `from a.b import c`
    counts as a.b, and as a.b.c when that is a module (among `modules`, when given)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(
                f"{node.module}.{alias.name}"
                for alias in node.names
                if modules is None or f"{node.module}.{alias.name}" in modules
            )
    return names


KNOWN_MODULES = {module_name(path) for path in PACKAGE.rglob("*.py")}


def within(module: str, package: str) -> bool:
    if package.endswith("."):  # "a.b." means strictly inside a.b
        return module.startswith(package)
    return module == package or module.startswith(package + ".")


def violations(contract: Contract, modules: dict[str, Path]) -> list[str]:
    found = []
    for name, path in modules.items():
        if not within(name, contract.source) or any(within(name, e) for e in contract.exempt):
            continue
        for imported in sorted(imported_modules(path, set(modules) | KNOWN_MODULES)):
            if any(within(imported, forbidden) for forbidden in contract.forbidden):
                found.append(f"{name} imports {imported}")
    return found


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.name)
def test_dependencies_run_one_way(contract):
    assert violations(contract, source_modules()) == []


def test_the_contract_check_sees_a_forbidden_import(tmp_path):
    """The checker itself: a core discussions module importing the feed (even inside a function)
    or reach importing points is reported."""
    core = tmp_path / "advocacy" / "discussions" / "spaces.py"
    reach = tmp_path / "advocacy" / "leaderboard" / "reach" / "ingest.py"
    core.parent.mkdir(parents=True)
    reach.parent.mkdir(parents=True)
    core.write_text("def f():\n    from advocacy.feeds.models import Content\n")
    reach.write_text("from advocacy.leaderboard.points import ledger\n")
    modules = {"advocacy.discussions.spaces": core, "advocacy.leaderboard.reach.ingest": reach}
    assert violations(CONTRACTS[0], modules) == [
        "advocacy.discussions.spaces imports advocacy.feeds.models"
    ]
    assert violations(CONTRACTS[1], modules) == [
        "advocacy.leaderboard.reach.ingest imports advocacy.leaderboard.points",
        "advocacy.leaderboard.reach.ingest imports advocacy.leaderboard.points.ledger",
    ]


def job_paths() -> list[tuple[str, str]]:
    """Every job given to enqueue() by dotted path: a string, or a module-level constant (in the
    same module, or imported from another) holding one."""
    modules = source_modules()
    constants: dict[str, dict[str, str]] = {}
    trees = {name: ast.parse(path.read_text()) for name, path in modules.items()}
    for name, tree in trees.items():
        constants[name] = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
    found = []
    for name, tree in trees.items():
        imported = {
            alias.asname or alias.name: (node.module, alias.name)
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
            for alias in node.names
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "enqueue"):
                continue
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((name, first.value))
            elif isinstance(first, ast.Name):
                if first.id in constants[name]:
                    found.append((name, constants[name][first.id]))
                elif first.id in imported:
                    module, constant = imported[first.id]
                    found.append((name, constants.get(module, {})[constant]))
    return found


def test_every_job_path_imports():
    paths = job_paths()
    assert len({path for _, path in paths}) >= 12  # the finder finds them
    broken = []
    for module, path in paths:
        try:
            target = import_string(path)
        except ImportError as error:
            broken.append(f"{module}: {path} ({error})")
            continue
        if not callable(target):
            broken.append(f"{module}: {path} is not a function")
    assert broken == []


def test_blueprints_live_in_routes_modules():
    misplaced = []
    for name, path in source_modules().items():
        tree = ast.parse(path.read_text())
        defines = any(
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", "") in {"Blueprint", "ApiBlueprint"}
            for node in tree.body
        )
        leaf, parent = (["", *name.split(".")])[-1], (["", *name.split(".")])[-2]
        if defines and not (leaf == "routes" or leaf.endswith("_routes") or parent == "routes"):
            misplaced.append(name)
    assert misplaced == []


def test_no_module_is_too_long():
    long = {
        name: lines
        for name, path in source_modules().items()
        if (lines := len(path.read_text().splitlines())) > LINE_LIMIT
    }
    assert long == {}


HAND_WRITTEN_CSRF = re.compile(r'name="csrf_token"|\.csrf_token \}\}')


def test_templates_take_the_csrf_token_from_one_macro():
    macro = ROOT / "templates" / "_macros" / "forms.html"
    by_hand = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if path != macro and HAND_WRITTEN_CSRF.search(path.read_text())
    ]
    assert by_hand == []
