"""peersupport.env: the strict readers every setting goes through."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from peersupport.env import env_bool, env_int, env_list, env_str

NAME = "PEERSUPPORT_TEST_VARIABLE"


@pytest.fixture
def unset(monkeypatch):
    monkeypatch.delenv(NAME, raising=False)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("false", False),
        ("1", True),
        ("0", False),
        ("yes", True),
        ("no", False),
        ("on", True),
        ("off", False),
        ("TRUE", True),
        ("False", False),
        (" Yes ", True),
        ("OFF", False),
    ],
)
def test_env_bool_accepts_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv(NAME, raw)
    assert env_bool(NAME, not expected) is expected


@pytest.mark.parametrize("raw", ["flase", "ture", "2", "y", "n", "enabled", "-"])
def test_env_bool_rejects_anything_else_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_bool(NAME, False)
    assert NAME in str(excinfo.value)
    assert repr(raw) in str(excinfo.value)


def test_debug_flase_is_an_error_not_false(monkeypatch):
    monkeypatch.setenv("DEBUG", "flase")
    with pytest.raises(ImproperlyConfigured, match=r"^DEBUG must be one of"):
        env_bool("DEBUG", False)


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_default_when_unset(unset, default):
    assert env_bool(NAME, default) is default


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_default_when_empty(monkeypatch, default):
    monkeypatch.setenv(NAME, "")
    assert env_bool(NAME, default) is default


@pytest.mark.parametrize(("raw", "expected"), [("10", 10), ("0", 0), ("-3", -3), (" 42 ", 42)])
def test_env_int_parses_whole_numbers(monkeypatch, raw, expected):
    monkeypatch.setenv(NAME, raw)
    assert env_int(NAME, 7) == expected


@pytest.mark.parametrize("raw", ["ten", "1.5", "10s", "1e3"])
def test_env_int_rejects_anything_else_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_int(NAME, 7)
    assert str(excinfo.value) == f"{NAME} must be a whole number, not {raw!r}."


def test_env_int_default_when_unset_or_empty(monkeypatch, unset):
    assert env_int(NAME, 7) == 7
    monkeypatch.setenv(NAME, "")
    assert env_int(NAME, 7) == 7


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a", ["a"]),
        ("a,b", ["a", "b"]),
        (" a , b ,c ", ["a", "b", "c"]),
        ("peersupport.example.nhs.uk,.nhs.uk", ["peersupport.example.nhs.uk", ".nhs.uk"]),
        ("a,,b,", ["a", "b"]),
        (" , ", []),
    ],
)
def test_env_list_splits_on_commas_and_trims(monkeypatch, raw, expected):
    monkeypatch.setenv(NAME, raw)
    assert env_list(NAME, ["default"]) == expected


def test_env_list_default_when_unset_or_empty(monkeypatch, unset):
    assert env_list(NAME, ["localhost"]) == ["localhost"]
    monkeypatch.setenv(NAME, "")
    assert env_list(NAME, ["localhost"]) == ["localhost"]


def test_env_str_returns_the_value_as_given(monkeypatch):
    monkeypatch.setenv(NAME, "postgres://user:pass@db:5432/peersupport")
    assert env_str(NAME) == "postgres://user:pass@db:5432/peersupport"


def test_env_str_default_when_unset_or_empty(monkeypatch, unset):
    assert env_str(NAME) is None
    assert env_str(NAME, "fallback") == "fallback"
    monkeypatch.setenv(NAME, "")
    assert env_str(NAME, "fallback") == "fallback"
