"""The production shape, read as data: docker-compose.yml and the Dockerfile.

There is no Docker engine here, so these tests parse the files and check the shape the ADR
(docs/adr/0002-settings-and-deployment.md) describes. No database.
"""

import json
import os
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SETTINGS = ROOT / "peersupport" / "settings.py"

APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions = []
    current = ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        keyword, _, arguments = current.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        current = ""
    return instructions


def as_argv(command) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def test_the_five_services_exist(services):
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)


def test_web_runs_gunicorn_on_port_8000(services):
    argv = as_argv(services["web"]["command"])
    assert argv[0] == "gunicorn"
    assert "peersupport.wsgi:application" in argv
    assert any(part.endswith("0.0.0.0:8000") for part in argv)
    assert any(str(port).endswith(":8000") for port in services["web"]["ports"])


def test_worker_runs_the_celery_worker(services):
    argv = as_argv(services["worker"]["command"])
    assert argv[:4] == ["celery", "-A", "peersupport", "worker"]
    assert "--loglevel=INFO" in argv


def test_beat_runs_celery_beat_with_its_schedule_in_a_volume(compose, services):
    beat = services["beat"]
    argv = as_argv(beat["command"])
    assert argv[:4] == ["celery", "-A", "peersupport", "beat"]
    assert "--loglevel=INFO" in argv
    schedule = next(part.split("=", 1)[1] for part in argv if part.startswith("--schedule="))
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in beat["volumes"]}
    directory = next(target for target in mounts if schedule.startswith(target + "/"))
    assert mounts[directory] in compose["volumes"], "the schedule must live in a named volume"


def test_db_is_postgres_16_with_its_data_in_a_named_volume(compose, services):
    db = services["db"]
    assert db["image"] == "postgres:16"
    assert "postgres-data:/var/lib/postgresql/data" in db["volumes"]
    assert "postgres-data" in compose["volumes"]


def test_redis_is_redis_7_append_only_with_a_volume(compose, services):
    redis = services["redis"]
    assert redis["image"] == "redis:7"
    argv = as_argv(redis["command"])
    assert argv[argv.index("--appendonly") + 1] == "yes"
    assert "redis-data:/data" in redis["volumes"]
    assert "redis-data" in compose["volumes"]


@pytest.mark.parametrize(
    ("service", "expected"),
    [("db", "pg_isready"), ("redis", "redis-cli ping"), ("web", "/healthz/")],
)
def test_health_checks(services, service, expected):
    check = services[service]["healthcheck"]
    assert not check.get("disable", False)
    assert check["test"][0] in {"CMD", "CMD-SHELL"}
    assert expected in " ".join(check["test"][1:])
    assert check.get("interval") and check.get("retries")


def test_health_check_commands_are_spelt_as_expected(services):
    assert services["db"]["healthcheck"]["test"][0] == "CMD-SHELL"
    assert services["db"]["healthcheck"]["test"][1].startswith("pg_isready ")
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_wait_for_healthy_db_and_redis(services, service):
    depends_on = services[service]["depends_on"]
    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_start_only_after_migrations(services, service):
    assert services[service]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )


def test_migrate_is_a_one_off_step(services):
    migrate = services["migrate"]
    assert as_argv(migrate["command"]) == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"


def database_login(service) -> tuple[str, str]:
    """(user, password) of DATABASE_URL; the password is a `${...:?...}` reference, which
    urllib cannot parse."""
    url = service["environment"]["DATABASE_URL"]
    user, password = re.fullmatch(r"postgres://([^:@/]+):(.*)@db:5432/peersupport", url).groups()
    return user, password


def database_user(service) -> str:
    return database_login(service)[0]


def test_the_service_connects_as_its_own_role_and_only_migrate_as_the_owner(services):
    """Finding 4: connected as the tables' owner, the service could TRUNCATE the audit log or
    switch off its trigger. web, worker and beat share one role that is neither the owner nor
    the image's superuser; `migrate` runs as the owner and names that role to grant."""
    superuser = services["db"]["environment"]["POSTGRES_USER"]
    service_users = {database_user(services[name]) for name in APP_SERVICES}
    assert service_users == {"peersupport_app"}
    owner = database_user(services["migrate"])
    assert owner == "peersupport_owner"
    assert superuser not in {owner, "peersupport_app"}
    assert services["migrate"]["environment"]["DATABASE_APP_ROLE"] == "peersupport_app"
    for name in APP_SERVICES:
        assert "DATABASE_APP_ROLE" not in services[name]["environment"]


def test_database_passwords_come_from_the_environment(services):
    for name in (*APP_SERVICES, "migrate"):
        password = database_login(services[name])[1]
        assert re.fullmatch(r"\$\{POSTGRES_[A-Z]+_PASSWORD:\?[^}]+\}", password), name


def test_the_database_init_script_makes_both_roles(services):
    db = services["db"]
    mounts = [volume for volume in db["volumes"] if "/docker-entrypoint-initdb.d/" in volume]
    assert len(mounts) == 1
    source, target, mode = mounts[0].split(":")
    script = ROOT / source
    assert target.endswith(".sh") and mode == "ro"
    assert script.is_file() and os.access(script, os.X_OK)
    text = script.read_text()
    for role in ("peersupport_owner", "peersupport_app"):
        assert re.search(rf"CREATE ROLE {role} LOGIN PASSWORD :'\w+'", text), role
    assert 'ALTER DATABASE :"db" OWNER TO peersupport_owner' in text
    for variable in re.findall(r"\$\{?(POSTGRES_[A-Z_]+_PASSWORD)", text):
        assert db["environment"][variable].startswith(f"${{{variable}:?"), variable


def test_the_database_is_healthy_only_once_it_listens_on_tcp(services):
    """The image answers on its socket while the init script runs; over TCP only after."""
    assert "-h 127.0.0.1" in services["db"]["healthcheck"]["test"][1]


@pytest.mark.parametrize("service", (*APP_SERVICES, "migrate"))
def test_app_services_build_from_the_dockerfile_and_share_one_environment(services, service):
    definition = services[service]
    assert definition["build"]["context"] == "."
    env = definition["environment"]
    assert env["DEBUG"] == "false"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["DATABASE_URL"].endswith("@db:5432/peersupport")
    assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert env["CACHE_URL"] == "redis://redis:6379/1"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?"), "SECRET_KEY must be required"
    assert env["ALLOWED_HOSTS"].startswith("${ALLOWED_HOSTS")
    assert "TRUST_X_FORWARDED_PROTO" in env


def test_every_variable_the_compose_file_sets_is_one_the_settings_read(services):
    """A misspelt name would silently fall back to a default: catch it here."""
    settings_source = SETTINGS.read_text()
    read_by_settings = set(
        re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', settings_source)
    )
    gunicorn_reads = {"WEB_CONCURRENCY"}
    for service in (*APP_SERVICES, "migrate"):
        unknown = set(services[service]["environment"]) - read_by_settings - gunicorn_reads
        assert not unknown, f"{service} sets variables nothing reads: {sorted(unknown)}"


def test_secrets_are_not_written_into_the_compose_file(services):
    for service in services.values():
        for name, value in (service.get("environment") or {}).items():
            if "PASSWORD" in name or name == "SECRET_KEY":
                assert str(value).startswith("${"), f"{name} must come from the environment"


def test_worker_and_beat_do_not_inherit_the_web_health_check(services):
    # The image's HEALTHCHECK probes port 8000, which only web listens on.
    assert "inspect ping" in services["worker"]["healthcheck"]["test"][1]
    assert services["beat"]["healthcheck"] == {"disable": True}
    assert services["migrate"]["healthcheck"] == {"disable": True}


def test_dockerfile_is_python_311_slim():
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")


def test_dockerfile_runs_as_a_non_root_user():
    users = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "USER"]
    assert users, "the Dockerfile must switch to an unprivileged USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}


def test_dockerfile_installs_dependencies_and_collects_static_files():
    runs = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "RUN"]
    assert any("pip install" in run for run in runs)
    collectstatic = next(run for run in runs if "collectstatic" in run)
    assert "SECRET_KEY=" in collectstatic and "--noinput" in collectstatic


def test_dockerfile_exposes_8000_and_runs_gunicorn():
    instructions = dict(dockerfile_instructions())
    assert instructions["EXPOSE"] == "8000"
    argv = json.loads(instructions["CMD"])
    assert argv[:2] == ["gunicorn", "peersupport.wsgi:application"]
    assert "0.0.0.0:8000" in argv


def test_dockerfile_health_check_uses_python_against_healthz():
    healthcheck = dict(dockerfile_instructions())["HEALTHCHECK"]
    options, _, command = healthcheck.partition(" CMD ")
    assert "--interval=" in options and "--timeout=" in options
    argv = json.loads(command)
    assert argv[:2] == ["python", "-c"]
    assert "urllib" in argv[2] and "http://127.0.0.1:8000/healthz/" in argv[2]
    assert "curl" not in healthcheck


def test_web_health_check_is_the_dockerfiles(services):
    """The two copies of the probe must not drift apart."""
    healthcheck = dict(dockerfile_instructions())["HEALTHCHECK"]
    dockerfile_script = json.loads(healthcheck.partition(" CMD ")[2])[2]
    compose_test = services["web"]["healthcheck"]["test"]
    assert compose_test[:3] == ["CMD", "python", "-c"]
    assert " ".join(compose_test[3].split()) == " ".join(dockerfile_script.split())


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".env", ".venv", ".run"} <= ignored


BACKUP_SCRIPT = ROOT / "peersupport" / "deploy" / "backup.sh"


def test_a_backup_service_dumps_the_database_with_the_servers_own_tools(services):
    backup = services["backup"]
    assert backup["image"] == "postgres:16", "pg_dump must be the server's version"
    assert as_argv(backup["command"]) == ["bash", "/usr/local/bin/peersupport-backup"]
    assert (
        "./peersupport/deploy/backup.sh:/usr/local/bin/peersupport-backup:ro" in backup["volumes"]
    )
    assert backup["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    env = backup["environment"]
    assert env["PGUSER"] == "peersupport_app", "dumps as the service's role, never the owner"
    assert env["PGPASSWORD"].startswith("${POSTGRES_APP_PASSWORD:?")


def test_backups_are_encrypted_with_a_secret_never_in_an_environment(compose, services):
    assert compose["secrets"]["backup_passphrase"] == {"environment": "BACKUP_PASSPHRASE"}
    assert services["backup"]["secrets"] == ["backup_passphrase"]
    for service in services.values():
        assert "BACKUP_PASSPHRASE" not in (service.get("environment") or {})
    script = BACKUP_SCRIPT.read_text()
    assert "pg_dump --format=custom \\\n        | gpg --batch" in script, "encrypted in the pipe"
    assert "--symmetric --cipher-algo AES256" in script
    assert "/run/secrets/backup_passphrase" in script


def test_backups_are_kept_35_days_and_the_ledger_as_long(services):
    assert services["backup"]["environment"]["BACKUP_KEEP_DAYS"] == "${BACKUP_KEEP_DAYS:-35}"
    for service in APP_SERVICES:
        assert services[service]["environment"]["BACKUP_KEEP_DAYS"] == "${BACKUP_KEEP_DAYS:-35}"
    assert '-mtime +"$BACKUP_KEEP_DAYS"' in BACKUP_SCRIPT.read_text()
    assert "backups:/backups" in services["backup"]["volumes"]
    assert "-mmin -1560" in services["backup"]["healthcheck"]["test"][1]


def test_the_restore_ledger_has_a_volume_of_its_own_in_every_app_process(compose, services):
    for service in (*APP_SERVICES, "migrate"):
        assert "restore-ledger:/var/lib/peersupport/ledger" in services[service]["volumes"]
    assert "restore-ledger" in compose["volumes"]
