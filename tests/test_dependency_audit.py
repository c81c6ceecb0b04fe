"""`make audit` (.ci/dependency-audit): pip-audit on the installed packages, run by CI after
lint; it fails on a known vulnerability and says so plainly, and passes, when no vulnerability
database can be reached."""

import importlib.machinery
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "dependency-audit"


@pytest.fixture
def audit_script():
    loader = importlib.machinery.SourceFileLoader("dependency_audit", str(SCRIPT))
    spec = importlib.util.spec_from_loader("dependency_audit", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_make_audit_runs_the_script_and_ci_runs_it_after_lint():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^audit: .*\n\t\$\(PY\) \.ci/dependency-audit$", makefile, re.M)
    steps = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line]
    assert steps.index("make audit") == steps.index("make lint") + 1


def test_with_no_vulnerability_database_it_says_so_and_passes():
    env = {**os.environ, "HTTPS_PROXY": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}
    env.pop("NO_PROXY", None)
    env.pop("no_proxy", None)
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0
    assert "no vulnerability database could be reached" in result.stdout
    assert "NOT audited" in result.stdout


def _pip_audit_says(monkeypatch, module, report):
    monkeypatch.setattr(module, "unreachable_because", lambda: "")
    monkeypatch.setattr(
        module.subprocess,
        "run",
        lambda *a, **k: SimpleNamespace(
            returncode=1 if "vulns" in json.dumps(report) else 0,
            stdout=json.dumps(report),
            stderr="",
        ),
    )


def test_a_known_vulnerability_fails_the_audit_and_names_the_fix(audit_script, monkeypatch, capsys):
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.0", "vulns": [
                {"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}]},
            {"name": "whitenoise", "version": "6.7.0", "vulns": []},
            {"name": "peersupport", "skip_reason": "distribution marked as editable"},
        ]
    }  # fmt: skip
    _pip_audit_says(monkeypatch, audit_script, report)
    assert audit_script.main() == 1
    out = capsys.readouterr().out
    assert "django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)" in out
    assert "2 packages audited, 0 not audited, 1 known vulnerabilities in 1 packages" in out


def test_a_mirror_without_vulnerability_data_is_not_a_clean_bill(audit_script, monkeypatch, capsys):
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.19", "skip_reason": "Dependency not found on PyPI"}
        ]
    }
    _pip_audit_says(monkeypatch, audit_script, report)
    assert audit_script.main() == 0
    out = capsys.readouterr().out
    assert "NOT audited" in out and "no known vulnerabilities" not in out
