"""``--filter`` and ``--fail-on`` expressions over scan rows: ``KEY=VALUE[,VALUE...]``.

Keys: verdict, dkim, spf, dmarc, arc, domain (the From: domain or a subdomain of it; ``(none)``
for none), error (yes/no), spam (yes when the
receiver's spam filter said spam or the copy is in a junk folder; no when the receiver said not
spam of a copy outside one; unknown when neither says), reason (the id of any
finding the message has, e.g. recorded.dmarc_fail or dsn.failed), ip (the boundary hop's client
IP: an address or a network such as 203.0.113.0/24), flag (a Maildir flag of the copy:
replied, seen, flagged, passed, trashed, draft), name (the From: display name) and reply_to (a
Reply-To: address) and subject and rcpt (an envelope recipient of the copy: RCPT TO as the
receiver recorded it), each a case-insensitive substring; envelope (why the envelope differs
from the header: bcc, forwarded, list, alias, srs, verp, batv, bounce...); attached (the From:
domain of a message a forward or user report carries, as domain= matches). Values other than
``VALUES`` lists are refused. A bare word is
a verdict (``spoofed`` means ``verdict=spoofed``). Several expressions must all match; the
comma-separated values of one expression are alternatives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from .runner import ScanRow

KEYS = ("verdict", "dkim", "spf", "dmarc", "arc", "domain", "error", "spam", "reason", "ip", "flag", "name",
        "reply_to", "subject", "rcpt", "envelope", "attached")
# Keys matched as a case-insensitive substring of the row's text (any text is a valid value).
_SUBSTRING_KEYS = frozenset({"name", "reply_to", "subject", "rcpt"})
_SPAM_VALUES = {"spam": "yes", "not spam": "no", None: "unknown"}
# The values each key can take (the results of RFC 8601 section 2.7 and the report's own
# ``not_checked``; ``error`` for the verdict of a row that holds no message, as the terminal
# shows it): a value outside them is a typo that would never match, so it is refused.
VALUES: dict[str, tuple[str, ...]] = {
    "verdict": ("authenticated", "vouched", "suspicious", "spoofed", "unauthenticated", "not_checked", "error"),
    "dkim": ("pass", "fail", "neutral", "policy", "none", "temperror", "permerror", "not_checked"),
    "spf": ("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "not_checked"),
    "dmarc": ("pass", "fail", "none", "temperror", "permerror", "not_checked"),
    "arc": ("pass", "fail", "neutral", "none", "temperror", "permerror", "not_checked"),
    "error": ("yes", "no"),
    "spam": ("yes", "no", "unknown"),
    # A Maildir's file-name flags (folders.py): "flag=replied", who answered the phishing mail.
    "flag": ("replied", "seen", "flagged", "passed", "trashed", "draft"),
    # The kinds of EnvelopeDifference (model.py): "envelope=bcc", who got a blind copy.
    "envelope": ("srs", "verp", "bounce", "batv", "bcc", "forwarded", "list", "list_rewrote_from", "alias", "local",
                 "redelivered", "null_sender", "sender", "mail_from_domain", "reply_to_domain",
                 "display_name_address", "display_name_domain", "address_decoy", "claimed_rcpt", "co_recipient"),
}



class FilterError(ValueError):
    """An expression that cannot be understood (its str is the one-line reason)."""


def spam_word(row: ScanRow) -> str:
    """The row's spam verdict as ``spam=`` takes it: yes, no, unknown."""
    return _SPAM_VALUES.get(row.spam, "unknown")


def _value(row: ScanRow, key: str) -> str:
    if key == "error":
        return "yes" if row.error else "no"
    if key == "spam":
        return spam_word(row)
    if key == "verdict" and row.error:
        return "error"
    return (getattr(row, key) or "").lower()


def _texts(row: ScanRow, key: str) -> tuple[str, ...]:
    if key == "name":
        return (row.from_name.casefold(),) if row.from_name else ()
    if key == "subject":
        return (row.subject.casefold(),) if row.subject else ()
    if key == "rcpt":
        return tuple(address.casefold() for address in row.rcpt_to)
    return tuple(address.casefold() for address in row.reply_to)


def parse_expression(text: str) -> Callable[[ScanRow], bool]:
    """One expression as a predicate."""
    key, sep, values = text.partition("=")
    if not sep:
        key, values = "verdict", text
    key = key.strip().lower()
    if key not in KEYS:
        raise FilterError(f"unknown filter key {key!r} in {text!r} (keys: {', '.join(KEYS)})")
    wanted = {v.strip().casefold() if key in _SUBSTRING_KEYS else v.strip().lower()
              for v in values.split(",") if v.strip()}
    if not wanted:
        raise FilterError(f"no value in {text!r}")
    unknown = sorted(wanted.difference(VALUES.get(key, wanted)))
    if unknown:
        raise FilterError(f"unknown {key} value {unknown[0]!r} in {text!r} (values: {', '.join(VALUES[key])})")
    if key in _SUBSTRING_KEYS:
        # A brand in a display name ("name=paypal" finds "Paypal ,_"), a collector's address.
        return lambda row: any(value in text for text in _texts(row, key) for value in wanted)
    if key == "domain":
        return _domain_predicate(wanted)
    if key == "attached":
        # The messages a forward or user report carries: "which reports carry the costco.com spoof?"
        return _domain_predicate(wanted, attached=True)
    if key == "ip":
        return _ip_predicate(wanted, text)
    if key == "flag":
        # "passed on (forwarded or bounced)" is asked for by its first word.
        from .output import flag_word

        return lambda row: any(flag_word(flag) in wanted for flag in row.mailbox_flags)
    if key == "envelope":
        return lambda row: not wanted.isdisjoint(row.envelope)
    if key == "reason":
        # The id of a finding the message has, of any severity (recorded.dmarc_fail: the
        # receiver's own DMARC fail, the question "which failed DMARC?" offline; dsn.unstructured,
        # a notice: "which bounces have no report?").
        from ..finding_ids import FINDING_IDS

        unknown = sorted(wanted.difference(FINDING_IDS))
        if unknown:
            import difflib

            close = difflib.get_close_matches(unknown[0], sorted(FINDING_IDS), n=1)
            hint = f"did you mean {close[0]}?" if close else "such as recorded.dmarc_fail or dkim.body_changed"
            raise FilterError(f"{unknown[0]!r} in {text!r} is no finding id ({hint})")
        return lambda row: not wanted.isdisjoint(row.failing_reasons) or not wanted.isdisjoint(row.other_findings)
    return lambda row: _value(row, key) in wanted


NO_DOMAIN = "(none)"
"""``domain=(none)``: the messages without a From: domain (the summary's "(none)" row)."""


def _domain_predicate(wanted: set[str], attached: bool = False) -> Callable[[ScanRow], bool]:
    """Rows whose From: domain is one of the values or under one of them: ``domain=otto.de``
    finds newsletter.otto.de, as DMARC's relaxed alignment puts a subdomain with its
    organisational domain (https://www.rfc-editor.org/rfc/rfc7489#section-3.2). A subdomain
    asked for (``domain=newsletter.otto.de``) keeps to itself and its own subdomains, so an
    exact domain still finds what it found before and no more. ``attached``: the From: domains
    of the messages the row's forward or user report carries instead (``attached=costco.com``)."""
    suffixes = tuple("." + value.strip(".") for value in wanted if value != NO_DOMAIN)
    names = {value.strip(".") for value in wanted}

    def matches(row: ScanRow) -> bool:
        if row.error:
            return False
        if attached:
            return any(domain in names or domain.endswith(suffixes) for domain in row.attached_domains)
        domain = (row.from_domain or "").lower().rstrip(".")
        if not domain:
            return NO_DOMAIN in wanted
        return domain in names or domain.endswith(suffixes)

    return matches


def _ip_predicate(wanted: set[str], text: str) -> Callable[[ScanRow], bool]:
    """Rows whose boundary client IP is one of the addresses or in one of the networks."""
    import ipaddress

    networks = []
    for value in sorted(wanted):
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise FilterError(f"{value!r} in {text!r} is no IP address or network (such as 203.0.113.0/24)") from None

    def matches(row: ScanRow) -> bool:
        if not row.client_ip:
            return False
        try:
            address = ipaddress.ip_address(row.client_ip)
        except ValueError:
            return False
        return any(address in network for network in networks)

    return matches


# The checks a row holds as recomputed now. Offline (or with a DNS failure, or without the
# inputs SPF needs) they are ``not_checked``, which an expression asking for a result such as
# ``dmarc=fail`` never matches: the scan says so rather than silently matching nothing. What
# the receiver recorded at delivery needs no DNS and is matched by finding ids.
CHECK_KEYS = ("dkim", "spf", "dmarc", "arc")
_RECORDED_HINT = {
    "dmarc": "reason=recorded.dmarc_fail matches the DMARC fail a receiver recorded at delivery",
    "spf": "reason=recorded.spf_fail matches an SPF fail a receiver recorded for the From: domain's organisation",
}
_RECORDED_OTHERWISE = "the results the receivers recorded at delivery are in each report (--format jsonl: \"recorded\")"


# The verdicts only a recomputed DMARC result reaches (verdict.py): offline, or with DNS
# failing, the verdict is not_checked and an expression asking for one of them matches nothing.
# The receivers' own recorded fails are findings a reason= expression matches.
_CHECKED_VERDICTS = frozenset({"authenticated", "vouched", "suspicious", "spoofed"})
_VERDICT_HINT = ("reason=recorded.dmarc_fail,recorded.compauth_fail matches the DMARC and composite "
                 "authentication fails the receivers recorded at delivery")


def asked_check(text: str) -> str | None:
    """The check (``CHECK_KEYS``, or ``verdict``) whose recomputed result an expression asks for,
    when it asks for a result other than ``not_checked`` (for the verdict: one that needs the
    checks, ``_CHECKED_VERDICTS``); else None."""
    key, sep, values = text.partition("=")
    if not sep:
        key, values = "verdict", text  # a bare word is a verdict (parse_expression)
    key = key.strip().lower()
    wanted = {v.strip().lower() for v in values.split(",") if v.strip()}
    if key == "verdict":
        return key if wanted & _CHECKED_VERDICTS else None
    if key not in CHECK_KEYS:
        return None
    return key if wanted - {"not_checked"} else None


def not_checked_notes(expressions: Sequence[tuple[str, str]], unchecked: Mapping[str, int], messages: int,
                      offline: bool) -> list[str]:
    """One line per (option, expression) that asks for a check's result when that check was not
    checked for some of the ``messages`` scanned (``unchecked``: rows per check)."""
    notes: list[str] = []
    for option, text in expressions:
        key = asked_check(text)
        count = unchecked.get(key, 0) if key else 0
        if not key or not count:
            continue
        why = " (offline: --dns-snapshot or live DNS checks it)" if offline else ""
        them = "them" if count > 1 else "it"
        if key == "verdict":
            # A verdict is a verdict: --fail-on spoofed is not made to fire on what a receiver
            # recorded, but the gate that cannot fire says so, and what would match instead.
            notes.append(f"the verdict was not_checked for {count} of {messages} message(s) scanned{why}, so "
                         f"{option} {text} cannot match {them}; {_VERDICT_HINT}")
            continue
        notes.append(f"{key} was not checked for {count} of {messages} message(s) scanned{why}, so {option} {text} "
                     f"cannot match {them}; {_RECORDED_HINT.get(key, _RECORDED_OTHERWISE)}")
    return notes


def combine(expressions: Sequence[str]) -> Callable[[ScanRow], bool] | None:
    """All expressions must match; None when there are none."""
    if not expressions:
        return None
    predicates = [parse_expression(e) for e in expressions]
    return lambda row: all(p(row) for p in predicates)
