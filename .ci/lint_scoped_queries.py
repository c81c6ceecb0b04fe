#!/usr/bin/env python3
"""Fails when a view reaches a person-identifiable model through `.objects` instead of a scoped
getter.

Views must read people, reviews, offers, contacts and the like through the scoped getters
(`visible_to(user)`, `for_user(user)`, or the functions in each app's `access.py`), so that who
may see what is decided in one place. A line that must use `.objects` anyway (re-reading, under
a lock, a row the view has already fetched through a scoped getter) says why with a
`# scoped: <reason>` comment in the same statement or on the line just above it.
"""

import ast
import sys
from pathlib import Path

PACKAGES = ("peersupport", "incidents", "supporters", "feedback")
IDENTIFIABLE = {
    "AffectedPerson",
    "AvoidDate",
    "Concern",
    "ConsentRecord",
    "Contact",
    "GroupDebrief",
    "Invitation",
    "Letter",
    "Message",
    "PeerSupporter",
    "Review",
    "ReviewNaming",
    "SelfReferral",
    "SupervisionSession",
    "SupervisorAssignment",
    "SupportOffer",
    "TrainingRecord",
    "WellbeingCheckIn",
}
SCOPED_METHODS = {"visible_to", "for_user"}
MARKER = "# scoped:"


def is_view_module(path: Path) -> bool:
    return path.name == "views.py" or path.name.startswith("views_") or "views" in path.parts


def problems_in(source: str, filename: str) -> list[str]:
    tree = ast.parse(source, filename)
    lines = source.splitlines()
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Attribute)
            and node.attr == "objects"
            and isinstance(node.value, ast.Name)
            and node.value.id in IDENTIFIABLE
        ):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Attribute) and parent.attr in SCOPED_METHODS:
            continue
        statement = node
        while not isinstance(statement, ast.stmt) and statement in parents:
            statement = parents[statement]
        first, last = statement.lineno, statement.end_lineno or statement.lineno
        if any(MARKER in lines[i - 1] for i in range(max(first - 1, 1), last + 1)):
            continue
        found.append(
            f"{filename}:{node.lineno}: {node.value.id}.objects in a view; use a scoped getter "
            f"(visible_to, for_user, or the app's access.py), or say why with '{MARKER} ...'"
        )
    return found


def check(root: Path) -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts or not is_view_module(path):
                continue
            found += problems_in(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    found = check(root)
    for line in found:
        print(line)
    if not found:
        print("scoped queries: no view reaches a person-identifiable model through .objects")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
