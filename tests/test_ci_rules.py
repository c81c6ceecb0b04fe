"""CI runs everything against the real services: nothing may be skipped, and the database and
broker are the production kinds. On a laptop (CI unset) skips stay skips."""

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import IN_CI, NothingSkippedInCI

pytest_plugins = ["pytester"]

SAMPLE = """
import pytest

def test_passes():
    pass

@pytest.mark.xfail(reason="a known bug", strict=True)
def test_expected_failure():
    assert False
"""


@pytest.mark.skipif(not IN_CI, reason="CI=true only: a laptop may use SQLite and no broker")
def test_ci_runs_against_postgresql_and_redis():
    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")


def test_the_rule_is_on_in_ci_and_off_on_a_laptop(request):
    assert request.config.pluginmanager.has_plugin(NothingSkippedInCI.name) is IN_CI


@pytest.fixture
def run(pytester, monkeypatch):
    # The inner run needs neither Django nor the browser plugins, only the rule under test.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")

    def run(source, *, rule):
        pytester.makepyfile(test_sample=source)
        return pytester.runpytest("-p", "no:cacheprovider", plugins=[NothingSkippedInCI()] * rule)

    return run


@pytest.mark.parametrize(
    "skip",
    [
        "def test_skipped():\n    pytest.skip('no Redis here')\n",
        "@pytest.mark.skipif(True, reason='no Redis here')\ndef test_skipped():\n    pass\n",
    ],
)
def test_with_the_rule_a_skipped_test_fails_the_run_and_says_so(run, skip):
    result = run(SAMPLE + "\n" + skip, rule=True)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=1, skipped=1, xfailed=1)
    result.stdout.fnmatch_lines(
        ["*CI=true: 1 skipped, and nothing may be skipped in CI, so this run fails:*"]
    )
    result.stdout.fnmatch_lines(["  test_sample.py::test_skipped"])


def test_with_the_rule_a_skipped_module_fails_the_run(run):
    result = run(
        "import pytest\npytest.skip('no Redis here', allow_module_level=True)\n", rule=True
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*nothing may be skipped in CI*", "  test_sample.py"])


def test_with_the_rule_a_run_without_skips_passes(run):
    result = run(SAMPLE, rule=True)
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1, xfailed=1)
    assert "skipped in CI" not in result.stdout.str()


def test_without_the_rule_a_skip_is_only_a_skip(run):
    result = run(SAMPLE + "\ndef test_skipped():\n    pytest.skip('no Redis here')\n", rule=False)
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1, skipped=1, xfailed=1)
