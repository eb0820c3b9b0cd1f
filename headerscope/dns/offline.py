"""A resolver that answers every question with OFFLINE, opening no socket."""

from __future__ import annotations

from .interface import DnsAnswer, DnsStatus, Resolver, normalize_name


class OfflineResolver(Resolver):
    """For ``--offline``: every check that needs DNS reports "not checked (offline)"."""

    source = "offline"

    def resolve(self, name: str, rdtype: str) -> DnsAnswer:
        return DnsAnswer(name=normalize_name(name), rdtype=rdtype.upper(), status=DnsStatus.OFFLINE)
