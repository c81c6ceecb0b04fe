"""Answer links made while a message is drawn: the outbox and letter printing gather them.

A message kind's context may make a single-use answer link (an offer's, a survey's; the tokens
themselves are made by feedback.tokens). A letter's link must exist only in the printed copy,
so whoever draws a letter gathers the links made inside `collecting()` and revokes the ones
that will not be printed. Each gathered link has `token_hash` and `revoke()`.

    with links.collecting() as made:
        context = kind.context(message)
    for link in made:
        link.revoke()
"""

from contextlib import contextmanager
from contextvars import ContextVar

_collected: ContextVar[list | None] = ContextVar("links_collected", default=None)


def made(link) -> None:
    """Note a link just made, for the `collecting()` block around it (if any)."""
    collected = _collected.get()
    if collected is not None:
        collected.append(link)


@contextmanager
def collecting():
    """Gather the links made inside the block (by whatever builds a message), so a printed
    letter can record which link it carries, by its hash."""
    collected = []
    reset = _collected.set(collected)
    try:
        yield collected
    finally:
        _collected.reset(reset)
