"""Fast paths of the header and body readers of mime.py checked against the code before them."""

from __future__ import annotations

from headerscope import mime
from headerscope.message import Message, parse_message
from headerscope.model import Finding, Severity


def _messages() -> list[Message]:
    from test_mime_walk_fastpaths import _messages as walk_messages

    return walk_messages()


# hidden_characters before it skipped the right-to-left look at a field with no hidden character.
def _hidden_as_before(message: Message) -> Finding | None:
    """A notice for invisible or direction-changing characters in the fields a reader sees (a
    right-to-left mark in a Subject, a zero-width space in a display name): they change what is
    shown (Unicode UTS #39; "Trojan Source"); every report marks them."""
    found: list[tuple[str, list[str]]] = []
    for name in mime._SHOWN_FIELDS:
        value = message.first_decoded(name)
        if not value:
            continue
        text = value[:2000]
        # Joiners shape emoji and Indic and Persian words (between two visible characters that are
        # not ASCII), and the direction marks belong in right-to-left text: said only outside them.
        rtl = any("\u0590" <= c <= "\u08ff" for c in text)

        codes = [f"U+{ord(c):04X}" for at, c in enumerate(text) if mime._hidden_character_re().fullmatch(c)
                 and c not in "\r\n\t" and not (rtl and c in "\u200e\u200f\u061c")
                 and not (c in "\u200c\u200d" and _shaping(text, at))]
        hidden = list(dict.fromkeys(codes))
        if hidden:
            found.append((name, hidden[:5]))
    if not found:
        return None
    listed = "; ".join(f"{name}: {', '.join(codes)}" for name, codes in found)
    return Finding(
        id="message.hidden_characters", severity=Severity.NOTICE,
        title=f"Invisible or direction-changing characters in {', '.join(name for name, _ in found)}",
        explanation=(f"These fields hold characters a reader does not see, or that reverse the direction of the "
                     f"text around them ({listed}): they make a text look other than it is, as look-alike names "
                     "and reversed file names do (Unicode UTS #39). The terminal, HTML and Markdown reports show them as "
                     "⟨U+XXXX⟩."),
        reference="https://www.unicode.org/reports/tr39/", subject=found[0][0])


def _shaping(text: str, at: int) -> bool:
    """Whether the joiner at ``at`` stands between two visible characters that are not ASCII."""
    return all(0 <= j < len(text) and not text[j].isascii() and not text[j].isspace()
               and not mime._hidden_character_re().fullmatch(text[j]) for j in (at - 1, at + 1))


def _crafted_fields() -> list[Message]:
    values = ["plain subject", "zero\u200bwidth", "joiner \u200d only", "\u05e9\u05dc\u05d5\u05dd \u200f mark",
              "mark \u200f in latin", "\u0627\u0644\u0633\u0644\u0627\u0645\u061c", "bidi \u202e override",
              "tab\tand\u00ad soft hyphen", "\u200e" * 10 + "many", "emoji \U0001f468\u200d\U0001f469", "", " ",
              # Joiners between ASCII letters hide (V30d: "service@pay\u200dpal.com"); between the
              # letters of Persian, Devanagari, accented Latin or an emoji sequence they shape.
              "pay\u200dpal.com", "a\u200db\u200bc\u200cd", "\u200dstart", "end\u200d", "x \u200d y", "a\u200d\u200db",
              "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0915\u094d\u200d\u0937", "\u00e9\u200d\u00e9",
              "\U0001f3f3\ufe0f\u200d\U0001f308", "\u00e9\u200d\u200b\u00e9", "\u00e9\u200da", "\u00e9 \u200d\u00e9",
              "=?utf-8?b?" + __import__("base64").b64encode("a\u200bb \u05d0".encode()).decode() + "?="]
    return [parse_message(f"{name}: {value}\nFrom: a@example.com\n\nbody\n".encode())
            for value in values for name in mime._SHOWN_FIELDS]


def test_hidden_characters_are_the_ones_found_before() -> None:
    messages = _messages() + _crafted_fields()
    told = 0
    for message in messages:
        before = _hidden_as_before(message)
        assert mime.hidden_characters(message) == before
        told += before is not None
    assert told > 20


def test_message_file_names_are_found_as_before_whatever_the_case() -> None:
    from test_mime_fastpaths import assert_names_a_message_file_as_before

    crafted = []
    for inner_type in ("multipart/mixed", "MULTIPART/MIXED", "Multipart/Mixed", "mULTIPART/mixed", "MuLtIpArT/x"):
        for name in ("report.eml", "REPORT.EML", "a.Msg", "x.emlx", "ms-OUTLOOK", "none.txt"):
            crafted.append(parse_message((
                f'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\nContent-Type: {inner_type}; boundary=b2'
                f'\n\n--b2\nContent-Type: application/octet-stream; name="{name}"\n\nx\n--b2--\n'
                f'--b1\r\nContent-Type: text/plain\r\n\r\n--b1 text --b1\n\n--b1--\n').encode()))
    assert_names_a_message_file_as_before(_messages() + crafted)


def _text_parts_as_before(message: Message) -> list[mime._Part]:
    if message.body_start is None:
        return []
    content_type = (message.first("Content-Type") or "text/plain").lstrip().lower()
    if content_type.startswith("multipart/"):
        return [p for p in mime._parts(message, keep_text=True) if p.content_type == "text/plain"][:mime._MAX_TEXT_PARTS]
    return mime._parts(message)


def test_the_per_message_text_parts_and_auto_reply_mark_are_the_uncached_ones() -> None:
    texts = marked = 0
    crafted = [parse_message(f"{name}: {value}\nFrom: a@example.com\n\nbody\n".encode())
               for name, _ in mime._AUTO_REPLY_MARKS for value in ("yes", "no", "", "reply", "true", "auto_reply")]
    for message in _messages() + crafted:
        before = _text_parts_as_before(parse_message(message.raw))
        parts = mime._text_parts(message)
        assert mime._text_parts(message) is parts  # picked once
        assert [(p.content_type, p.body_start, p.body_end, p.depth) for p in parts] == \
            [(p.content_type, p.body_start, p.body_end, p.depth) for p in before]
        texts += bool(before)
        mark = mime._read_vendor_auto_reply(message)
        assert mime._vendor_auto_reply(message) == mark == mime._vendor_auto_reply(message)
        marked += mark is not None
    assert texts > 200 and marked > 10


def _attachment_cases() -> list[Message]:
    """Files named in every case, and bodies that hold none of the hints as written."""
    cases = []
    for head in ('Content-Type: application/pdf; nAmE="a.pdf"', 'Content-Type: application/pdf; NAME="a.pdf"',
                 "Content-Disposition: ATTACHMENT", "Content-Disposition: aTTachment; fIlEnAmE=x.exe",
                 'Content-Type: text/plain; name="ok.txt"', "Content-Type: text/plain"):
        for tail in ("", "\n--b\nContent-Type: text/plain\n\nsee the attached name\n"):
            cases.append(parse_message((f"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n"
                                        f"--b\nContent-Type: text/plain\n\nhi\n{tail}--b\n{head}\n\nx\n--b--\n")
                                       .encode()))
    # No boundary: the top part itself, at depth 0, with a disposition in the message's header.
    for disposition in ("attachment", "ATTACHMENT", "aTTachment; filename=y.js"):
        cases.append(parse_message((f"From: a@example.com\nContent-Type: multipart/mixed\nContent-Disposition: "
                                    f"{disposition}\n\nbody\n").encode()))
    return cases


def test_attachments_read_from_another_readers_walk_are_the_ones_read_alone() -> None:
    listed = 0
    for message in _messages() + _attachment_cases():
        alone = mime.read_attachments(parse_message(message.raw))
        walked = parse_message(message.raw)
        mime._full_walk(walked)
        assert mime.read_attachments(walked) == alone
        listed += bool(alone[0])
    assert listed > 50
