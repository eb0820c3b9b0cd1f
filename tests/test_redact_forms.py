"""--redact through the CLI, in every format, for the forms a sender can write a mailbox name in:
encoded-words inside an address, quotes of every kind around or in it, "@" look-alikes, URL
escapes, quoted-pairs, blanks before the "@" and runs too long to decode whole
(verifications V53b, V55b, V56b D-4)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from timing import assert_within

from headerscope import cli
from headerscope.redact import redact_text

SECRET = "zqxjkvbwpyfhtg"
FORMATS = ("terminal", "json", "html", "markdown")


def _message(to: str = "buyer@example.net", extra: str = "", received: str = "") -> bytes:
    return (received
            + "Received: from mail.sender.example (mail.sender.example [192.0.2.10]) by mx.example.net\r\n"
            " with ESMTP id 4Bq; Tue, 03 Nov 2020 10:00:05 +0000\r\n"
            f"From: Accounts <accounts@sender.example>\r\nTo: {to}\r\n{extra}"
            "Subject: Quotation\r\nDate: Tue, 03 Nov 2020 10:00:00 +0000\r\n"
            "Message-ID: <q1@sender.example>\r\nMIME-Version: 1.0\r\n\r\nHi\r\n").encode()


def _redacted_outputs(tmp_path: Path, raw: bytes) -> dict[str, str]:
    """``headerscope analyze FILE --offline --redact --format F`` for each format."""
    path = tmp_path / "message.eml"
    path.write_bytes(raw)
    outputs = {}
    for output_format in FORMATS:
        result = CliRunner().invoke(cli.cli, ["analyze", str(path), "--offline", "--redact", "--format", output_format])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        outputs[output_format] = result.output
    return outputs


def _assert_masked_everywhere(outputs: dict[str, str], secret: str, masked: str) -> None:
    """No four characters in a row of ``secret`` in any format (JSON's and HTML's escapes undone),
    and the masked form in the JSON report."""
    pieces = {secret[i:i + 4] for i in range(len(secret) - 3)}
    for output_format, text in outputs.items():
        shown = text.replace("\\", "")
        for piece in pieces:
            assert piece not in shown, (output_format, piece, shown[max(0, shown.find(piece) - 80):shown.find(piece) + 40])
    assert masked in outputs["json"], masked


@pytest.mark.parametrize(("to", "secret", "masked"), [
    # An "@" encoded in a word glued to the local part, and a local part glued to a word that
    # encodes the "@" and the domain (V56b D-4): decoded, masked.
    ("zqxjkvbwpyfhtg=?utf-8?q?=40?=a.example", SECRET, "z***@a.example"),
    ("=?utf-8?q?Ann?= zqxjkvbwpyfhtg=?utf-8?q?=40b.example?=", SECRET, "Ann z***@b.example"),
    ("=?utf-8?q?zqx?= jkvbwpyfhtg=?utf-8?q?=40a.example?=", "jkvbwpyfhtg", "zqx j***@a.example"),
    # An address in a run of encoded-words longer than decode_rfc2047 decodes (V55b D3-2).
    ("=?utf-8?q?zqxjkvbwpyfhtg=40a.example?=" + " =?utf-8?q?x?=" * 5000, SECRET, "z***@a.example"),
    # "@" look-alikes a reader's client shows as one (NFKC folds them to "@"), also encoded.
    ("zqxjkvbwpyfhtg\uff20a.example", SECRET, "z***\uff20a.example"),
    ("zqxjkvbwpyfhtg\ufe6ba.example", SECRET, "z***\ufe6ba.example"),
    ("=?utf-8?q?zqxjkvbwpyfhtg=EF=BC=A0a.example?=", SECRET, "z***\uff20a.example"),
    # A backtick is atext (RFC 5322 section 3.2.3): one local part with it.
    ("zqxj`kvbwpyfhtg@a.example", SECRET, "z***@a.example"),
    # A quoted-pair in a quoted local part (section 3.2.4), and nine blanks before the "@" (CFWS).
    ('"zqxjkvbw\\"pyfhtg"@a.example', SECRET, "z***@a.example"),
    ('"zqxjkvbw pyfhtg"          @a.example', "zqxjkvbw", "z***@a.example"),
    # Blanks between an unquoted local part and its "@" (CFWS, section 4.4), a domain name after it.
    ("zqxjkvbwpyfhtg   @a.example", SECRET, "z***@a.example"),
    # A base64 word that decodes to a Q word holding the address, after a glued "@" word that
    # makes the text shown decoded (V59a D2-1: the inner word was shown readable, unmasked).
    ("zz=?utf-8?q?=40?=c.example =?utf-8?b?PT91dGYtOD9xP3pxeGprdmJ3cHlmaHRnPTQwZXhhbXBsZS5vcmc/PQ==?=", SECRET,
     "z***@c.example =?utf-8?b?z***@example.org?="),
    # A typographic-quoted local part, which RFC 5322 does not quote: read as the display name
    # "“zqx…" and the address "x”@a.example (V59a D3-3); the name, read with its address, is masked.
    ("\u201czqxjkvbwpyfhtg x\u201d@a.example, Bob Smith <bob@b.example>", SECRET,
     '"display_name": "\u201cz***",\n        "address": "x***@a.example"'),
    # A display name without angle brackets: the header's defect quotes the address (it was not redacted).
    ("Zed Name zqxjkvbwpyfhtg@a.example", SECRET, "and the address z***@a.example"),
])
def test_an_address_in_the_to_field_is_masked_in_every_format(tmp_path: Path, to: str, secret: str, masked: str) -> None:
    _assert_masked_everywhere(_redacted_outputs(tmp_path, _message(to=to)), secret, masked)


@pytest.mark.parametrize(("field", "secret", "masked"), [
    # A quote opening before a property's value: kept (it lost its opening quote, V55b D3-3).
    ("X-Delivery: rcpt='zqxjkvbwpyfhtg@a.example' ok", SECRET, "rcpt='z***@a.example' ok"),
    # Backticks and typographic quotes around or in a local part.
    ("X-Note: write to `zqxjkvbwpyfhtg@a.example`", SECRET, "write to `z***@a.example`"),
    ("X-Note: write to \u2018zqxjkvbwpyfhtg@a.example\u2019", SECRET, "write to \u2018z***@a.example\u2019"),
    ("X-Note: write to \u201czqxjkvbw pyfhtg\u201d@a.example", "zqxjkvbw", "write to z***@a.example"),
    ("X-Note: write to \u2018zqxjkvbw pyfhtg\u2019@a.example", "zqxjkvbw", "write to z***@a.example"),
    # Percent-encoded in a link: "@" encoded twice, a quoted local part's quotes and blank encoded.
    ("List-Unsubscribe: <https://x.example/u?e=zqxjkvbwpyfhtg%2540a.example>", SECRET, "u?e=z***%2540a.example"),
    ("List-Unsubscribe: <mailto:%22zqxjkvbw%20pyfhtg%22%40a.example>", "zqxjkvbw", "mailto:%22z***%40a.example"),
    # An encoded "@" with no domain after it, or a percent-encoded (IDN) one, and an RFC 2231
    # continuation that splits the address (V59a D3-1): masked as "bob@" is.
    ("List-Unsubscribe: <https://x.example/u?e=zqxjkvbwpyfhtg%40&d=example.org>", SECRET, "u?e=z***%40&d=example.org"),
    ("List-Unsubscribe: <https://x.example/u?e=zqxjkvbwpyfhtg%40%C3%A9xample.org>", SECRET, "u?e=z***%40%C3%A9xample.org"),
    ("Content-Disposition: attachment; filename*0*=utf-8''zqxjkvbwpyfhtg%40; filename*1=example.org", SECRET,
     "u***%40; filename*1=example.org"),
])
def test_an_address_in_another_field_is_masked_in_every_format(tmp_path: Path, field: str, secret: str,
                                                               masked: str) -> None:
    _assert_masked_everywhere(_redacted_outputs(tmp_path, _message(extra=field + "\r\n")), secret, masked)


@pytest.mark.parametrize(("text", "expected"), [
    ("zqxjkvbwpyfhtg=?utf-8?q?=40?=a.example", "z***@a.example"),
    ("To: =?utf-8?q?Ann?= zqxjkvbwpyfhtg=?utf-8?q?=40b.example?=, c@d.example", "To: Ann z***@b.example, c***@d.example"),
    ("rcpt='zqxjkvbwpyfhtg@a.example'", "rcpt='z***@a.example'"),
    ("envelope-from=\"zqxjkvbwpyfhtg@a.example\"", "envelope-from=\"z***@a.example\""),
    ('"zqx\\\\jkvbwpyfhtg"@a.example "x\\"y"@b.example', "z***@a.example x***@b.example"),
    ("see `zqx`jkvbwpyfhtg@a.example", "see z***@a.example"),
    ("u?e=%2b%40a.example&f=%22zqx%20jkv%22%40b.example", "u?e=%2b***%40a.example&f=%22z***%40b.example"),
    ("to zqxjkvbwpyfhtg \t @a.example, zqx @b.example", "to z***@a.example, z***@b.example"),
    # Encoded-words inside encoded-words (V59a D2-1): masked at each decoding, hidden past four.
    ("=?utf-8?b?PT91dGYtOD9xP3pxeGprdmJ3cHlmaHRnPTQwZXhhbXBsZS5vcmc/PQ==?=", "=?utf-8?b?=?utf-8?q?z***@example.org?=?="),
    ("zz=?utf-8?q?=40?=c.example =?utf-8?b?PT91dGYtOD9xP3pxeGprdmJ3cHlmaHRnPTQwZXhhbXBsZS5vcmc/PQ==?=",
     "z***@c.example =?utf-8?b?z***@example.org?="),
    ("=?utf-8?b?PT91dGYtOD9iP1BUOTFkR1l0T0Q5aVAxQlVPVEZrUjFsMFQwUTVhVkF4UWxWUFZFWnJVakZzTUZRd1VUVmxSa0Y2WTBob2JGSXpRbmxhUnpGTFRUSk9TV0pITVdoVFJrcDFWVVpTVW1ReGNGbGhSMmhwVjBWS2VsZHNUVEZrYlU1MFdYazVVVlZVTURsUWVqQTlQejA9Pz0=?=",
     "=?utf-8?b?=?utf-8?b?=?utf-8?b?=?utf-8?b?***?=?=?=?="),
    ("=?utf-8?b?PT91dGYtOD9xP2hlbGxvPz0=?=", "=?utf-8?b?PT91dGYtOD9xP2hlbGxvPz0=?="),  # "=?utf-8?q?hello?=": no address
    # Percent-encoded: no domain, an encoded domain, a "%" that starts no escape (V59a D3-1).
    ("?e=zqxjkvbwpyfhtg%40&d=example.org", "?e=z***%40&d=example.org"),
    ("?e=zqxjkvbwpyfhtg%2540%C3%A9xample.org", "?e=z***%2540%C3%A9xample.org"),
    ("a%zzzqxjkvbwpyfhtg%40example.org", "a***%40example.org"),
    # Not addresses: kept as written.
    ("meet @ 5pm, no address @ here, tickets @home", "meet @ 5pm, no address @ here, tickets @home"),
    ("it\u2019s 5pm, \u201cquoted\u201d text and `code` here; 50% off, 40%", "it\u2019s 5pm, \u201cquoted\u201d text and `code` here; 50% off, 40%"),
    ("=?utf-8?q?Caf=C3=A9?= <a@b.example>", "=?utf-8?q?Caf=C3=A9?= <a***@b.example>"),
])
def test_redact_text_forms(text: str, expected: str) -> None:
    assert redact_text(text) == expected
    assert redact_text(expected) == expected  # idempotent


@pytest.mark.parametrize("text", [
    "a=?utf-8?q?=40?=" * 70_000, "=?utf-8?q?zqx?=" + " =?utf-8?q?x?=" * 80_000 + "=?utf-8?q?=40a.example?=",
    '"a\\' * 330_000 + '"@x', '"a"' + " " * 1_000_000 + "x", ('"a"' + " " * 1000) * 1000 + "@x",
    "\u201ca " * 330_000 + "@x", "\u2018a " * 330_000 + "@x", "\u201ca\u201d " * 250_000 + "@x",
    "a%22" * 250_000 + "%40x", "%25" * 330_000 + "40x", "a`" * 500_000 + "@x", "a\uff20" * 500_000,
    "rcpt='" * 160_000 + "@x", "a " * 500_000 + "@x.y", ("a" + " " * 1000) * 1000 + "@x.y",
    "a=?utf-8?q?=40?=b =?utf-8?b?PT91dGYtOD9xP2E9NDBiPz0=?= " * 20_000,  # nested words, shown decoded
    "a" * 1_000_000 + "%40", "%" * 1_000_000 + "%40", "a%zz" * 250_000 + "%40",  # unbounded encoded local parts
])
def test_the_new_forms_are_read_in_linear_time(text: str) -> None:
    started = time.perf_counter()
    redact_text(text)
    assert_within(started, 3)


def test_a_received_note_cut_inside_an_encoded_word_keeps_no_mailbox_name(tmp_path: Path) -> None:
    # Verification V55b D3-1: the note of a Received clause is shortened, and the cut fell inside
    # an encoded-word holding an address: "=?utf-8?q?zqxjkvbwpyfhtg=40example.or…", no encoded-word
    # and no address once cut, shown as written. The cut now falls before the run of encoded-words.
    received = ("Received: from a.example (a.example [192.0.2.1]) by mx.example.org with ESMTP id 1 lorem ipsum"
                " dolor sit =?utf-8?q?zqxjkvbwpyfhtg=40example.org?= x; Tue, 03 Nov 2020 10:00:06 +0000\r\n")
    outputs = _redacted_outputs(tmp_path, _message(received=received))
    _assert_masked_everywhere(outputs, SECRET, "lorem ipsum dolor sit z***@example.org x")
    assert "lorem ipsum dolor sit…" in outputs["json"]


_CUT_FORMS = [
    "=?utf-8?q?zqxjkvbwpyfhtg=40example.org?=", "=?utf-8?q?zqxjkvbwpyfhtg?= =?utf-8?q?=40example.org?=",
    "zqxjkvbwpyfhtg=?utf-8?q?=40?=example.org", "=?utf-8?q?zqxjkvbwpyfhtg?=@example.org",
    "=?utf-8?b?enF4amt2Yndw?= =?utf-8?b?eWZodGdAZXhhbXBsZS5vcmc=?=",
    "zqxjkvbwpyfhtg\uff20example.org", "zqxjkvbwpyfhtg\ufe6bexample.org",
    "\u201czqxjkvbw pyfhtg\u201d@example.org", '"zqxjkvbw\\"pyfhtg"@example.org', "zqxjkvbwpyfhtg   @example.org",
    "zqxjkvbwpyfhtg%40example.org", "zqxjkvbwpyfhtg%2540example.org", "?e=zqxjkvbwpyfhtg%252540example.org&x",
]


@pytest.mark.parametrize("address", _CUT_FORMS)
def test_no_cut_or_kept_end_shows_a_piece_of_a_mailbox_name_in_these_forms(address: str) -> None:
    from headerscope.text import address_safe_cut, address_safe_shortened, address_safe_tail

    pieces = {SECRET[i:i + 4] for i in range(len(SECRET) - 3)}
    for text in (address, f"id 1 lorem ipsum {address} x; Tue", f"for <{address}>"):
        for limit in range(1, len(text)):
            for shown in (address_safe_cut(text, limit), address_safe_tail(text, limit),
                          address_safe_shortened(text, limit)):
                redacted = redact_text(shown)
                assert not any(piece in redacted for piece in pieces), (text, limit, shown, redacted)


@pytest.mark.parametrize("unit", ["=?utf-8?q?a=40?=", "=?utf-8?q?a?= ", "a=?u?q?=40?=", "=?u?q?" + "a" * 1000 + "?=", "=?",
                                  "a%2540", "%", "=?u?q?a=40?=" + "x" * 1100])
def test_the_cuts_look_for_encoded_words_in_bounded_time(unit: str) -> None:
    from headerscope.text import address_safe_cut, address_safe_tail

    text = unit * (1_000_000 // len(unit))
    started = time.perf_counter()
    for limit in range(1000, 1_000_000, 1000):
        address_safe_cut(text, limit)
        address_safe_tail(text, limit)
    assert_within(started, 4)


_LONG_NAME = "Finance Department - Accounts Payable, Invoices and Remittances, xxxxxx"


@pytest.mark.parametrize(("to", "extra", "masked"), [
    # A display name written without angle brackets that holds the address, cut at 80 right after
    # "zqxjkvbw" (V59a D2-2): the cut now falls before the address.
    (f'"{_LONG_NAME} zqxjkvbwpyfhtg@example.org" zqxjkvbwpyfhtg@example.org', "",
     f'read as the name \\"{_LONG_NAME}…\\" and the address z***@example.org'),
    # Its address cut at 120 (a local part longer than that, V59a D2-2): nothing of it is kept.
    ("Bob Smith " + SECRET * 10 + "@example.org", "", 'read as the name \\"Bob Smith\\" and the address …'),
    # A List-Id's description shown to 300 characters, the cut inside the address (V59a D3-3).
    ("buyer@example.net", "List-Id: " + "lorem " * 48 + SECRET + "@example.org <l.example.org>\r\n", "lorem lorem…"),
    # authres quotes where its grammar broke, cut after "header.i=zqxjkvb" (V59a D3-3): quoted again
    # from the value, cut where no address is split.
    ("buyer@example.net",
     "Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=accounts@sender.example ; x/y=z (stray) s2"
     f" dkim=pass header.i={SECRET}@example.org\r\n", "near “y=z (stray) s2 dkim=pass header.i=z***@example.org”"),
])
def test_a_cut_piece_of_message_text_keeps_no_piece_of_a_mailbox_name(tmp_path: Path, to: str, extra: str,
                                                                      masked: str) -> None:
    _assert_masked_everywhere(_redacted_outputs(tmp_path, _message(to=to, extra=extra)), SECRET, masked)


@pytest.mark.parametrize(("received", "masked"), [
    # A Received note cut inside "%2540" (V59a D3-1): before the address; or right after "%40",
    # where the local part is masked with no domain after it.
    ("Received: from a.example (a.example [192.0.2.1]) by mx.example.org with ESMTP id 1 " + "lorem " * 7
     + SECRET + "%2540example.org; Tue, 03 Nov 2020 10:00:06 +0000\r\n", "lorem lorem lorem…"),
    ("Received: from a.example (a.example [192.0.2.1]) by mx.example.org with ESMTP id 1 " + "lorem " * 7
     + SECRET + "%40example.org; Tue, 03 Nov 2020 10:00:06 +0000\r\n", "lorem lorem z***%40…"),
    # 1,100 characters glued after the encoded-word that holds the address (V59a D3-2): the cut is
    # still moved before the run.
    ("Received: from a.example (a.example [192.0.2.1]) by mx.example.org with ESMTP id 1 lorem ipsum dolor sit"
     " =?utf-8?q?zqxjkvbwpyfhtg=40example.org?=" + "x" * 1100 + "; Tue, 03 Nov 2020 10:00:06 +0000\r\n",
     "lorem ipsum dolor sit…"),
])
def test_a_received_note_cut_near_an_encoded_address_keeps_no_mailbox_name(tmp_path: Path, received: str,
                                                                           masked: str) -> None:
    _assert_masked_everywhere(_redacted_outputs(tmp_path, _message(received=received)), SECRET, masked)


@pytest.mark.parametrize(("results", "masked"), [
    # A tolerant read splits "lorem zqx…=?utf-8?q?=40?=example.org" at its "=": the mailbox name
    # became a property key, redacted alone (V59a D3-3). The pair's text masks it: so is the key.
    (f"spf=pass smtp.mailfrom=lorem {SECRET}=?utf-8?q?=40?=example.org", '"z***",\n          "?utf-8?q?=40?=example.org"'),
    # A typographic-quoted local part read as "“zqx…" (the rest dropped), a local part read without
    # the "@" after its blanks, and a login: a mailbox property's value that is no domain is masked.
    (f"dkim=pass header.i=\u201c{SECRET} x\u201d@example.org", '"header.i",\n          "\u201cz***"'),
    (f"spf=pass smtp.mailfrom={SECRET}   @example.org", '"smtp.mailfrom",\n          "z***"'),
    (f"auth=pass smtp.auth={SECRET}", '"smtp.auth",\n          "z***"'),
])
def test_a_mailbox_name_split_into_result_properties_is_masked(tmp_path: Path, results: str, masked: str) -> None:
    extra = f"Authentication-Results: mx.example.net; {results}\r\n"
    _assert_masked_everywhere(_redacted_outputs(tmp_path, _message(extra=extra)), SECRET, masked)


def test_result_properties_that_name_a_domain_or_nothing_are_kept() -> None:
    from headerscope.redact import _redact_properties

    kept = (("smtp.mailfrom", "example.org"), ("header.i", "@mail.example.org"), ("header.d", "example.org"),
            ("smtp.mailfrom", "<>"), ("dkim", "pass"), ("policy.ptr", "x"))
    assert _redact_properties(kept) == kept
    # A key beside an address value stays a key (V63a D2-1: IronPort's and policyd-spf's
    # Received-SPF properties), its value masked.
    assert _redact_properties((("x-sender", "alice@sender.example"), ("receiver", "lists@example.net"))) == (
        ("x-sender", "a***@sender.example"), ("receiver", "l***@example.net"))


def test_a_display_name_apart_from_its_address_is_kept() -> None:
    from headerscope.model import Address
    from headerscope.redact import _redact

    for name in ("Bob Smith", "Smith, Ann", 'Bob "The Builder"', "\u201cBob\u201d"):
        assert _redact(Address(name, "bob@example.org", "example.org")) == Address(name, "b***@example.org", "example.org")
