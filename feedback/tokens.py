"""Secure single-purpose links for people without an account: offers now, surveys later.

A token is 256 random bits (at least 128 are required), given once to the caller to put in a
link and stored only as its SHA-256 hash. Each is bound to one purpose, to the one object it is
about, and to a person or user; it expires, and it can be used once.

    plain = tokens.issue("offer-answer", offer, person=offer.person)
    token = tokens.find("offer-answer", plain)       # None if unknown, expired or used
    if token and tokens.use(token): ...              # False if someone else used it first
"""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from feedback.models import AccessToken
from peersupport import links

DEFAULT_TTL = timedelta(days=28)

# Far longer than any real token (token_urlsafe(32) gives 43 characters); anything longer is
# refused before hashing so nobody can make us hash megabytes.
MAX_TOKEN_LENGTH = 100


def _hash(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def issue(purpose, obj, *, person=None, user=None, ttl=DEFAULT_TTL) -> str:
    """Make a token for `purpose` about `obj` and return the plain token; only its hash is kept."""
    plain = secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        purpose=purpose,
        token_hash=_hash(plain),
        person=person,
        user=user,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        expires_at=timezone.now() + ttl,
    )
    links.made(token)  # a letter being drawn gathers its links (peersupport.links)
    return plain


def revoke(token_hash: str) -> bool:
    """Stop the link with this token hash working: it expires now. False if it already had."""
    return AccessToken.objects.revoke(token_hash)


def find(purpose, plain) -> AccessToken | None:
    """The usable token for this plain text, or None.

    Looked up by its hash, so the database compares hashes, never the secret itself, and a
    timing difference can reveal nothing useful about a real token.
    """
    if not isinstance(plain, str) or not plain or len(plain) > MAX_TOKEN_LENGTH:
        return None
    return AccessToken.objects.usable(purpose).filter(token_hash=_hash(plain)).first()


def find_by_id(purpose, token_id) -> AccessToken | None:
    """The usable token with this id, for a page that keeps the id in the session, or None."""
    if not isinstance(token_id, int):
        return None
    return AccessToken.objects.usable(purpose).filter(pk=token_id).first()


def lookup(plain) -> AccessToken | None:
    """The token for this plain text whatever its state, or None: when a link no longer works,
    it still tells us whose organisation to give the phone number of."""
    if not isinstance(plain, str) or not plain or len(plain) > MAX_TOKEN_LENGTH:
        return None
    return AccessToken.objects.filter(token_hash=_hash(plain)).first()


def use(token) -> bool:
    """Mark the token used; False if it was already used (or has expired).

    A conditional UPDATE rather than read-then-save, so when two requests race only one of
    them wins, on every database.
    """
    moment = timezone.now()
    claimed = AccessToken.objects.filter(
        pk=token.pk, used_at__isnull=True, expires_at__gt=moment
    ).update(used_at=moment)
    if claimed:
        token.used_at = moment
    return bool(claimed)
