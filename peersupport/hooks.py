"""A hook: how a lower layer's change starts work in a higher layer without importing it.

A lower layer declares its hooks in one module (incidents.hooks, supporters.hooks), calls them
where the change happens, and the higher layer connects its function in its AppConfig.ready().
A hook is a plain call, made synchronously in the caller's transaction, in the order
connected; it carries no logic of its own (unlike a signal, nothing is hidden in a receiver's
module: each hook names who connects to it).
"""

from collections.abc import Callable


class Hook:
    def __init__(self, name: str, doc: str = ""):
        self.name = name
        self.__doc__ = doc
        self._listeners: list[Callable] = []

    def connect(self, listener: Callable) -> Callable:
        """Call `listener` whenever the hook is called; connecting twice has no effect."""
        if listener not in self._listeners:
            self._listeners.append(listener)
        return listener

    def __call__(self, *args, **kwargs) -> None:
        for listener in self._listeners:
            listener(*args, **kwargs)

    def __repr__(self):
        return f"<Hook {self.name}: {[getattr(f, '__qualname__', f) for f in self._listeners]}>"
