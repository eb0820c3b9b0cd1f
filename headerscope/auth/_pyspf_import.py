"""Import pyspf without paying for dnspython's resolver at start-up.

``import spf`` runs ``import dns.resolver`` (about a fifth of a second: it pulls in most of
dnspython) only to choose pyspf's own default lookup function, which headerscope never uses:
every SPF query goes through our Resolver. While pyspf is imported, a stand-in takes the
place of ``dns.resolver``; afterwards the stand-in leaves ``sys.modules`` (so the next
``import dns.resolver``, e.g. by the live resolver, loads the real module as usual) and
stays bound as ``dns.resolver`` only until then: any attribute read through it imports the
real module first, so pyspf's own DNS, if some caller used it, behaves exactly as before.
(``importlib.util.LazyLoader`` cannot do this on Python 3.11: the import statement itself
reads ``__spec__`` and so triggers the load.)
"""

from __future__ import annotations

import importlib
import sys
import threading
import types
from typing import Any

_RESOLVER = "dns.resolver"
_lock = threading.Lock()


class _DeferredModule(types.ModuleType):
    """Stands for a module not imported yet; the first attribute read imports it."""

    def __getattr__(self, attribute: str) -> Any:
        # Only called for attributes the stand-in lacks, i.e. every name of the real module.
        real = sys.modules.get(self.__name__)
        if real is None or real is self:
            sys.modules.pop(self.__name__, None)
            real = importlib.import_module(self.__name__)
        return getattr(real, attribute)


def import_pyspf() -> types.ModuleType:
    """``import spf``, with ``dns.resolver`` deferred; the spf module. Idempotent."""
    loaded = sys.modules.get("spf")
    if loaded is not None:
        return loaded
    with _lock:
        if _RESOLVER in sys.modules:
            return importlib.import_module("spf")
        # pyspf reads dns.rdatatype and dns.exception at import: small, imported for real.
        package = importlib.import_module("dns")
        importlib.import_module("dns.rdatatype")
        importlib.import_module("dns.exception")
        stand_in = _DeferredModule(_RESOLVER)
        sys.modules[_RESOLVER] = stand_in
        try:
            spf = importlib.import_module("spf")
        finally:
            if sys.modules.get(_RESOLVER) is stand_in:
                del sys.modules[_RESOLVER]
            # `import dns.resolver` of a module found in sys.modules does not bind it on
            # the package; pyspf reads it as `dns.resolver`, so bind the stand-in there
            # until the real module is imported (the import system then rebinds it).
            if not isinstance(getattr(package, "resolver", None), types.ModuleType):
                setattr(package, "resolver", stand_in)  # noqa: B010
    return spf
