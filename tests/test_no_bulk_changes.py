"""simple-history records a change only when `save()` runs. This test fails if app code changes
saved reviews, people, milestones or avoid-dates through QuerySet.update() or bulk methods,
which would change records with no history. Bulk inserts of new demo records are allowed."""

import ast
from pathlib import Path

from simple_history.models import registered_models

ROOT = Path(__file__).resolve().parent.parent
APPS = ["incidents", "supporters", "feedback", "peersupport"]
QUERYSET_METHODS = {"objects", "filter", "exclude", "all", "select_related", "visible_to", "open"}
DEMO_FILES = {"demo.py"}


def _tracked_names():
    return {
        model.__name__
        for model in registered_models.values()
        if not model.__name__.startswith("Historical")
    }


def _chain_names(node):
    names = set()
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.add(node.id)
            return names
        else:
            return names


def _offences(path: Path, tracked: set[str]):
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        receiver = _chain_names(node.func.value)
        touches_tracked = bool(receiver & tracked) or bool(
            receiver & {"people", "milestones", "avoid_dates"}
        )
        if method == "bulk_update" and touches_tracked:
            yield f"{where}:{node.lineno} bulk_update"
        if (
            method == "update"
            and touches_tracked
            and receiver & QUERYSET_METHODS | {"people", "milestones"}
        ):
            yield f"{where}:{node.lineno} QuerySet.update"
        if method == "bulk_create" and touches_tracked and path.name not in DEMO_FILES:
            yield f"{where}:{node.lineno} bulk_create outside demo data"


def _app_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_tracked_models_are_never_changed_in_bulk():
    tracked = _tracked_names()
    assert {"Review", "AffectedPerson", "Milestone", "AvoidDate"} <= tracked
    offences = [o for path in _app_files() for o in _offences(path, tracked)]
    assert offences == []


def test_the_guard_catches_an_update(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from incidents.models import Review\nReview.objects.filter(pk=1).update(summary='x')\n"
    )
    assert list(_offences(sample, _tracked_names())) == ["sample.py:2 QuerySet.update"]
