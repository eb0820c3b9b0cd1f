"""Import pyspf without paying for dnspython's resolver at start-up.

``import spf`` runs ``import dns.resolver`` (about a fifth of a second: it pulls in most of
dnspython) only to choose pyspf's own default lookup function, which headerscope never uses:
every SPF query goes through our Resolver. It also imports ``socket`` (for an exception
class it names in ``except`` clauses) and ``email.message`` (for parsing a Received-SPF
header in ``query.parse_header``, which headerscope never calls); with ``email.utils``
and their own imports those cost more than evaluating SPF. While pyspf is imported,
stand-ins (``_deferred``) take their places and import the real modules on first use.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types

from ._deferred import deferred, deferred_email_message

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
        with deferred("dns.resolver", "socket"), deferred_email_message():
            return importlib.import_module("spf")
