"""Import pyspf without paying for dnspython's resolver at start-up.

``import spf`` runs ``import dns.resolver`` (about a fifth of a second: it pulls in most of
dnspython) only to choose pyspf's own default lookup function, which headerscope never uses:
every SPF query goes through our Resolver. It also imports ``socket`` (for an exception
class it names in ``except`` clauses) and ``email.message`` (for parsing a Received-SPF
header in ``query.parse_header``, which headerscope never calls); with ``email.utils``
and their own imports those cost more than evaluating SPF. While pyspf is imported,
stand-ins (``_deferred``) take their places and import the real modules on first use.

pyspf also compiles a dozen regular expressions at import, which takes longer than the
rest of its import (the one for IPv6 addresses alone, about 4 ms, is used only to check an
``ip6:`` term). Each is compiled when first used instead (``_LazyPattern``).
"""

from __future__ import annotations

import contextlib
import importlib
import re
import sys
import threading
import types
from collections.abc import Iterator
from typing import Any

from .._deferred import deferred, deferred_names

_lock = threading.Lock()


def import_pyspf() -> types.ModuleType:
    """``import spf``, with ``dns.resolver`` deferred; the spf module. Idempotent."""
    loaded = sys.modules.get("spf")
    if loaded is not None:
        return loaded
    with _lock:
        # pyspf reads dns.rdatatype and dns.exception at import: small, imported for real.
        importlib.import_module("dns.rdatatype")
        importlib.import_module("dns.exception")
        with (deferred("dns.resolver", "socket"), deferred_names("email.message", "Message"),
              _lazy_patterns("spf")):
            return importlib.import_module("spf")


class _LazyPattern:
    """Stands for a pattern a module compiles at import: the first use compiles it and
    puts the compiled pattern in the module's globals in its place, so from then on the
    module uses the real one directly."""

    __slots__ = ("_args", "_compiled", "_module")

    def __init__(self, module: str, args: tuple[Any, ...]) -> None:
        self._module = module
        self._args = args
        self._compiled: re.Pattern[Any] | None = None

    def __getattr__(self, attribute: str) -> Any:
        # Called only for what the stand-in lacks: every attribute of a pattern.
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(*self._args)
            module = sys.modules.get(self._module)
            if module is not None:
                for name, value in list(vars(module).items()):
                    if value is self:
                        setattr(module, name, compiled)
        return getattr(compiled, attribute)


@contextlib.contextmanager
def _lazy_patterns(module: str) -> Iterator[None]:
    """Within the block, ``re.compile`` called from the code of ``module`` returns a
    ``_LazyPattern``; calls from anywhere else are untouched."""
    real_compile = re.compile

    def compile_later(*args: Any, **kwargs: Any) -> Any:
        if kwargs or sys._getframe(1).f_globals.get("__name__") != module:
            return real_compile(*args, **kwargs)
        return _LazyPattern(module, args)

    re.compile = compile_later
    try:
        yield
    finally:
        re.compile = real_compile
