"""Fixtures shared by the whole suite: role users, a CSRF-enforcing client, and the rule that
nothing may be skipped in CI."""

import os

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from peersupport.roles import Role
from peersupport.services import create_user_with_role

IN_CI = os.environ.get("CI", "").lower() == "true"

PASSWORD = "correct-horse-battery-staple"


def skip_or_fail(reason: str):
    """Outside CI a missing service skips the test; in CI it fails the run."""
    if IN_CI:
        pytest.fail(f"Cannot run in CI: {reason}")
    pytest.skip(reason)


class NothingSkippedInCI:
    """Fails the run if any test or module was skipped, however the skip was written
    (`pytest.skip`, `skipif`, `importorskip`): in CI a skip hides a missing service."""

    name = "nothing-skipped-in-ci"

    def __init__(self):
        self.skipped = []

    def _note(self, report):
        # An expected failure is reported as skipped too, but it did run.
        if report.skipped and not hasattr(report, "wasxfail"):
            self.skipped.append(report.nodeid or "(collection)")

    def pytest_runtest_logreport(self, report):
        self._note(report)

    def pytest_collectreport(self, report):
        self._note(report)

    def pytest_sessionfinish(self, session):
        passed = (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)
        if self.skipped and session.exitstatus in passed:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter):
        if self.skipped:
            terminalreporter.section("skipped in CI", sep="=", red=True, bold=True)
            terminalreporter.line(
                f"CI=true: {len(self.skipped)} skipped, and nothing may be skipped in CI, "
                "so this run fails:",
                red=True,
            )
            for nodeid in self.skipped:
                terminalreporter.line(f"  {nodeid}")


def pytest_configure(config):
    if IN_CI:
        config.pluginmanager.register(NothingSkippedInCI(), NothingSkippedInCI.name)


class CsrfClient(Client):
    """The test client with CSRF checks on, as in production.

    Django's own client skips CSRF checks. This one enforces them and, like a browser that has
    loaded the form, sends a token with every unsafe request unless told `csrf=False`.
    """

    def __init__(self, **kwargs):
        super().__init__(enforce_csrf_checks=True, **kwargs)

    def generic(self, method, path, *args, csrf=True, **kwargs):
        if csrf and method.upper() not in {"GET", "HEAD", "OPTIONS", "TRACE"}:
            token = self.cookies.get("csrftoken")
            if token is None:
                self.cookies["csrftoken"] = _get_new_csrf_string()
                token = self.cookies["csrftoken"]
            kwargs.setdefault("HTTP_X_CSRFTOKEN", token.value)
        return super().generic(method, path, *args, **kwargs)


@pytest.fixture
def client():
    return CsrfClient()


@pytest.fixture
def make_user(db):
    def make(role: Role, email: str | None = None, **kwargs):
        email = email or f"{role.value}-{os.urandom(4).hex()}@example.org"
        return create_user_with_role(email, role, password=PASSWORD, **kwargs)

    return make


@pytest.fixture
def team_user(make_user, organisation):
    """A team member of `organisation`, and the lead investigator of `review`."""
    from tests.factories import TeamMemberFactory

    user = make_user(Role.TEAM, "team.member@example.org", first_name="Tia", last_name="Team")
    TeamMemberFactory(user=user, organisation=organisation)
    return user


@pytest.fixture
def supporter_user(make_user):
    return make_user(Role.SUPPORTER, "supporter.one@example.org", first_name="Sam")


@pytest.fixture
def manager_user(make_user):
    return make_user(Role.MANAGER, "manager.one@example.org", first_name="Mo")


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMINISTRATOR, "admin.one@example.org", first_name="Ada")


@pytest.fixture
def client_for():
    def make(user):
        c = CsrfClient()
        if user is not None:
            c.force_login(user)
        return c

    return make


from tests.incidents_fixtures import *  # noqa: E402,F403
from tests.outbox_probes import record  # noqa: E402,F401 (a fixture: the recording channel's file)
from tests.supporters_fixtures import *  # noqa: E402,F403
