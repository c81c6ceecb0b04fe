"""The "probe" message kind: used only by the fault tests (tests/faults) and the benchmark
(`manage.py bench_outbox`), always on the recording channel.

It carries no person's data and nothing can make it obsolete, so every probe that falls due
must be sent: exactly what the fault tests count.
"""

from peersupport import outbox

KIND = "probe"


def register() -> None:
    """Declare the probe kind to the outbox."""
    outbox.register(KIND, context=lambda message: {})
