"""Keep secret link tokens out of the logs.

Django logs every 404 as "Not Found: <path>", and the development server logs each request
line, so a token in a path would otherwise sit in log files for anyone who can read them. This
filter rewrites the token segment of `/offer/t/<token>/` and of any `/t/<token>/` path (survey
links use the same shape) before a handler formats the record.

Attached to every handler and to the loggers that write paths (peersupport/settings.py LOGGING),
since a handler's filter does not reach handlers added elsewhere, such as pytest's.
"""

import logging
import re

REDACTED = "[redacted]"

# "/t/" then the token: anything up to the next slash, query string, quote or space.
TOKEN_IN_PATH = re.compile(r"(/t/)[^/?#\s\"']+")


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(rf"\g<1>{REDACTED}", text)


def _clean(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bytes):
        return redact(value.decode("utf-8", "replace"))
    return value


class RedactTokens(logging.Filter):
    """Rewrites tokens in the record's message and arguments; never drops a record."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _clean(value) for key, value in record.args.items()}
        return True
