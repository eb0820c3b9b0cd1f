"""Mailing lists marked the way lists did before RFC 2369 and RFC 2919 (and some still do).

List-Id (RFC 2919, 2001) and List-Post (RFC 2369, 1998) name a list; older list managers, and
many that kept their habits, mark their copies otherwise:

* ``X-Mailing-List`` (SmartList, vger.kernel.org's majordomo) and ezmlm's ``Mailing-List``,
  which name the list's address: a list manager's own field;
* ECARTIS' and Listar's ``X-Ecartis-Version`` / ``X-Listar-Version`` and ``X-List`` (the list's
  name), SmartList's ``X-Loop`` (the list's address, to catch its own copies coming back) and
  ``X-Sequence``;
* ``Sender:`` and ``Errors-To:`` naming the list's owner or bounce address: sendmail's
  ``owner-LIST`` alias convention (majordomo), ``LIST-owner``, ``LIST-request``, Mailman's
  ``LIST-bounces`` and ``LIST-admin``, ECARTIS' ``LIST-bounce``;
* the list host's own trace: ECARTIS' ``Received: with ECARTIS (v1.0.0; list NAME)``, vger's
  zmailer ``Received: (majordomo@vger.kernel.org) by vger.kernel.org via listexpand``,
  sendmail's local pickup of majordomo's resend, ``Received: (from majordomo@localhost)``, and
  L-Soft LISTSERV's ``Received: from HOST by HOST (LISTSERV-TCP/IP release 1.8d) with spool id
  N for LIST@HOST``;
* LISTSERV's ``Sender:``, the list's own address, beside an owner address that implies it (its
  ``Return-Path: <owner-LIST@HOST>``); the top ``Return-Path`` is read as an owner address
  too (it is the MAIL FROM the receiver was given: the list's bounce address on a list's copy).

Every one of them is text the sender could write. The reading below only explains list
behaviour (a member's address only in the envelope, an earlier delivery to the list's address,
no one-click unsubscription); it never vouches for the message, and callers must not let it
soften a forgery or authentication warning. It is taken from one field that only a list manager
writes, or from two weaker marks together.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .addresses import parse_addresses
from .message import Message
from .text import compiled_on_first_use

_MAX_VALUE = 500
"""Characters read of a marker field (a list's address and a comment are a few dozen)."""
_MAX_RECEIVED = 50
"""Received fields looked at for a list host's trace (a real route has a handful)."""
_MAX_SHOWN = 120
"""Characters kept of a marker as the report shows it."""

# Fields only a list manager writes, each enough on its own.
_STRONG_FIELDS = ("X-Mailing-List", "Mailing-List", "X-Ecartis-Version", "X-Listar-Version")
# Fields lists write that others write too (procmail recipes write X-Loop; a sender may write
# Sender: or Errors-To: of any shape): two of them, or one with the list's address in To:/Cc:.
_WEAK_FIELDS = ("X-List", "X-Loop", "X-Sequence")
_OWNER_FIELDS = ("Sender", "Errors-To", "Return-Path")
# Return-Path is on nearly every message: it alone does not send a message down the slow path
# (see _owner_return_path).
_ALL_FIELDS = frozenset(name.lower() for name in (*_STRONG_FIELDS, *_WEAK_FIELDS, *_OWNER_FIELDS)
                        if name != "Return-Path")

# A list manager's owner or bounce address: "owner-LIST@", "LIST-owner@", "LIST-request@",
# "LIST-bounce(s)@", "LIST-admin@", "LIST-errors@" (group 1 or 2: the list's name).
_owner_re = compiled_on_first_use(
    r"(?:owner-([a-z0-9][a-z0-9._+-]{0,63})|([a-z0-9][a-z0-9._+-]{0,63}?)-(?:owner|request|bounces?|admin|errors))"
    r"@([a-z0-9.-]{1,253})")
# The list host's trace in a Received field (see the module's docstring); bounded repetitions.
_ecartis_re = compiled_on_first_use(r"\bwith\s+(?:ECARTIS|Listar)\s*\([^()]{0,80}?\blist\s+([A-Za-z0-9._+-]{1,64})\)",
                                    re.IGNORECASE)
_listexpand_re = compiled_on_first_use(r"\bvia\s+listexpand\b", re.IGNORECASE)
_majordomo_re = compiled_on_first_use(r"\A\s*\(\s*(?:from\s+)?majordomo@[^\s()]{1,253}\s*\)", re.IGNORECASE)
_list_name_re = compiled_on_first_use(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
# L-Soft LISTSERV's stamp on its distribution of a posting (real, 2001 and later: "from
# DISCUSS.DEVELOP.COM by DISCUSS.DEVELOP.COM (LISTSERV-TCP/IP release 1.8d) with spool id 897536
# for SOAP@DISCUSS.DEVELOP.COM"): group 1 the host, 2 and 3 the list's address. Only a "for" at
# the stamp's own host names the list (a reply to a command would be for the user).
_listserv_re = compiled_on_first_use(
    r"\bby\s+([A-Za-z0-9.-]{1,253})\s+\(LISTSERV-TCP/IP\s+release\s+[^()\s]{1,20}\)[^;]{0,200}?"
    r"\bfor\s+<?([A-Za-z0-9][A-Za-z0-9._+-]{0,63})@([A-Za-z0-9.-]{1,253})", re.IGNORECASE)


class ListReading(NamedTuple):
    """What marks the message as a mailing list's copy."""

    name: str
    """The list's address when a marker names it ("linux-kernel@vger.kernel.org"), else its name."""
    addresses: tuple[str, ...]
    """The list's addresses the markers name or imply (lower case): X-Mailing-List's, and LIST@domain
    for an owner address owner-LIST@domain."""
    markers: tuple[str, ...]
    """The marks, as written ("X-Mailing-List: linux-kernel@vger.kernel.org")."""


def read_list(message: Message) -> ListReading | None:
    """The list reading of a message marked the pre-RFC 2369 way, or None (see the module)."""
    received = message.all("Received")[:_MAX_RECEIVED]
    traced: list[str] = []
    # Every message's Received fields are asked: the four words are looked for one after the
    # other, without a generator for each field.
    for field in received:
        value = field.value[:2000]
        low = value.lower()
        if "ecartis" in low or "listar" in low or "listexpand" in low or "majordomo" in low \
                or "listserv-tcp/ip" in low:
            traced.append(value)
    if not traced and not message.has_any(_ALL_FIELDS) and not _owner_return_path(message):
        return None  # the usual case: a few set lookups
    strong: list[str] = []
    weak: list[str] = []
    addresses: list[str] = []
    names: list[str] = []
    for name in _STRONG_FIELDS:
        for field in message.all(name)[:1]:
            value = " ".join(field.value[:_MAX_VALUE].split())
            strong.append(f"{field.name}: {value[:_MAX_SHOWN]}")
            if name in ("X-Mailing-List", "Mailing-List"):
                # "linux-kernel@vger.kernel.org", "<list@example.org> archive/latest/12",
                # ezmlm's "list x@example.org; contact x-help@example.org; run by ezmlm" (its
                # help address names the list: x-help@ is x@'s).
                words = value.replace(";", " ").split()
                for word in words[:4]:
                    for address in parse_addresses(word.strip("<>")) if "@" in word else ():
                        local, _, domain = address.address.lower().rpartition("@")
                        if address.domain and local:
                            addresses.append(f"{local.removesuffix('-help') or local}@{domain}")
    for name in _WEAK_FIELDS:
        for field in message.all(name)[:1]:
            value = " ".join(field.value[:_MAX_VALUE].split())
            if not value:
                continue
            weak.append(f"{field.name}: {value[:_MAX_SHOWN]}")
            if name == "X-List":
                listed = _list_name_re().match(value)
                if listed is not None:
                    names.append(listed.group(0).lower())
            elif name == "X-Loop":
                addresses.extend(a.address.lower() for a in parse_addresses(value)[:1] if a.domain)
    strong_fields = len(strong)
    owners: list[str] = []
    owner_marks: list[str] = []
    for name in _OWNER_FIELDS:
        for field in message.all(name)[:1]:
            owner = _owner_re().search(field.value[:_MAX_VALUE].lower())
            if owner is None:
                continue
            owner_marks.append(f"{field.name}: {owner.group(0)}")
            owners.append(f"{owner.group(1) or owner.group(2)}@{owner.group(3)}")
    for value in traced:
        if len(strong) > strong_fields:
            break  # one trace mark is enough (vger's two majordomo hops would say it twice)
        ecartis = _ecartis_re().search(value)
        if ecartis is not None:
            strong.append(f"Received: {ecartis.group(0)[:_MAX_SHOWN]}")
            names.append(ecartis.group(1).lower())
        elif _listexpand_re().search(value) is not None:
            strong.append("Received: ... via listexpand")
        elif (majordomo := _majordomo_re().search(value)) is not None:
            strong.append(f"Received: {majordomo.group(0).strip()[:_MAX_SHOWN]} (majordomo's resend)")
        elif (listserv := _listserv_re().search(value)) is not None \
                and listserv.group(1).lower().rstrip(".") == listserv.group(3).lower().rstrip("."):
            listed_address = f"{listserv.group(2)}@{listserv.group(3)}".lower()
            strong.append(f"Received: {' '.join(listserv.group(0).split())[:_MAX_SHOWN]}")
            addresses.append(listed_address)
    addressed = {a.address.lower() for name in ("To", "Cc") for field in message.all(name)[:5]
                 for a in parse_addresses(field.value[:4000])[:100] if a.domain} if owners else set()
    # Sender:, Errors-To: and Return-Path naming an owner address are one mark (a bulk sender may
    # set them all to its bounce address); the list that address implies, addressed in To: or Cc:,
    # another; and that list's own address as Sender: (LISTSERV's way: the list is the agent that
    # sent the message, RFC 5322 section 3.6.2) another.
    marks = len(weak) + bool(owners)
    addressed_list = next((owner for owner in owners if owner in addressed), None)
    if addressed_list is not None:
        marks += 1
    sender_list = _sender_of_list(message, owners)
    if sender_list is not None:
        marks += 1
    addresses.extend(owners)
    if not strong and marks < 2:
        return None
    weak.extend(owner_marks)
    if addressed_list is not None:
        weak.append(f"To/Cc: {addressed_list} (the list of that owner address)")
    if sender_list is not None:
        weak.append(f"Sender: {sender_list} (the list of that owner address)")
    addresses = list(dict.fromkeys(addresses))
    # Named by the address the header addresses, else by the first a marker names, else by its name.
    shown = next((a for a in addresses if a in addressed), None) or (addresses[0] if addresses else None) \
        or (names[0] if names else "")
    return ListReading(name=shown, addresses=tuple(addresses[:8]),
                       markers=tuple(dict.fromkeys((*strong, *weak)))[:8])



def _owner_return_path(message: Message) -> bool:
    """Whether the top Return-Path is an owner or bounce address of a list's shape (see _owner_re)."""
    value = message.first("Return-Path")
    if value is None:
        return False
    lowered = value[:_MAX_VALUE].lower()
    # Asked of every message: the regular expression only when a word of its shapes is there
    # (written out: a generator over the words costs more than the five tests).
    return ("owner" in lowered or "-request" in lowered or "-bounce" in lowered or "-admin" in lowered
            or "-errors" in lowered) and _owner_re().search(lowered) is not None


def _sender_of_list(message: Message, owners: list[str]) -> str | None:
    """The Sender: address when it is the list an owner address implies (LISTSERV's Sender: beside
    its owner-LIST Return-Path), or None."""
    if not owners:
        return None
    sender = next((a.address.lower() for a in parse_addresses((message.first("Sender") or "")[:_MAX_VALUE])[:1]
                   if a.domain), None)
    return sender if sender is not None and sender in owners else None
