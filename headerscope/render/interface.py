"""The renderer interface: a Report in, a string out."""

from __future__ import annotations

from abc import ABC, abstractmethod

from ..dns.interface import DnsStatus
from ..model import Report


class RenderError(Exception):
    """A report could not be rendered (a template is missing, ...)."""


class Renderer(ABC):
    """Turns a Report into text for one output format."""

    name: str = ""
    """Format name used by ``--format``."""

    @abstractmethod
    def render(self, report: Report) -> str:
        """The whole output for one report."""


def dns_source_words(report: Report) -> str:
    """``live (127.0.0.1:5353)``: where the answers came from, as every format names it."""
    origin = report.dns_source
    return origin.source + (f" ({origin.detail})" if origin.detail else "")


def dns_status_words(status: str) -> str:
    """A DNS evidence line's status as read: BUDGET is no server's answer, and says so."""
    if status == DnsStatus.BUDGET:
        return "BUDGET (not asked: the analysis's DNS time budget was spent)"
    if status == DnsStatus.NOT_RECORDED:
        return "NOT_RECORDED (not in the snapshot: unknown)"
    return status


def dns_unanswered_line(report: Report) -> str | None:
    """One line when a nameserver answered none of the analysis's questions (each timed out or
    failed), live or in the recording a snapshot replays: then every DNS-based result is unknown,
    which each row says only for itself. Said with the warning dns.unanswered, whose title names
    the nameserver (the recorded one on a replay)."""
    warning = next((f for f in report.findings if f.id == "dns.unanswered"), None)
    if warning is None:
        return None
    # Questions the DNS time budget stopped were never put to the server, nor were those a
    # recorded snapshot does not hold: they say nothing of it.
    statuses = [use.status for use in report.dns if use.status not in (DnsStatus.BUDGET, DnsStatus.NOT_RECORDED)]
    counts = {status: statuses.count(status) for status in dict.fromkeys(statuses)}
    how = ("all timed out" if list(counts) == [DnsStatus.TIMEOUT] else
           "all failed: " + ", ".join(f"{count} {status}" for status, count in counts.items()))
    return f"{warning.title} ({how}): every DNS-based result here is unknown"


def unlisted_attachments_line(report: Report) -> str | None:
    """The line under the attachment table for the files not listed, or None: "at least" when
    the part walk stopped at a bound with parts left (the rest was only searched for names)."""
    if report.attachments_walk_stopped:
        return (f"… and at least {report.attachments_unlisted} more attachment(s), not listed: the walk of the "
                "message's parts stopped at its bounds (300 parts, multiparts nested 8 deep), and the rest was only "
                "searched for file names.")
    if report.attachments_unlisted:
        return f"… and {report.attachments_unlisted} more attachment(s), not listed."
    return None
