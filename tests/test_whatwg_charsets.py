"""Charset labels read as mail readers read them: the WHATWG Encoding Standard's label table
(section 4.2) takes ISO-8859-1, its aliases and US-ASCII for windows-1252, ISO-8859-9 for
windows-1254 and TIS-620 / ISO-8859-11 for windows-874, and decodes the Windows code pages by its
own indexes (section 9.1), which give the bytes Microsoft leaves undefined in 0x80-0x9F to the C1
controls (verification V30d: a Subject "Don’t miss our €100 offer" from Outlook, labelled
iso-8859-1, read as "Dont miss our 100 offer" with hidden characters)."""

from __future__ import annotations

from headerscope.api import analyze
from headerscope.message import parse_message
from headerscope.model import Report
from headerscope.text import charset_codec, decode_rfc2047_checked

_RECEIVED = (b"Received: from mail.sender.example (mail.sender.example [192.0.2.10])\r\n"
             b"\tby mx.recipient.example (Postfix) with ESMTPS id 4F1C81234\r\n"
             b"\tfor <bob@recipient.example>; Mon, 13 May 2024 10:00:05 +0000 (UTC)\r\n")
_TAIL = (b"To: bob@recipient.example\r\nDate: Mon, 13 May 2024 10:00:00 +0000\r\n"
         b"Message-ID: <abc123@sender.example>\r\n\r\nHello.\r\n")


def analyze_offline(raw: bytes) -> Report:
    return analyze(raw, offline=True)


def test_latin1_labels_are_windows_1252_in_encoded_words() -> None:
    # Outlook's typographic quotes and euro sign under iso-8859-1 (verification V30d's input).
    for label in ("iso-8859-1", "ISO-8859-1", "latin1", "l1", "iso_8859-1:1987", "iso88591", "cp819", "us-ascii",
                  "ascii", "ANSI_X3.4-1968", "x-cp1252", "windows-1252"):
        decoded, problems = decode_rfc2047_checked(f"=?{label}?Q?Don=92t_miss_our_=80100_offer_=93now=94?=")
        assert (decoded, problems) == ("Don\u2019t miss our \u20ac100 offer \u201cnow\u201d", ()), label
    # Text really in Latin-1 reads as before: windows-1252 extends it.
    assert decode_rfc2047_checked("=?iso-8859-1?Q?Fran=E7ois_M=FCller?=") == ("Fran\u00e7ois M\u00fcller", ())
    # Turkish and Thai: windows-1254 and windows-874 under their ISO labels.
    assert decode_rfc2047_checked("=?iso-8859-9?Q?=80_=D0=DD=DE?=")[0] == "\u20ac \u011e\u0130\u015e"
    assert decode_rfc2047_checked("=?latin5?Q?=93x=94?=")[0] == "\u201cx\u201d"
    for label in ("tis-620", "iso-8859-11", "windows-874", "dos-874"):
        # TIS-620 itself has no 0xA0; windows-874 has the no-break space there.
        assert decode_rfc2047_checked(f"=?{label}?Q?=80=85=A0=A1?=") == ("\u20ac\u2026\u00a0\u0e01", ()), label


def test_bytes_microsoft_leaves_undefined_are_the_c1_controls() -> None:
    # WHATWG index-windows-1252 maps 0x81, 0x8D, 0x8F, 0x90 and 0x9D to U+0081... (Python's cp1252
    # refuses them): a control character, not a damaged word; it stays a hidden character.
    assert decode_rfc2047_checked("=?iso-8859-1?Q?a=81=8D=8F=90=9Db?=") == ("a\x81\x8d\x8f\x90\x9db", ())
    # Bytes the Standard leaves undefined too stay errors: windows-874's 0xDB-0xDE and 0xFC-0xFF,
    # windows-1253's 0xAA, 0xD2, 0xFF, windows-1255's 0xD9-0xDF, 0xFB, 0xFC, 0xFF, windows-1257's 0xA1, 0xA5.
    undefined = {"874": [0xDB, 0xDC, 0xDD, 0xDE, 0xFC, 0xFD, 0xFE, 0xFF], "1253": [0xAA, 0xD2, 0xFF],
                 "1255": [0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF, 0xFB, 0xFC, 0xFF], "1257": [0xA1, 0xA5]}
    # The C1 controls the Standard's indexes hold in 0x80-0x9F (Microsoft's undefined bytes there).
    controls = {"874": [*range(0x81, 0x85), *range(0x86, 0x91), *range(0x98, 0xA0)],
                "1250": [0x81, 0x83, 0x88, 0x90, 0x98], "1251": [0x98], "1252": [0x81, 0x8D, 0x8F, 0x90, 0x9D],
                "1253": [0x81, 0x88, 0x8A, *range(0x8C, 0x91), 0x98, 0x9A, *range(0x9C, 0xA0)],
                "1254": [0x81, *range(0x8D, 0x91), 0x9D, 0x9E], "1255": [0x81, 0x8A, *range(0x8C, 0x91), 0x9A,
                                                                       *range(0x9C, 0xA0)],
                "1256": [], "1257": [0x81, 0x83, 0x88, 0x8A, 0x8C, 0x90, 0x98, 0x9A, 0x9C, 0x9F],
                "1258": [0x81, 0x8A, *range(0x8D, 0x91), 0x9A, 0x9D, 0x9E]}
    for page, c1 in controls.items():
        codec = charset_codec(f"windows-{page}")
        assert codec == f"whatwg-windows-{page}"
        for byte in range(256):
            data = bytes((byte,))
            if byte in undefined.get(page, ()):
                assert data.decode(codec, "replace") == "\ufffd", (page, byte)
                continue
            text = data.decode(codec)
            if byte in c1:
                assert text == chr(byte), (page, byte)
            else:
                assert not 0x80 <= ord(text) < 0xA0, (page, byte)  # a character of the code page
            # The inverse is exact: a DKIM candidate re-encodes a Subject in its own charset.
            assert text.encode(codec) == data, (page, byte)
    # windows-1255's 0xCA is U+05BA in the Standard's index (Python's cp1255 has no 0xCA).
    assert b"\xca".decode(charset_codec("windows-1255") or "") == "\u05ba"


def test_labels_no_message_may_use_stay_unknown() -> None:
    # The module's own codec names are no charset label; x-user-defined keeps its Latin-1 reading.
    assert charset_codec("whatwg-windows-1252") is None and charset_codec("Whatwg Windows 1252") is None
    assert decode_rfc2047_checked("=?whatwg-windows-1252?Q?=92?=")[1][0] == (
        "an encoded-word in an unknown charset 'whatwg-windows-1252': read as UTF-8")
    assert decode_rfc2047_checked("=?x-user-defined?Q?=92?=")[0] == "\x92"


def test_a_latin1_subject_and_name_read_as_a_reader_sees_them() -> None:
    # m/cp1252_as_latin1.eml: no hidden characters afterwards, the summary line as shown.
    raw = (_RECEIVED + b"From: =?iso-8859-1?Q?Fran=E7ois_=93Frank=94?= <f@sender.example>\r\n"
           b"Subject: =?iso-8859-1?Q?Don=92t_miss_our_=80100_offer?=\r\n" + _TAIL)
    report = analyze_offline(raw)
    assert report.subject == "Don\u2019t miss our \u20ac100 offer"
    assert report.envelope.header_from[0].display_name == "Fran\u00e7ois \u201cFrank\u201d"
    assert "message.hidden_characters" not in {f.id for f in report.findings}
    # A C1 control from an undefined byte is still a hidden character.
    hidden = analyze_offline(raw.replace(b"Don=92t", b"Don=81t"))
    assert [f.explanation.count("U+0081") for f in hidden.findings if f.id == "message.hidden_characters"] == [1]


def test_raw_latin1_header_bytes_read_as_windows_1252() -> None:
    # m/raw_latin1_cp1252.eml: raw 8-bit bytes under Content-Type charset=iso-8859-1.
    raw = (_RECEIVED + b"From: Fran\xe7ois \x93Frank\x94 <f@sender.example>\r\nSubject: Don\x92t miss caf\xe9\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n" + _TAIL)
    fields = {h.name: h for h in parse_message(raw).headers}
    assert fields["From"].value == "Fran\u00e7ois \u201cFrank\u201d <f@sender.example>"
    assert fields["Subject"].decoded == "Don\u2019t miss caf\u00e9"
    assert fields["Subject"].defects == ("bytes that are not UTF-8: read as windows-1252, which mail readers take "
                                         "the charset the message declares (iso-8859-1) for",)
    report = analyze_offline(raw)
    [defects] = [f for f in report.findings if f.id == "headers.defects"]
    assert defects.severity.value == "notice"
    assert "message.hidden_characters" not in {f.id for f in report.findings}
    # A declared windows-1252 says so in its own name; US-ASCII is windows-1252 to a reader too.
    declared = parse_message(raw.replace(b"charset=iso-8859-1", b"charset=windows-1252")).headers[2]
    assert declared.defects == ("bytes that are not UTF-8: read as windows-1252, the charset the message declares",)
    ascii_declared = parse_message(raw.replace(b"charset=iso-8859-1", b"charset=us-ascii")).headers[2]
    assert ascii_declared.decoded == "Don\u2019t miss caf\u00e9"
    # An undefined byte read as a C1 control means the charset does not fit: the field stays as it was.
    control = parse_message(raw.replace(b"Don\x92t", b"Don\x81t")).headers[2]
    assert control.decoded == "Don\ufffdt miss caf\ufffd"
    assert control.defects == ("bytes that are not UTF-8 (shown as \ufffd)",)


def test_big5_labels_read_cp950_and_hkscs_characters_as_readers_do() -> None:
    # Verification V40 D3's inputs: "報價 €100" as CP950 writes it (€ = A3E1), "香港 綫" (HKSCS 8EA8);
    # and 碁 (F9D6, ETEN; 宏碁 is Acer's name). Python's big5 refuses all three.
    for label in ("big5", "BIG5", "csbig5", "cn-big5", "x-x-big5", "big5-tw"):
        assert decode_rfc2047_checked(f"=?{label}?B?s/i7+SCj4TEwMA==?=") == ("報價 €100", ()), label
        assert decode_rfc2047_checked(f"=?{label}?Q?=AD=BB=B4=E4_=8E=A8?=") == ("香港 綫", ()), label
        assert decode_rfc2047_checked(f"=?{label}?Q?=A7=BB=F9=D6?=") == ("宏碁", ()), label
    report = analyze_offline(_RECEIVED + b"From: a@sender.example\r\nSubject: =?big5?B?s/i7+SCj4TEwMA==?=\r\n" + _TAIL)
    assert report.subject == "報價 €100"
    assert "headers.defects" not in {f.id for f in report.findings}
    # Raw Big5 bytes under a declared big5 charset, as a legacy Taiwanese mailer writes them.
    raw = (_RECEIVED + b"From: a@sender.example\r\nSubject: \xb3\xf8\xbb\xf9 \xa3\xe1100\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=big5\r\n" + _TAIL)
    [subject] = [h for h in parse_message(raw).headers if h.name == "Subject"]
    assert subject.decoded == "報價 €100"
    assert subject.defects == ("bytes that are not UTF-8: read as big5, the charset the message declares",)
    # Bytes no table has stay replacement characters, and say so; the codec's own name is no label.
    assert decode_rfc2047_checked("=?big5?Q?=A4=40=FF?=") == (
        "一\ufffd", ("an encoded-word with bytes that are not valid big5 (shown as \ufffd)",))
    assert charset_codec("whatwg-big5") is None and charset_codec("big5-hkscs") == "big5hkscs"


def test_the_big5_decoder_is_pythons_big5_where_that_reads_a_pair() -> None:
    """Every pair: what Python's big5 reads is read the same (plain Big5 mail reads as before);
    a pair it refuses is cp950's, else big5hkscs's, else the same replacement big5 gives."""
    for lead in range(0x81, 0xFF):
        for trail in range(0x30, 0x100):
            pair = bytes((lead, trail))
            ours = pair.decode("whatwg-big5", "replace")
            try:
                assert ours == pair.decode("big5"), pair
                continue
            except UnicodeDecodeError:
                pass
            for codec in ("cp950", "big5hkscs"):
                try:
                    assert ours == pair.decode(codec), pair
                    break
                except UnicodeDecodeError:
                    continue
            else:
                assert ours == pair.decode("big5", "replace"), pair
    # Written back in the bytes it was read from (a DKIM candidate's Subject), strict where none has it.
    text = "報價 €100 香港 綫 宏碁"
    assert text.encode("whatwg-big5").decode("whatwg-big5") == text
    try:
        "\U0001f600".encode("whatwg-big5")
        raise AssertionError("an emoji has no Big5 bytes")
    except UnicodeEncodeError:
        pass
    assert "a\U0001f600".encode("whatwg-big5", "replace") == b"a?"
