"""Keep personal data out of the logs and error reports.

Log lines name records by type and id only. What can still slip in is an exception's own text:
a database error repeats the value that broke a constraint, an SMTP error the address it
refused. So a logged exception keeps its type and where it happened, never its message.

Attached to the console handler and to `django.request` (peersupport/settings.py LOGGING), as
the token filter is: a logger's filter also reaches handlers added elsewhere, such as pytest's.
"""

import logging
import traceback


def describe(error: BaseException) -> str:
    """A traceback of where `error` happened and its type, with no message, causes first."""
    parts = []
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        kind = type(error)
        parts.append(
            "Traceback (most recent call last):\n"
            + "".join(traceback.format_tb(error.__traceback__))
            + f"{kind.__module__}.{kind.__qualname__} (message not logged)\n"
        )
        error = error.__cause__ or error.__context__
    return "\nWhile handling the above, this happened:\n".join(reversed(parts)).rstrip()


class RedactExceptionText(logging.Filter):
    """Replaces a record's exception with its message-free description; never drops a record."""

    def filter(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = describe(record.exc_info[1])
            record.exc_info = None
        return True
