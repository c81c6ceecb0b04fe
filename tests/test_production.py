"""The service under its production settings, run as it runs in the container.

Each test starts real processes (`manage.py`, gunicorn) with DEBUG off and an environment built
from scratch, so nothing from the test settings leaks in. Everything listens on 127.0.0.1 only.
"""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = Path(sys.executable).parent / "gunicorn"
STYLESHEET = "nhsuk/nhsuk-frontend.min.css"
ONE_YEAR = 365 * 24 * 60 * 60

# Every variable the settings read, found in the source so a new one is stripped too.
SETTINGS_VARIABLES = set(
    re.findall(
        r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"',
        (ROOT / "peersupport" / "settings.py").read_text(),
    )
) | {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "DATABASE_URL", "CELERY_BROKER_URL"}
# Set by the browser tests for their own process; production never has it.
TEST_ONLY_VARIABLES = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def production_env(directory: Path, **overrides: str | None) -> dict[str, str]:
    """os.environ without any setting in it, plus a production configuration; an override
    of None removes the variable."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTINGS_VARIABLES | TEST_ONLY_VARIABLES
    }
    env.update(
        DJANGO_SETTINGS_MODULE="peersupport.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="peersupport.example.nhs.uk",
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        RUN_DIR=str(directory / "run"),
        STATIC_ROOT=str(directory / "staticfiles"),
        # gunicorn keeps a control socket under $HOME; keep it in the temporary directory.
        HOME=str(directory),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    for name in [name for name, value in env.items() if value is None]:
        del env[name]
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_check_deploy_finds_no_issues(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output


def test_missing_secret_key_stops_the_service_with_a_clear_message(tmp_path):
    env = production_env(tmp_path, SECRET_KEY=None)
    assert "SECRET_KEY" not in env
    result = manage("check", env=env)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith(
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY is not set"
    )
    assert "DEBUG off" in last_line


def test_empty_secret_key_counts_as_missing(tmp_path):
    result = manage("check", env=production_env(tmp_path, SECRET_KEY=""))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr.strip().splitlines()[-1]


def test_mfa_cannot_be_switched_off_in_production(tmp_path):
    result = manage("check", env=production_env(tmp_path, MFA_REQUIRED="false"))
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith(
        "django.core.exceptions.ImproperlyConfigured: MFA_REQUIRED=false is only allowed with "
        "DEBUG on"
    )


def test_misspelt_debug_stops_the_service_with_a_clear_message(tmp_path):
    result = manage("check", env=production_env(tmp_path, DEBUG="flase"))
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == (
        "django.core.exceptions.ImproperlyConfigured: "
        "DEBUG must be one of true/false/1/0/yes/no/on/off, not 'flase'."
    )


# --- gunicorn serving the collected static files -----------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


def fetch(url: str, *, https: bool = True, headers: dict[str, str] | None = None) -> Response:
    """GET without following redirects. https=True says so in X-Forwarded-Proto, as the proxy
    in front of the container does."""
    request_headers = {"X-Forwarded-Proto": "https"} if https else {}
    request_headers.update(headers or {})
    request = urllib.request.Request(url, headers=request_headers)
    try:
        with _opener.open(request, timeout=10) as response:
            return Response(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.headers, error.read())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StylesheetLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        rel = (attributes.get("rel") or "").lower().split()
        if tag == "link" and "stylesheet" in rel and attributes.get("href"):
            self.hrefs.append(attributes["href"])


class Server:
    def __init__(self, base_url: str, port: int, env: dict[str, str], static_root: Path):
        self.base_url = base_url
        self.port = port
        self.env = env
        self.static_root = static_root

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    def manifest(self) -> dict[str, str]:
        return json.loads((self.static_root / "staticfiles.json").read_text())["paths"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("production")
    env = production_env(
        directory,
        ALLOWED_HOSTS="127.0.0.1",
        TRUST_X_FORWARDED_PROTO="true",
    )
    for command in (("migrate", "--noinput"), ("collectstatic", "--noinput")):
        result = manage(*command, env=env, timeout=120)
        assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"

    port = free_port()
    base_url = f"http://127.0.0.1:{port}/"
    log_path = directory / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "peersupport.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                "--workers=2",
                "--timeout=30",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited with {process.returncode}:\n{log_path.read_text()}")
            try:
                if fetch(urljoin(base_url, "healthz/")).status in {200, 503}:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer within 30 s:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield Server(base_url, port, env, Path(env["STATIC_ROOT"]))
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


@pytest.fixture(scope="module")
def login_page(server):
    return fetch(server.url("/accounts/login/"))


def test_login_page_is_served(login_page):
    assert login_page.status == 200
    assert login_page.headers["Content-Type"].startswith("text/html")
    assert b"<form" in login_page.body


def test_login_page_sends_the_security_headers(login_page):
    headers = login_page.headers
    assert "object-src 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "max-age=31536000" in headers["Strict-Transport-Security"]


def test_login_page_cookies_are_secure(login_page):
    for cookie in login_page.headers.get_all("Set-Cookie") or []:
        assert "Secure" in cookie, cookie
        assert "HttpOnly" in cookie, cookie
        assert "SameSite=Lax" in cookie, cookie


def test_login_page_is_never_stored(login_page):
    assert "no-store" in login_page.headers["Cache-Control"]


def test_plain_http_is_redirected_to_https(server):
    response = fetch(server.url("/accounts/login/"), https=False)
    assert response.status == 301
    assert response.headers["Location"] == f"https://127.0.0.1:{server.port}/accounts/login/"


def test_unknown_host_is_refused(server):
    response = fetch(server.url("/accounts/login/"), headers={"Host": "attacker.example"})
    assert response.status == 400


def test_stylesheet_is_served_fingerprinted_and_cached_for_ever(server, login_page):
    manifest = server.manifest()
    parser = StylesheetLinks()
    parser.feed(login_page.body.decode())
    if parser.hrefs:
        href = next((h for h in parser.hrefs if "nhsuk-frontend" in h), parser.hrefs[0])
    elif STYLESHEET in manifest:
        # The page links no stylesheet yet: fall back to the collected NHS.UK frontend.
        href = "/static/" + manifest[STYLESHEET]
    else:
        pytest.fail(
            f"The login page links no stylesheet and {STYLESHEET} was not collected: "
            "templates/base.html and static/nhsuk/ are not in place yet."
        )
    url = server.url(href)
    path = urlsplit(url).path
    assert path.startswith("/static/"), url
    assert path.removeprefix("/static/") in manifest.values(), f"{href} is not a hashed name"

    response = fetch(url)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/css")
    cache_control = response.headers["Cache-Control"]
    assert "immutable" in cache_control
    max_age = int(re.search(r"max-age=(\d+)", cache_control).group(1))
    assert max_age >= ONE_YEAR
    assert len(response.body) > 0


def test_healthz_reports_database_and_broker(server):
    response = fetch(server.url("/healthz/"))
    assert response.status == 200, response.body
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert {name: body.get(name) for name in ("status", "database", "broker")} == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
    }


def test_the_images_health_check_passes_against_the_running_service(server):
    """The Dockerfile's HEALTHCHECK command, pointed at this server's port."""
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    healthcheck = next(line for line in dockerfile.splitlines() if line.startswith("HEALTHCHECK"))
    argv = json.loads(healthcheck.partition(" CMD ")[2])
    script = argv[2].replace("127.0.0.1:8000", f"127.0.0.1:{server.port}")
    assert script != argv[2]
    result = subprocess.run(
        [PYTHON, "-c", script],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=15,
        check=False,
    )
    assert result.returncode == 0, result.stderr
