"""One rate limiter for every public form and token page.

Each request is counted and checked in one atomic step on the cache: `cache.add(key, 0)` makes
the window's counter if it is missing, then `cache.incr(key)` returns this request's place in
the count, and only places up to the limit go through. Counting and checking separately (read,
then add one after the work is done) lets every request that arrives together through.
`incr` is atomic in Redis (INCR) and in the local-memory cache (a lock); those are the two
caches the service runs on (docker-compose and CI use Redis).

django-ratelimit counts the same way, but keys an address by a plain MD5 of it (an IPv4
address is found again from that in seconds), reads the address without our proxy setting
unless told, and cannot give back a count; this is the few lines we need.

The key is a keyed hash of the client's address (peersupport.audit.client_ip, so it honours
TRUSTED_PROXY_COUNT), so the cache never holds an address. Windows are fixed hours by default.

    REFERRALS = Rule("referral", setting="REFERRALS_PER_HOUR", default=5)
    attempt = ratelimit.hit(request, REFERRALS)
    if not attempt.allowed: ...  # 429
    attempt.give_back()          # a form sent back with mistakes does not count
"""

from contextlib import suppress
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import salted_hmac

from peersupport.audit import client_ip

HOUR = 60 * 60


@dataclass(frozen=True)
class Rule:
    """What is counted (`scope`), how many per window, and the setting that may change it."""

    scope: str
    setting: str
    default: int
    window: int = HOUR

    @property
    def limit(self) -> int:
        return getattr(settings, self.setting, self.default)


@dataclass
class Attempt:
    key: str
    count: int
    limit: int

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    def give_back(self) -> None:
        """Uncount this request (atomic decr); nothing to do if its window has gone."""
        with suppress(ValueError):
            cache.decr(self.key)


def key(request, rule: Rule) -> str:
    """The counter's key for this address, rule and window; the address only as a keyed hash."""
    address = client_ip(request) or "unknown"
    digest = salted_hmac(f"peersupport.ratelimit.{rule.scope}", address).hexdigest()[:32]
    window = int(timezone.now().timestamp() // rule.window)
    return f"ratelimit:{rule.scope}:{digest}:{window}"


def hit(request, rule: Rule) -> Attempt:
    """Count this request and say whether it is within the limit, in one atomic step."""
    counter = key(request, rule)
    # A little longer than the window, so the counter outlives the window it counts.
    timeout = rule.window + 60
    for _ in range(3):
        cache.add(counter, 0, timeout)
        try:
            return Attempt(counter, cache.incr(counter), rule.limit)
        except ValueError:  # the counter expired between add() and incr(): make it again
            continue
    return Attempt(counter, 1, rule.limit)


def limited(rule: Rule, *, refused, methods=None):
    """A view decorator: count each request (or only those with one of `methods`) and answer
    with `refused(request)` past the limit."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if (methods is None or request.method in methods) and not hit(request, rule).allowed:
                return refused(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
