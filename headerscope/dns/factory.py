"""Build the resolver the options ask for (the only place the CLI's DNS flags become objects)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .interface import Resolver

if TYPE_CHECKING:
    from ..api import AnalysisOptions


def snapshot_beside(source: str) -> Path | None:
    """``NAME.dns.json`` next to ``NAME.eml`` (or next to a file without suffix), if it exists."""
    if source in ("-", "api", "clipboard"):
        return None
    path = Path(source)
    candidates = [path.with_name(path.stem + ".dns.json"), path.with_name(path.name + ".dns.json")]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def make_resolver(opts: AnalysisOptions) -> Resolver:
    """Offline, snapshot (given or found beside the message), recording or live."""
    if opts.offline and opts.record_dns:
        # Offline uses no answer, so a recording would write none: say so, not a missing file.
        raise ValueError("offline and record_dns contradict: offline, no DNS answer is used, so there is nothing to record")
    if opts.offline:
        from .offline import OfflineResolver

        return OfflineResolver()
    snapshot = Path(opts.dns_snapshot) if opts.dns_snapshot else None
    beside = snapshot is None and not opts.record_dns and opts.nameserver is None
    if beside:
        snapshot = snapshot_beside(opts.source)
    if snapshot is not None:
        from .snapshot import SnapshotResolver

        loaded = SnapshotResolver.from_file(snapshot)
        replay: Resolver = loaded.found_beside() if beside else loaded
        if opts.record_dns:
            # --record-dns with --dns-snapshot writes the answers this analysis used (a subset of
            # the snapshot, CNAMEs followed), so the report's evidence replays exactly from it;
            # writing nothing without a word would leave the user with a missing file.
            from .recording import RecordingResolver

            return RecordingResolver(replay)
        return replay
    from .live import LiveResolver

    live = LiveResolver(nameserver=opts.nameserver, timeout=opts.dns_timeout)
    if opts.record_dns:
        from .recording import RecordingResolver

        return RecordingResolver(live)
    return live
