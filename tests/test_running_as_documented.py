"""Running the service as the README says: `make run` links to where it serves, the suite
ignores the caller's settings, and the change history reads as plain words."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import strip_tags

from peersupport import test_settings
from peersupport.management.commands import rundev

ROOT = Path(__file__).resolve().parent.parent


# SITE_URL follows the address `make run` serves on ----------------------------------------


@pytest.fixture
def no_worker_or_server(monkeypatch):
    started = {}
    monkeypatch.setenv("SITE_URL", "")  # so whatever rundev sets is undone afterwards

    class FakeWorker:
        def __init__(self, args, **kwargs):
            started["worker_env"] = dict(os.environ)

        def terminate(self):
            pass

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(rundev.subprocess, "Popen", FakeWorker)
    monkeypatch.setattr(rundev, "call_command", lambda *a, **k: started.setdefault("served", a))
    monkeypatch.setattr(rundev.signal, "signal", lambda *a: None)
    return started


def test_make_run_serves_rundev_on_its_addrport():
    dry_run = subprocess.run(
        ["make", "-n", "run", "ADDRPORT=127.0.0.1:8101"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "manage.py rundev 127.0.0.1:8101" in dry_run


def test_rundev_points_emailed_links_at_the_address_it_serves(
    no_worker_or_server, monkeypatch, settings
):
    monkeypatch.delenv("SITE_URL", raising=False)
    settings.SITE_URL = "http://localhost:8000"
    call_command("rundev", "127.0.0.1:8101", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert settings.SITE_URL == "http://127.0.0.1:8101"
    assert no_worker_or_server["worker_env"]["SITE_URL"] == "http://127.0.0.1:8101"
    assert no_worker_or_server["served"] == ("runserver", "127.0.0.1:8101")


def test_a_site_url_given_is_kept(no_worker_or_server, monkeypatch, settings):
    monkeypatch.setenv("SITE_URL", "https://peersupport.example.nhs.uk")
    settings.SITE_URL = "https://peersupport.example.nhs.uk"
    call_command("rundev", "127.0.0.1:8101", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert settings.SITE_URL == "https://peersupport.example.nhs.uk"
    assert no_worker_or_server["worker_env"]["SITE_URL"] == "https://peersupport.example.nhs.uk"


# The suite isolates itself from the caller's environment -----------------------------------


def _documented_variables() -> set[str]:

    table_rows = re.findall(r"^\| (`[A-Z][A-Z0-9_]+`(?:, `[A-Z][A-Z0-9_]+`)*) \|", _readme(), re.M)
    return {name for cell in table_rows for name in re.findall(r"`([A-Z0-9_]+)`", cell)}


def _readme() -> str:
    return (ROOT / "README.md").read_text()


def test_every_documented_variable_the_code_reads_is_one_the_suite_sets_itself():
    read_by_settings = test_settings.variables_the_settings_read()
    documented = _documented_variables()
    assert {"DEMO_PASSWORD", "SITE_URL", "DEBUG", "SUPPRESS_COUNTS_UP_TO"} <= documented
    sources = "\n".join(
        path.read_text()
        for package in ("peersupport", "incidents", "supporters", "feedback")
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )
    read_elsewhere = {
        name
        for name in documented
        if re.search(rf"environ(?:\.get)?[\[(]\s*[\"']{name}[\"']", sources)
    }
    from_the_caller = set(test_settings.FROM_THE_CALLER)
    assert read_elsewhere - read_by_settings - from_the_caller == set()
    for name in documented & read_by_settings - from_the_caller:
        expected = test_settings.SUITE_ENVIRONMENT.get(name)
        assert os.environ.get(name) == expected, name


def test_the_suite_passes_with_every_documented_variable_set_otherwise(tmp_path):
    """What the README invites (DEMO_PASSWORD, DEBUG, SITE_URL, ...) changes nothing here."""
    hostile = dict.fromkeys(_documented_variables() - set(test_settings.FROM_THE_CALLER), "1")
    hostile.update(
        DEMO_PASSWORD="a-password-of-my-own",
        DEBUG="true",
        SITE_URL="https://elsewhere.example.org",
        SUPPRESS_COUNTS_UP_TO="0",
        SUPPRESS_ROUND_TO="1",
        MFA_REQUIRED="true",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        ALLOWED_HOSTS="elsewhere.example.org",
        RUN_DIR=str(tmp_path / "not-the-suites"),
        SMS_PROVIDER="notify",
        CELERY_TASK_ALWAYS_EAGER="false",
    )
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL")},
        **hostile,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CI": "false",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "tests/test_seed_demo.py::test_the_two_supporter_logins_each_have_their_own_people",
            "tests/test_suppression.py::test_counts_from_1_to_7_are_withheld_and_the_rest_rounded_to_5",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout


# The change history ------------------------------------------------------------------------


def _history_lines(html: str) -> list[str]:
    section = html.split('id="change-history"', 1)[1].split("</ul>", 1)[0]
    return [" ".join(strip_tags(item).split()) for item in section.split("<li>")[1:]]


def test_the_review_history_reads_as_words_with_no_stray_punctuation(client_for, team_user, review):
    html = client_for(team_user).get(reverse("incidents:review_detail", args=[review.pk])).text
    lines = _history_lines(html)
    assert lines, "the review's creation is in its history"
    created = lines[-1]
    assert re.fullmatch(r"The system created the review \d{1,2} \w+ \d{4} at \d\d:\d\d", created)
    for line in lines:
        assert "— :" not in line
        assert not re.search(r"[—:]\s*[—:]", line)
