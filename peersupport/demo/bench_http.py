"""A small HTTP client for `bench_pages`: logs in over HTTP as a real browser would (password,
then the authenticator code) and times pages served by gunicorn. The standard library only, so
the benchmark measures the service and not a client library; cookies are kept whatever their
Secure flag says, because the benchmark talks plain HTTP on loopback."""

from __future__ import annotations

import http.client
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from peersupport.demo.bench import percentile

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def give_authenticator(user) -> str:
    """A fresh authenticator app for a demo user, as production requires; returns its secret."""
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def authenticator_code(secret: str) -> str:
    """The code the user's authenticator app shows now."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict
    ms: float


@dataclass
class Browser:
    """One person's session against the server at `base` (http://host:port)."""

    base: str
    cookies: dict = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict | None = None) -> Answer:
        parts = urlsplit(self.base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        headers = {"Host": f"{parts.hostname}:{parts.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = urljoin(self.base, path)
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        ms = (time.perf_counter() - started) * 1000
        connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Answer(response.status, content, dict(response.headers), ms)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> Answer:
        """Posts `form` to the page at `path` with the CSRF token the page gave."""
        page = self.get(path)
        token = CSRF_FIELD.search(page.body)
        if not token:
            raise RuntimeError(f"No form with a CSRF token at {path} ({page.status}).")
        return self.request("POST", path, {**form, "csrfmiddlewaretoken": token.group(1).decode()})

    def log_in(self, email: str, password: str, secret: str) -> None:
        """Password first, then the authenticator code, as allauth asks at every login."""
        answer = self.post("/accounts/login/", {"login": email, "password": password})
        if answer.status != 302 or "2fa" not in answer.headers.get("Location", ""):
            raise RuntimeError(f"Logging in as {email} gave {answer.status}, not the code page.")
        location = urlsplit(answer.headers["Location"]).path
        answer = self.post(location, {"code": authenticator_code(secret)})
        if answer.status != 302:
            raise RuntimeError(f"The authenticator code for {email} was refused.")


@dataclass
class Timing:
    label: str
    path: str
    ms: list = field(default_factory=list)
    login_ms: list = field(default_factory=list)
    queries: int | None = None
    size: int = 0
    status: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.ms)

    @property
    def ratio(self) -> float:
        return self.median / statistics.median(self.login_ms)


def time_page(
    browser: Browser, anonymous: Browser, label: str, path: str, runs: int, before=None
) -> Timing:
    """Each request to the page follows one to the login page, so both see the same machine.
    `before` runs before each timed request (emptying the cache, say)."""
    timing = Timing(label, path)
    browser.get(path)  # warm: the first request of a worker imports templates
    for _ in range(runs):
        timing.login_ms.append(anonymous.get("/accounts/login/").ms)
        if before is not None:
            before()
        answer = browser.get(path)
        timing.ms.append(answer.ms)
        timing.status = answer.status
        timing.size = len(answer.body)
        queries = answer.headers.get("X-Bench-Queries")
        timing.queries = int(queries) if queries is not None else None
    return timing


@dataclass
class Load:
    path: str
    connections: int
    seconds: float
    ms: list = field(default_factory=list)
    errors: int = 0

    @property
    def per_second(self) -> float:
        return len(self.ms) / self.seconds

    def percentile(self, fraction: float) -> float:
        return percentile(self.ms, fraction) if self.ms else 0.0


def load(browser: Browser, path: str, connections: int, seconds: float) -> Load:
    """`connections` clients asking for the page back to back for `seconds`, each with the
    logged-in session's cookies; any answer but 200 counts as an error."""
    result = Load(path, connections, seconds)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client():
        mine = Browser(browser.base, dict(browser.cookies))
        while time.monotonic() < deadline:
            try:
                answer = mine.get(path)
                ok = answer.status == 200
            except OSError:
                answer, ok = None, False
            with lock:
                if ok:
                    result.ms.append(answer.ms)
                else:
                    result.errors += 1

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result
