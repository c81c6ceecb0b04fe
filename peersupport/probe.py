"""The "probe" message kind: used only by the fault tests (tests/faults), on the recording
channel, and the benchmark (`manage.py bench_outbox`), by email to the benchmark's own SMTP
server.

It carries no person's data and nothing can make it obsolete, so every probe that falls due
must be sent: exactly what the fault tests count. Its email goes to an address under
`.invalid`, which no real mail server delivers (RFC 2606).
"""

from peersupport import outbox

KIND = "probe"
ADDRESS = "outbox-probe@example.invalid"


def register() -> None:
    """Declare the probe kind to the outbox."""
    outbox.register(KIND, context=lambda message: {}, recipient=lambda message: ADDRESS)
