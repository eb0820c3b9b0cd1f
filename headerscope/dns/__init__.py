"""DNS for the checks: one Resolver interface, several sources (live, snapshot, recording, offline)."""

from .interface import DnsAnswer, DnsStatus, Resolver, SnapshotError, normalize_name

__all__ = ["DnsAnswer", "DnsStatus", "Resolver", "SnapshotError", "normalize_name"]
