#!/usr/bin/env python3
"""Fails when a module of the service grows past MAX_LINES: a module that long hides its rules.

Tests and migrations are left out; everything else under the four packages counts."""

import sys
from pathlib import Path

MAX_LINES = 500
PACKAGES = ("peersupport", "incidents", "supporters", "feedback")


def oversized(root: Path) -> list[tuple[int, str]]:
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            lines = path.read_text(encoding="utf-8").count("\n")
            if lines > MAX_LINES:
                found.append((lines, str(path.relative_to(root))))
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    found = oversized(root)
    for lines, path in found:
        print(f"{path}: {lines} lines, over {MAX_LINES}: split it into a package")
    if not found:
        print(f"module size: every module is {MAX_LINES} lines or fewer")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
