"""When the message was received, against when SPF, DKIM and DMARC came to exist.

Mail from 1993 cannot carry a DKIM signature or meet a DMARC policy: none existed. Judging it
by them ("nothing can authenticate the From: domain, so DMARC cannot pass"), or re-evaluating
its SPF against today's DNS, says nothing about the message and reads as a verdict. The era
rule finds such mail and lets the checks say that the mechanism did not exist yet.

The moment is the receiving side's own: the latest timestamp of a trusted Received field (at
or above the trust boundary), never the sender's Date:, which a forger writes. A made-up file
can carry any stamp, so the rule holds back wherever the message contradicts it: a Date: or
another stamp at or after a mechanism's start, or a field only that mechanism or a later one
writes (a DKIM-Signature, a Received-SPF, an ARC set, a recorded dmarc= result).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

from .message import Message
from .model import Finding, Hop, RecordedResult, Severity

# When each mechanism could first have touched a message: the first public specification,
# deliberately earlier than its RFC. The rule says "predates" only of mail received before
# the mechanism existed in any form. Mail between a draft and its RFC may have met it (AOL,
# Earthlink and Gmail published SPF records in 2004, two years before RFC 4408; Yahoo and
# Gmail signed with DKIM before RFC 4871), so the rule stays out of the way there: an earlier
# cut-off softens fewer verdicts.
#  - SPF: Meng Weng Wong merged RMX and DMP into "Sender Permitted From" in June 2003 (openspf.org
#    history); RFC 4408 followed in April 2006.
#  - DKIM: the merger of Yahoo's DomainKeys and Cisco's Identified Internet Mail went to the IETF
#    as draft-allman-dkim-base-00 in July 2005; RFC 4871 followed in May 2007.
#  - DMARC: its founders published the specification on 30 January 2012 (dmarc.org), after trying
#    it among themselves in 2011; the cut-off at the start of 2012 leaves that month out. RFC 7489
#    followed in March 2015. ARC (RFC 8617, 2019) came after it.
SPF_START = datetime(2003, 6, 1, tzinfo=timezone.utc)
DKIM_START = datetime(2005, 7, 1, tzinfo=timezone.utc)
DMARC_START = datetime(2012, 1, 1, tzinfo=timezone.utc)
# DomainKeys (RFC 4870): Yahoo announced it in December 2003.
_DOMAINKEYS_START = datetime(2003, 12, 1, tzinfo=timezone.utc)

_MECHANISMS = (
    ("SPF", SPF_START, "its first drafts date from June 2003, RFC 4408 from 2006",
     "https://www.rfc-editor.org/rfc/rfc4408"),
    ("DKIM", DKIM_START, "its first draft dates from July 2005, RFC 4871 from 2007",
     "https://www.rfc-editor.org/rfc/rfc4871"),
    ("DMARC", DMARC_START, "published in January 2012, RFC 7489 in 2015",
     "https://www.rfc-editor.org/rfc/rfc7489"),
)

# Fields only a mechanism (or a later one) writes: their presence dates the message no earlier
# than that mechanism's start.
_FIELD_STARTS = (
    ("DomainKey-Signature", _DOMAINKEYS_START),
    ("DKIM-Signature", DKIM_START),
    ("Received-SPF", SPF_START),
    ("ARC-Seal", DMARC_START),
    ("ARC-Message-Signature", DMARC_START),
    ("ARC-Authentication-Results", DMARC_START),
)
# A recorded result by method (Authentication-Results, Received-SPF and their kin).
_METHOD_STARTS = {"spf": SPF_START, "dkim": DKIM_START, "domainkeys": _DOMAINKEYS_START,
                  "dmarc": DMARC_START, "arc": DMARC_START}


# RFC 8301 (January 2018) made verifiers refuse rsa-sha1 (section 3.1); before it rsa-sha1 was
# one of RFC 6376's two algorithms (section 3.3), and signers used it widely.
RSA_SHA1_RETIRED = datetime(2018, 1, 1, tzinfo=timezone.utc)


def received_before(hops: tuple[Hop, ...], date: datetime | None, moment: datetime) -> tuple[datetime, str] | None:
    """(the receiving side's latest trusted stamp, where it comes from in words) when it is before
    ``moment`` and every other date in the message agrees (each Received stamp, trusted or not,
    and Date:); None otherwise. As received_era: the moment is never taken from a date a sender
    writes, and such a date at or after ``moment`` only keeps the message in today's rules."""
    stamped = [(datetime.fromisoformat(hop.fields.timestamp), hop) for hop in hops
               if hop.trusted and hop.fields.timestamp]
    if not stamped:
        return None
    received, hop = max(stamped, key=lambda pair: (pair[0], pair[1].number))
    dates = [datetime.fromisoformat(h.fields.timestamp) for h in hops if h.fields.timestamp]
    if max([*dates, date] if date is not None else dates) >= moment:
        return None
    by = " ".join(str(hop.fields.by or "").split())[:120] or None
    return received, _stamp_words(hop.number, by)


def _stamp_words(hop: int, by: str | None) -> str:
    by_words = f"'s {by}" if by else ""
    return f"hop {hop}'s Received stamp, written by the receiving side{by_words}"


class Era:
    """A message received before one or more of SPF, DKIM and DMARC existed. (A plain slotted
    class: a dataclass would compile its methods at import.)"""

    __slots__ = ("by", "hop", "predates", "received")

    def __init__(self, received: datetime, hop: int, by: str | None, predates: tuple[str, ...]) -> None:
        self.received = received
        """The receiving side's latest stamp."""
        self.hop = hop
        """The hop whose stamp it is."""
        self.by = by
        """That hop's receiving host, as written (bounded)."""
        self.predates = predates
        """The mechanisms it predates, in the order they came: ("SPF", "DKIM", "DMARC"), ("DKIM",
        "DMARC") or ("DMARC",)."""

    def before(self, mechanism: str) -> bool:
        return mechanism in self.predates

    @property
    def day(self) -> str:
        return self.received.date().isoformat()

    @property
    def stamp(self) -> str:
        """Where the date comes from, in words."""
        return _stamp_words(self.hop, self.by)

    def not_applicable(self, mechanism: str) -> str:
        """An SPF or DMARC row's explanation: not evaluated against today's DNS."""
        why = next(words for name, _, words, _ in _MECHANISMS if name == mechanism)
        return (f"not applicable: received {self.day} ({self.stamp}), before {mechanism} existed ({why}); "
                f"today's DNS says nothing of a message of that time, so it is not evaluated")


def listed(names: Iterable[str]) -> str:
    """"SPF, DKIM and DMARC"."""
    items = list(names)
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def _later_fields(message: Message, recorded: Iterable[RecordedResult]) -> list[tuple[str, datetime]]:
    """The fields in the message that a mechanism writes, with that mechanism's start."""
    found = [(name, start) for name, start in _FIELD_STARTS if message.all(name)]
    for result in recorded:
        start = _METHOD_STARTS.get(result.method.lower())
        if start is not None:
            found.append((f"{result.header} ({result.method}={result.result[:20]})", start))
    return found


def received_era(hops: tuple[Hop, ...], date: datetime | None, message: Message,
                 recorded: Iterable[RecordedResult]) -> tuple[Era | None, Finding | None]:
    """The era of a message received before DMARC existed (None otherwise, or when no trusted
    Received field has a time), and the finding that says so, or that says why the stamp's
    date is not believed (a field of a later mechanism in the message)."""
    stamped = [(datetime.fromisoformat(hop.fields.timestamp), hop) for hop in hops
               if hop.trusted and hop.fields.timestamp]
    if not stamped:
        return None, None
    # The latest time, and of equal times the newest hop: the delivery's own stamp.
    received, hop = max(stamped, key=lambda pair: (pair[0], pair[1].number))
    if received >= DMARC_START:
        return None, None  # today's mail: the common case
    # Every date the message gives must agree: a Date: or a stamp at or after a mechanism's
    # start makes the receiving side's clock the odd one out (a CMOS clock reset to 1970), and
    # the message is judged as mail of today (the hop findings tell the clocks apart).
    dates = [datetime.fromisoformat(h.fields.timestamp) for h in hops if h.fields.timestamp]
    newest = max([*dates, date] if date is not None else dates)
    predates = tuple(name for name, start, _, _ in _MECHANISMS if newest < start)
    if not predates:
        return None, None
    by = " ".join(str(hop.fields.by or "").split())[:120] or None
    era = Era(received=received, hop=hop.number, by=by, predates=predates)
    later = [(name, start) for name, start in _later_fields(message, recorded) if received < start]
    if later:
        name, start = max(later, key=lambda pair: pair[1])
        return None, Finding(
            id="hops.anachronistic_field", severity=Severity.NOTICE,
            title=f"Received {era.day} by its stamp, yet it carries {name.partition(' ')[0]}"[:200],
            explanation=(
                f"The latest Received stamp of the receiving side ({era.stamp}) dates the message {era.day}, "
                f"but it carries {name[:120]}, which nothing wrote before {start.year}. Either that stamp's date "
                "is wrong (a server clock reset to a past year, or a trace altered or made up) or the field was "
                "added later. The message is judged as mail of today: SPF, DKIM and DMARC are evaluated."),
            reference="https://www.rfc-editor.org/rfc/rfc5321#section-4.4", subject=f"hop {hop.number}")
    first = next(reference for name, _, _, reference in _MECHANISMS if name == predates[0])
    started = "; ".join(f"{name}: {words}" for name, _, words, _ in _MECHANISMS if name in predates)
    skipped = "SPF and DMARC are" if era.before("SPF") else "DMARC is"
    return era, Finding(
        id="hops.predates_authentication", severity=Severity.INFO,
        title=f"Received {era.day}, before {listed(predates)} existed",
        explanation=(
            f"The receiving side stamped the message {era.day} ({era.stamp}), before {listed(predates)} existed "
            f"({started}). It could not meet {'them' if len(predates) > 1 else 'it'}, and today's DNS says nothing "
            f"of a message of that time: {skipped} not evaluated, and no verdict is drawn from "
            f"{'their' if len(predates) > 1 else 'its'} absence. "
            "Its authenticity can only be judged from its trace: the hops above the trust boundary are the "
            "receiving side's record, those below it claims. This rests on the stamp's date, which an altered "
            "or made-up file can set like any header; every other date in the message agrees with it, and no "
            "field of a later mechanism is in it."),
        reference=first, subject=f"hop {hop.number}")
