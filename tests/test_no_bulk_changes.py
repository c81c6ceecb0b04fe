"""simple-history records a change only when `save()` runs. This test fails if app code changes
saved reviews, people, milestones or avoid-dates through QuerySet.update() or bulk methods,
which would change records with no history. Bulk inserts of new demo records are allowed.

QuerySet.delete() of those models is refused too: it does leave history (Django sends
post_delete for each row), but it removes reviews or people with no audit row and none of the
services' rules. A queryset kept in a variable first (`reviews = Review.objects.filter(...)`,
then `reviews.update(...)`) is followed within the function that assigns it."""

import ast
from pathlib import Path

from simple_history.models import registered_models

ROOT = Path(__file__).resolve().parent.parent
APPS = ["incidents", "supporters", "feedback", "peersupport"]
# Manager and QuerySet methods that return a queryset of the same model.
QUERYSET_METHODS = {
    "objects",
    "all",
    "filter",
    "exclude",
    "select_related",
    "prefetch_related",
    "order_by",
    "annotate",
    "distinct",
    "only",
    "defer",
    "visible_to",
    "open",
    "overdue",
    "for_organisation",
    "with_contact_consent",
    "upcoming_between",
}
# Related managers that lead to a tracked model (`review.people`, `person.avoid_dates`).
RELATED_MANAGERS = {"people", "milestones", "avoid_dates"}
# Demo and benchmark data: bulk inserts of new records are allowed here, nowhere else.
DEMO_PACKAGE = ROOT / "peersupport" / "demo"
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _tracked_names():
    return {
        model.__name__
        for model in registered_models.values()
        if not model.__name__.startswith("Historical")
    }


def _chain(node):
    """The names along `a.b(...).c(...)`, outermost first, and the innermost node."""
    names = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names, node
        else:
            return names, node


def _is_tracked_queryset(node, tracked, variables):
    """Whether `node` is a queryset or manager of a tracked model, as far as the AST shows."""
    names, root = _chain(node)
    if not names:
        return False
    if isinstance(node, ast.Name):
        return node.id in variables
    if names[0] not in QUERYSET_METHODS | RELATED_MANAGERS:
        return False  # e.g. `Review.objects.get(...)`: one instance, whose save() is recorded
    rooted_in_variable = isinstance(root, ast.Name) and root.id in variables
    return rooted_in_variable or bool(set(names) & (tracked | RELATED_MANAGERS))


def _own_nodes(scope):
    """Every node of the scope, not descending into nested functions (their own scopes)."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, SCOPES):
            stack.extend(ast.iter_child_nodes(node))


def _assignments(nodes):
    for node in nodes:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    yield target.id, node.value
        elif (
            isinstance(node, ast.AnnAssign | ast.NamedExpr)
            and isinstance(node.target, ast.Name)
            and node.value is not None  # a bare annotation assigns nothing
        ):
            yield node.target.id, node.value


def _scope_offences(scope, tracked, outer_variables, demo):
    nodes = list(_own_nodes(scope))
    variables = set(outer_variables)
    assignments = list(_assignments(nodes))
    growing = True
    while growing:  # `reviews = reviews.filter(...)` needs `reviews` known first
        growing = False
        for name, value in assignments:
            if name not in variables and _is_tracked_queryset(value, tracked, variables):
                variables.add(name)
                growing = True
    for node in nodes:
        if isinstance(node, SCOPES):
            yield from _scope_offences(node, tracked, variables, demo)
            continue
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        receiver = node.func.value
        is_queryset = _is_tracked_queryset(receiver, tracked, variables)
        touches_tracked = is_queryset or bool(
            set(_chain(receiver)[0]) & (tracked | RELATED_MANAGERS)
        )
        if method in {"update", "delete"} and is_queryset:
            if demo and method == "update" and _only_backdates(node):
                continue
            yield node.lineno, f"QuerySet.{method}"
        if method == "bulk_update" and touches_tracked:
            yield node.lineno, "bulk_update"
        if method == "bulk_create" and touches_tracked and not demo:
            yield node.lineno, "bulk_create outside demo data"


# Demo history is dated when it happened: the demo may set these timestamps (which
# `auto_now_add` and the history's own date fill with "now") after inserting, nothing else.
BACKDATED = {"created_at", "history_date", "recorded_at", "changed_at"}


def _only_backdates(call: ast.Call) -> bool:
    names = {keyword.arg for keyword in call.keywords}
    return bool(names) and not call.args and names <= BACKDATED


def _offences(path: Path, tracked: set[str]):
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    tree = ast.parse(path.read_text(), filename=str(path))
    found = sorted(_scope_offences(tree, tracked, set(), path.is_relative_to(DEMO_PACKAGE)))
    return [f"{where}:{line} {what}" for line, what in found]


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


def _check(tmp_path, source):
    sample = tmp_path / "sample.py"
    sample.write_text(source)
    return _offences(sample, _tracked_names())


def test_the_guard_catches_an_update(tmp_path):
    source = (
        "from incidents.models import Review\nReview.objects.filter(pk=1).update(summary='x')\n"
    )
    assert _check(tmp_path, source) == ["sample.py:2 QuerySet.update"]


def test_the_guard_follows_a_queryset_kept_in_a_variable(tmp_path):
    source = """\
from incidents.models import AffectedPerson, Review

def close_all(organisation, review):
    reviews = Review.objects.filter(organisation=organisation)
    reviews = reviews.exclude(status="closed")
    reviews.update(status="closed")
    people: object = AffectedPerson.objects.visible_to(None)
    people.delete()
    Review.objects.bulk_update(list(reviews), ["status"])
    review.people.update(do_not_contact=True)
    late = review.milestones.all()
    return lambda: late.delete()
"""
    assert _check(tmp_path, source) == [
        "sample.py:6 QuerySet.update",
        "sample.py:8 QuerySet.delete",
        "sample.py:9 bulk_update",
        "sample.py:10 QuerySet.update",
        "sample.py:12 QuerySet.delete",
    ]


def test_the_guard_lets_other_models_instances_and_dicts_be(tmp_path):
    source = """\
from incidents.models import Review
from peersupport.models import Message

def fine(review):
    pending = Message.objects.filter(person__review=review)
    pending = pending.filter(status="pending")
    pending.update(status="cancelled")
    pending.delete()
    one = Review.objects.get(pk=review.pk)
    one.delete()
    people = {"a"}
    people.update({"b"})
    Review.objects.get(pk=1).delete()
    review.consents.all().delete()
"""
    assert _check(tmp_path, source) == []


def test_demo_data_may_backdate_timestamps_but_change_nothing_else_in_bulk():
    source = (
        "from incidents.models import AffectedPerson\n"
        "AffectedPerson.objects.filter(pk=1).update(created_at=when)\n"
        "AffectedPerson.objects.filter(pk=1).update(full_name='Someone else')\n"
        "AffectedPerson.objects.filter(pk=1).update(created_at=when, do_not_contact=True)\n"
    )
    found = sorted(_scope_offences(ast.parse(source), _tracked_names(), set(), True))
    assert found == [(3, "QuerySet.update"), (4, "QuerySet.update")]
