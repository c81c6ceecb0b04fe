"""The layout rules CI enforces: modules small enough to read, views reading people only through
scoped getters, and docs/architecture.md naming functions that exist."""

import importlib
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / ".ci" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


module_size = _load("lint_module_size")
scoped_queries = _load("lint_scoped_queries")


def test_no_module_of_the_service_is_over_the_limit():
    assert module_size.oversized(ROOT) == []


def test_the_size_lint_catches_a_long_module(tmp_path):
    (tmp_path / "incidents").mkdir()
    (tmp_path / "incidents" / "long.py").write_text("x = 1\n" * 501)
    (tmp_path / "incidents" / "migrations").mkdir()
    (tmp_path / "incidents" / "migrations" / "0001_long.py").write_text("x = 1\n" * 900)
    assert module_size.oversized(tmp_path) == [(501, "incidents/long.py")]


def test_no_view_reaches_a_person_through_objects():
    assert scoped_queries.check(ROOT) == []


@pytest.mark.parametrize(
    ("source", "problems"),
    [
        ("AffectedPerson.objects.get(pk=pk)", 1),
        ("Contact.objects.filter(offer=offer).values('note')", 1),
        ("AffectedPerson.objects.visible_to(user).get(pk=pk)", 0),
        ("SelfReferral.objects.for_user(user)", 0),
        ("Concern.objects.select_for_update().get(pk=c.pk)  # scoped: re-read under a lock", 0),
        ("Service.objects.filter(organisation=organisation)", 0),
    ],
)
def test_the_scoped_query_lint_tells_scoped_from_unscoped(source, problems):
    assert len(scoped_queries.problems_in(source, "views.py")) == problems


ROW = re.compile(r"^\|[^|]+\|\s*`([\w.]+)`\s*\|\s*`([\w.]+)`\s*\|", re.MULTILINE)


def _rule_rows():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Where each rule lives", 1)[1]
    return ROW.findall(section)


def test_the_rule_table_is_not_empty():
    assert len(_rule_rows()) >= 20


@pytest.mark.parametrize(("module", "name"), _rule_rows())
def test_every_rule_in_the_table_names_a_function_that_exists(module, name):
    target = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    if isinstance(target, property):
        target = target.fget
    assert callable(target), f"{module}.{name} is not a function"
