"""Fast paths of the hop chain's readers against their plain readings.

* ``addresses._parse_simple_mailbox`` reads "Name <addr>", "<addr>" and "local@domain" without
  the tokenizer.
"""

from __future__ import annotations

import random

from conftest import CORPUS

from headerscope import addresses, received
from headerscope.message import parse_message

_ADDRESS_FIELDS = ("From", "To", "Cc", "Sender", "Reply-To", "Return-Path", "Delivered-To", "X-Original-To",
                   "Resent-From", "Resent-To", "Disposition-Notification-To", "Errors-To")


def _corpus_address_values() -> list[str]:
    values: list[str] = []
    for path in sorted((CORPUS / "messages").rglob("*")):
        if path.is_file() and path.stat().st_size < 2_000_000:
            message = parse_message(path.read_bytes())
            for name in _ADDRESS_FIELDS:
                values += [h.value for h in message.all(name)]
    return values


_WRITTEN = [
    "Fox Newsletter <news@sender.example>", "<a@b.example>", "a@b.example", "  a@b.example  ", "<>", "",
    " ", "Fox<a@b.example>", "Fox <a@b.example> ", "Fox  \t Letter\r\n <a@b.example>", "<a @ b . example>",
    "<@relay.example:a@b.example>", "<@relay.example,@r2.example:a@b.example>", "@b.example", "a@",
    "a@b@c.example", "a@.b.example", ".a@b.example", "a.@b.example", "a@b.example.", "a@[192.0.2.1]",
    "a@b.example, c@d.example", "Fox <a@b.example>, Dog <c@d.example>", "J. Smith <a@b.example>",
    ".Smith <a@b.example>", "=?utf-8?q?J=C3=B6rg?= <a@b.example>", "=?utf-8?q?J=C3=B6rg?= =?utf-8?q?_M?= <a@b>",
    "Jörg Müller <jörg@münchen.example>", "Jörg@münchen.example", '"Fox, Dog" <a@b.example>',
    "Fox (comment) <a@b.example>", "<a@b.example> (comment)", "<a@b.example", "a@b.example>",
    "<<a@b.example>>", "<a<b@c.example>", "Fox <a@b.example> trailing", "undisclosed-recipients:;",
    "group: a@b.example;", "Fox: <a@b.example>", "<a\\@b.example>", "a\\b@c.example", "\u00a0<a@b.example>",
    "Fox\u00a0Dog <a@b.example>", "a@b.example\u2028", "<a@b.example>\x00", "Fox) <a@b.example>",
    "Fox] <a@b.example>", "Fox> <a@b.example>", "?? <a@b.example>", "\ufffd\ufffd <a@b.example>",
    "user <user@b.example>", "<user@b.example> <other@c.example>", "a@b c@d", "Name a@b.example",
    "a@b.example Name", "<a@b.example>,", ",<a@b.example>", "<a@b.example>;",
]


def _random_values(count: int) -> list[str]:
    rng = random.Random(11)
    alphabet = 'ab@.<>"()\\ \t\r\n,:;[]=?é\u00a0'
    out = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16))) for _ in range(count)]
    # Near the fast shapes: a name, an angle and a bare address with one character changed.
    shapes = ["Fox Dog <a.b@c.example>", "<a.b@c.example>", "a.b@c.example"]
    for _ in range(count):
        text = list(rng.choice(shapes))
        text[rng.randrange(len(text))] = rng.choice(alphabet)
        if rng.random() < 0.5:
            text.insert(rng.randrange(len(text) + 1), rng.choice(alphabet))
        out.append("".join(text))
    return out


def test_simple_mailbox_fast_path_gives_the_tokenizers_answer() -> None:
    values = [*_corpus_address_values(), *_WRITTEN, *_random_values(20_000)]
    fast = 0
    for value in values:
        text = value[:addresses.MAX_VALUE_LENGTH]
        plain = addresses._parse_address_list_tokens(text)
        simple = addresses._parse_simple_mailbox(text)
        if simple is not None:
            fast += 1
            assert simple == plain, value
        assert addresses._parse_address_list(text) == plain, value
    # The fast path is taken for a good share of the inputs (the corpus's and the near shapes').
    assert fast > 10_000


def test_simple_mailbox_known_answers() -> None:
    (fox,) = addresses._parse_simple_mailbox("Fox  \t Newsletter <news@Sender.example>") or ()
    assert (fox.display_name, fox.address, fox.domain) == ("Fox Newsletter", "news@Sender.example", "sender.example")
    (bare,) = addresses._parse_simple_mailbox(" user@b.example ") or ()
    assert (bare.display_name, bare.address, bare.domain) == (None, "user@b.example", "b.example")
    (routed,) = addresses._parse_simple_mailbox("<@relay.example:a@b.example>") or ()
    assert routed.address == "a@b.example"
    (encoded,) = addresses._parse_simple_mailbox("=?utf-8?q?J=C3=B6rg?= <a@b.example>") or ()
    assert encoded.display_name == "Jörg"
    # _phrase strip()s Unicode white space: a name of U+00A0 alone is no name.
    (spaced,) = addresses._parse_simple_mailbox("\u00a0<a@b.example>") or ()
    assert spaced.display_name is None
    for declined in ('"Fox" <a@b.example>', "Fox (c) <a@b.example>", "a@b.example, c@d.example", "Name a@b.example",
                     "<a@b.example> x", "a@[192.0.2.1]"):
        assert addresses._parse_simple_mailbox(declined) is None, declined


def test_long_hostile_values_are_read_in_linear_time() -> None:
    # Long runs that almost fit a fast shape: each fails at once, and the tokenizer reads them.
    for value in ("a " * 30_000, "a" * 60_000 + "@", "a@" * 30_000, "Fox " * 15_000 + "<a@b"):
        text = value[:addresses.MAX_VALUE_LENGTH]
        assert addresses._parse_simple_mailbox(text) is None


def _received(date: str) -> str:
    return ("from out.b.example (out.b.example [192.0.2.35]) by mx.a.example (Postfix) with ESMTPS "
            f"id 966F58A359 for <u@a.example>; {date}")


def test_fast_received_reads_only_ascii_digits() -> None:
    # int() reads other scripts' digits ("٠٨" is 8), but the fast path wrote the ISO text from the
    # digits as read, so it gave "2026-11-02T٠٨:00:37+00:00" where the general parser (and
    # isoformat) write "08": such a date now goes to the general parser.
    for date in ("Mon, 02 Nov 2026 ٠٨:00:37 +0000", "Mon, ٠٢ Nov 2026 08:00:37 +0000", "2 Nov ٢٠٢٦ 08:00:37 +0000",
                 "2 Nov 2026 08:00:37 +٠١٠٠", "2 Nov 2026 08:00:٣٧ +0100"):
        assert received._parse_fast_timed(_received(date)) is None, date
        fields, moment = received.parse_received_timed(_received(date))
        assert moment is not None and fields.timestamp == moment.isoformat(), date
    fields, moment = received.parse_received_timed(_received("Mon, 02 Nov 2026 ٠٨:00:37 +0000"))
    assert fields.timestamp == "2026-11-02T08:00:37+00:00"


def test_fast_month_and_digit_tables() -> None:
    for a in "abcdefghijklmnopqrstuvwxyz":
        for b in "abcdefghijklmnopqrstuvwxyz":
            for c in "abcdefghijklmnopqrstuvwxyz":
                name = a + b + c
                month = received._MONTHS.get(name)
                assert received._FAST_MONTHS.get(name) == (None if month is None else (month, f"{month:02d}"))
    for n in range(100):
        assert received._DIGIT_VALUES[f"{n:02d}"] == n
        if n < 10:
            assert received._DIGIT_VALUES[str(n)] == n
    assert len(received._DIGIT_VALUES) == 110


def test_the_hop_chain_runs_no_import_statement() -> None:
    # A function-level "from .addresses import parse_addresses" goes through the import system
    # at every call (about 25,000 instructions: name resolution, ModuleSpec.parent); the hop
    # chain, its address reading and the origin checks import at module level instead.
    import builtins
    from datetime import datetime, timezone

    from conftest import SAMPLES

    from headerscope import hops, origin
    from headerscope.message import parse_message

    messages = [parse_message((SAMPLES / name).read_bytes())
                for name in ("direct.eml", "forwarded-srs.eml", "mailing-list.eml", "spoofed.eml")]
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    for message in messages:  # warm: anything imported on first use is imported now
        hops.build_chain(message, None, now, mail_exchangers=lambda domain: None)
    watched = {hops.__name__, addresses.__name__, origin.__name__, received.__name__}
    seen: list[str] = []
    original = builtins.__import__

    def counting(name: str, globals: dict[str, object] | None = None, *args: object, **kwargs: object) -> object:
        if globals is not None and globals.get("__name__") in watched:
            seen.append(f"{globals.get('__name__')}: {name}")
        return original(name, globals, *args, **kwargs)  # type: ignore[arg-type]

    builtins.__import__ = counting  # type: ignore[assignment]
    try:
        for message in messages:
            hops.build_chain(message, None, now, mail_exchangers=lambda domain: None)
    finally:
        builtins.__import__ = original
    assert seen == []
    # The counter sees a function-level import when there is one.
    builtins.__import__ = counting  # type: ignore[assignment]
    try:
        exec("from .addresses import parse_addresses", {"__name__": hops.__name__, "__package__": "headerscope"})
    finally:
        builtins.__import__ = original
    assert seen == ["headerscope.hops: addresses"]


def _message_id_case(sender_helo: str) -> list[str]:
    import headerscope

    raw = ("Received: from mx.receiver.example (mx.receiver.example [10.0.0.1]) by mailbox.receiver.example "
           "(Postfix) with ESMTP id AAA1; Mon, 02 Nov 2026 08:00:40 +0000\r\n"
           "Received: from out.sender.example (out.sender.example [192.0.2.35]) by mx.receiver.example (Postfix) "
           "with ESMTPS id AAA2; Mon, 02 Nov 2026 08:00:37 +0000\r\n"
           f"Received: from {sender_helo} ([10.1.1.1]) by out.sender.example (Postfix) with ESMTPSA id AAA3; "
           "Mon, 02 Nov 2026 08:00:30 +0000\r\n"
           "From: <a@sender.example>\r\nTo: <b@receiver.example>\r\nDate: Mon, 02 Nov 2026 08:00:20 +0000\r\n"
           "Message-ID: <x.1@mailbox.receiver.example>\r\nSubject: s\r\n\r\nbody\r\n").encode()
    return [f.id for f in headerscope.analyze(raw, offline=True).findings]


def test_receiver_message_id_reads_both_sides_whichever_first() -> None:
    # _receiver_message_id reads the receiving side's hops before the sender's: the finding
    # needs the host named there and not named below the boundary, in either order.
    assert "hops.message_id_by_receiver" in _message_id_case("pc.sender.example")
    assert "hops.message_id_by_receiver" not in _message_id_case("mailbox.receiver.example")
