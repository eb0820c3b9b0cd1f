"""Import dkimpy without its DNS plug-in importing dnspython's resolver.

``import dkim`` runs ``from dkim.dnsplug import get_txt``, and ``dkim/dnsplug.py`` imports
``dns.resolver`` at once: about a quarter of a second, the largest single cost of starting
``headerscope analyze``. headerscope always hands dkimpy its own ``dnsfunc`` (our Resolver),
so dkimpy's default lookup is never used. Before dkimpy is first imported, a small stand-in
module takes the place of ``dkim.dnsplug``; its ``get_txt`` loads the real plug-in on first
use, so a caller that does rely on dkimpy's own DNS still gets exactly the same behaviour.

dkimpy also imports PyNaCl (``nacl.signing``, ``nacl.encoding``) for ed25519 keys, which
most mail does not use, and ``logging`` for its default logger, which headerscope replaces;
those are deferred (``_deferred``) while dkimpy is imported.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import threading
import types
from typing import Any

from .._deferred import deferred, deferred_names

_PLUG = "dkim.dnsplug"
_lock = threading.Lock()
_real_plug: types.ModuleType | None = None


def _load_real_plug() -> types.ModuleType:
    """dkimpy's own dnsplug module, loaded from its file (the stand-in holds its name)."""
    global _real_plug
    with _lock:
        if _real_plug is None:
            import dkim

            spec = importlib.machinery.PathFinder.find_spec(_PLUG, list(dkim.__path__))
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot find {_PLUG}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            _real_plug = module
        return _real_plug


def _deferred_get_txt(name: bytes, timeout: float = 5) -> Any:
    """dkimpy's default TXT lookup, imported only when something actually uses it."""
    return _load_real_plug().get_txt(name, timeout)


def _stand_in() -> types.ModuleType:
    module = types.ModuleType(_PLUG, "Stand-in for dkim.dnsplug (see headerscope.auth._dkimpy_import).")
    setattr(module, "__all__", ["get_txt"])  # noqa: B010 - ModuleType declares neither
    setattr(module, "get_txt", _deferred_get_txt)  # noqa: B010
    return module


def import_dkim() -> types.ModuleType:
    """``import dkim``, with the DNS plug-in deferred; the dkim module.

    Safe to call any number of times and from any module: when dkimpy is already imported
    (with or without the stand-in), it is returned as it is.
    """
    loaded = sys.modules.get("dkim")
    if loaded is not None:
        return loaded
    with _lock:
        sys.modules.setdefault(_PLUG, _stand_in())
        with deferred("nacl.signing", "nacl.encoding"), deferred_names("logging", "NullHandler"):
            import dkim

    if not hasattr(dkim, "dnsplug"):
        # A submodule found in sys.modules is not bound on its package by the import system.
        dkim.dnsplug = sys.modules[_PLUG]
    return sys.modules["dkim"]
