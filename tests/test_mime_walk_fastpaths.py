"""The MIME walk's fast paths checked against the walk as it was written before them: the cache
of part headers (_part_head), the header search without its list (header_body_offsets), the
part header read without a second search for its end (first_values(cut=True)) and the
delimiter-line test of _split_multipart."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

import pytest

from headerscope import mime
from headerscope.loader import load_bytes
from headerscope.message import (
    _FIELD_NAME,
    MAX_HEADER_FIELDS,
    Message,
    _logical_lines,
    _unfold,
    header_body_offsets,
    parse_message,
)

# --- The code as it was (7595ab3) -------------------------------------------------------------


def _offsets_as_before(raw: bytes, begin: int = 0, stop: int | None = None) -> tuple[int, int | None]:
    if raw.startswith(b"\r\n", begin):
        return begin, begin + 2
    if raw.startswith(b"\n", begin):
        return begin, begin + 1
    size = len(raw) if stop is None else min(stop, len(raw))
    start, window = begin, begin + 8 * 1024
    while True:
        end = min(size, window)
        lf = raw.find(b"\n\n", start, end)
        ends = [i for i in (lf, raw.find(b"\n\r\n", start, end if lf < 0 else lf + 2)) if i >= 0]
        if ends or end == size:
            break
        start, window = end - 2, begin + (window - begin) * 2
    if not ends:
        return size, None
    first_lf = min(ends)
    body_start = min(first_lf + (2 if raw[first_lf + 1:first_lf + 2] == b"\n" else 3), size)
    header_end = first_lf - 1 if first_lf > begin and raw[first_lf - 1:first_lf] == b"\r" else first_lf
    return header_end, body_start


def _first_values_as_before(header_section: bytes, names: frozenset[str]) -> dict[str, str] | None:
    if not header_section.isascii() or header_section.find(b"\x00") >= 0 or header_section.find(b"\x1b") >= 0:
        return None
    header_end, _ = _offsets_as_before(header_section)
    lines = _logical_lines(header_section[:header_end])
    if len(lines) > MAX_HEADER_FIELDS:
        return None
    found: dict[str, str] = {}
    for line in lines:
        match = _FIELD_NAME.match(line)
        if match is None:
            continue
        name = match.group(1).decode("ascii").lower()
        if name in names and name not in found:
            found[name] = _unfold(line[match.end():])
    return found


def _split_as_before(raw: bytes, start: int, end: int, boundary: str) -> Iterator[tuple[int, int]]:
    try:
        delimiter = b"--" + boundary.encode("ascii")
    except UnicodeEncodeError:
        return
    if not 3 <= len(delimiter) <= 74:
        return
    position = start
    part_start: int | None = None
    while position < end:
        if position == start and raw.startswith(delimiter, start):
            found = start
        else:
            hit = raw.find(b"\n" + delimiter, position, end)
            if hit < 0:
                break
            found = hit + 1
        after = found + len(delimiter)
        line_end = raw.find(b"\n", after, end)
        line_end = end if line_end < 0 else line_end
        rest = raw[after:line_end].rstrip(b"\r")
        closing = rest.startswith(b"--")
        if (rest[2:] if closing else rest).strip(b" \t"):
            position = after
            continue
        if part_start is not None:
            part_end = found - 1
            if part_end > part_start and raw[part_end - 1:part_end] == b"\r":
                part_end -= 1
            yield part_start, max(part_start, part_end)
        if closing:
            return
        part_start = min(line_end + 1, end)
        position = part_start
    if part_start is not None and part_start < end:
        yield part_start, end


def _walk_as_before(message: Message) -> tuple[list[tuple[object, ...]], bool]:
    """(each part's fields, whether the walk stopped with parts left) as _walk gave them."""
    if message.body_start is None:
        return [], False
    raw = message.raw
    found: list[tuple[object, ...]] = []
    content_type, params = mime.parse_content_type(message.first("Content-Type") or "text/plain")
    encoding = (message.first("Content-Transfer-Encoding") or "7bit").strip().lower()
    top_disposition = message.first("Content-Disposition")
    stack: list[tuple[str, dict[str, str], str, str | None, int, int, int, int, str | None, bool]] = [
        (content_type, params, encoding, None, message.body_start, len(raw), 0, 0,
         mime._disposition_type(top_disposition) if top_disposition else None, True)]
    budget = mime.MAX_PARTS
    stopped = False
    while stack and budget > 0:
        content_type, params, encoding, filename, start, end, depth, head_start, disposition_type, worth = stack.pop()
        budget -= 1
        boundary = params.get("boundary")
        if content_type.startswith("multipart/") and boundary and depth < mime.MAX_DEPTH:
            found.append((content_type, params, encoding, filename, start, end, depth, head_start,
                          disposition_type, True, worth))
            default = "message/rfc822" if content_type == "multipart/digest" else "text/plain"
            siblings = _split_as_before(raw, start, end, boundary)
            children = list(itertools.islice(siblings, budget))
            if len(children) == budget and next(siblings, None) is not None:
                stopped = True
            for child_start, child_end in reversed(children):
                limit = min(child_end, child_start + 64 * 1024)
                header_end, found_body = _offsets_as_before(raw, child_start, limit)
                body_start = child_end if found_body is None else found_body
                head = raw[child_start:header_end]
                lowered = head.lower()
                child_worth = any(lowered.find(needle) >= 0 for needle in mime._WORTH_READING) or not (
                    default == "text/plain" or b"content-type" in lowered)
                values = _first_values_as_before(head, mime._PART_FIELDS)
                if values is None:
                    headers = parse_message(head)
                    values = {name: value for name in mime._PART_FIELDS for value in [headers.first(name)]
                              if value is not None}
                child_type, child_params = mime.parse_content_type(values.get("content-type") or default)
                if "/" not in child_type:
                    child_type = default
                disposition = values.get("content-disposition")
                parsed_disposition = mime.parse_content_type(disposition) if disposition else None
                name = (parsed_disposition[1].get("filename") if parsed_disposition else None) \
                    or child_params.get("name")
                child_encoding = (values.get("content-transfer-encoding") or "7bit").strip().lower()
                stack.append((child_type, child_params, child_encoding, name, body_start, child_end,
                              depth + 1, child_start, parsed_disposition[0][:40] or None if parsed_disposition else None,
                              child_worth))
            continue
        found.append((content_type, params, encoding, filename, start, end, depth, head_start, disposition_type,
                      False, worth))
    return found, stopped or bool(stack)


# --- Inputs ---------------------------------------------------------------------------------------


def _part(head: str, body: str = "text\n", end: str = "\n") -> str:
    return f"{head}{end}{end}{body}" if head else f"{end}{body}"


def _crafted() -> list[bytes]:
    """Multipart messages at the edges of the walk: line ends of every kind, heads with no empty
    line, empty heads, heads that start with a line end, long and non-ASCII heads, folded and
    repeated fields, invalid types, digests, nested multiparts, longer boundaries, closing lines
    with white space or text after them, no closing delimiter."""
    heads = [
        "Content-Type: text/plain; charset=utf-8",
        "Content-Type: text/plain; charset=utf-8",  # the same head again: from the cache
        "content-type: TEXT/HTML; Charset=\"iso-8859-1\"\nContent-Transfer-Encoding: Quoted-Printable",
        "Content-Type: application/pdf; name=\"doc.pdf\"\nContent-Transfer-Encoding: base64\n"
        "Content-Disposition: attachment",
        "Content-Type: application/octet-stream;\n name=\"report.eml\"\nContent-Disposition: ATTACHMENT;\n"
        "\tfilename*0=\"a\"; filename*1=\"b.exe\"",
        "Content-Type: message/rfc822",
        "Content-Type: text/rfc822-headers",
        "Content-Type: application/tlsrpt+gzip",
        "Content-Type: bogus",
        "Content-Type:",
        "Content-Disposition: inline; filename=x.msg",
        "X-Other: 1",
        "",
        "Content-Type: text/plain; name=\"caf\u00e9.txt\"",  # not ASCII: the full parse
        "Content-Type: text/plain; name=\"a\x00b\"",
        "Content-Type: text/plain\x1b$B",
        "Content-Type: text/plain\nContent-Type: text/html",
        "Content-Type: text/plain; name=" + "x" * 1500,  # too long to keep
        "not a field\nContent-Type: image/png",
        "Content-Type : image/gif ; name = \"p.gif\"",
        "Content-Type: multipart/alternative; boundary=inner\n",
    ]
    messages: list[bytes] = []
    for end in ("\n", "\r\n", "\r"):
        parts = []
        for head in heads:
            parts.append(_part(head.replace("\n", end), end=end))
        inner = f"--inner{end}{_part('Content-Type: text/plain', end=end)}--inner{end}" \
                f"{_part('Content-Type: text/html', end=end)}--inner--{end}"
        body = end.join(f"--b1{end}{p}" for p in parts)
        body += f"{end}--b1{end}Content-Type: multipart/alternative; boundary=inner{end}{end}{inner}"
        body += f"{end}--b1X{end}not a delimiter{end}--b1 \t{end}{_part('Content-Type: text/csv', end=end)}"
        body += f"{end}--b1-- trailing{end}--b1--  {end}epilogue{end}"
        for header in ("Content-Type: multipart/mixed; boundary=b1", "Content-Type: multipart/digest; boundary=b1",
                       "Content-Type: multipart/report; boundary=\"b1\"; report-type=delivery-status"):
            messages.append(f"From: a@example.com{end}{header}{end}{end}{body}".encode())
            messages.append(f"From: a@example.com{end}{header}{end}{end}{body[:len(body) // 2]}".encode())
        # A part head with no empty line after it, up to the end of the part; one starting with a
        # line end; a delimiter at the body's very start and one after a preamble.
        messages.append((f"Content-Type: multipart/mixed; boundary=b{end}{end}--b{end}Content-Type: text/plain"
                         f"{end}--b{end}{end}body{end}--b{end}\r\nx{end}--b--").encode())
        messages.append((f"Content-Type: multipart/mixed; boundary=b{end}{end}preamble{end}--b{end}"
                         f"Content-Type: text/html{end}{end}<p>{end}").encode())
    return messages


def _messages() -> list[Message]:
    from test_loader import _test_inputs

    inputs = [load_bytes(data).data for data in _test_inputs() if len(data) < 2_000_000]
    return [parse_message(data) for data in inputs + _crafted()]


# --- Tests ------------------------------------------------------------------------------------------


def _fields(part: mime._Part) -> tuple[object, ...]:
    return (part.content_type, part.params, part.encoding, part.filename, part.body_start, part.body_end,
            part.depth, part.head_start, part.disposition, part.container, part.worth)


def test_the_walk_gives_the_parts_it_gave_before() -> None:
    mime._part_heads.clear()
    messages = _messages()
    multipart = 0
    for message in messages:
        before, stopped = _walk_as_before(message)
        for _ in range(2):  # the second walk reads its part heads from the cache
            fresh = parse_message(message.raw)
            walked = mime._walk(fresh)
            assert [_fields(part) for part in walked] == before
            assert fresh.__dict__.get(mime._WALK_STOPPED, False) == stopped
        multipart += len(before) > 1
    assert multipart > 100


def test_a_callers_change_to_a_parts_parameters_stays_its_own() -> None:
    mime._part_heads.clear()
    head = b'Content-Type: text/plain; charset="utf-8"; format=flowed'
    first = mime._part_head(head, "text/plain")
    first[1]["charset"] = "changed"
    again = mime._part_head(head, "text/plain")
    assert again[1] == {"charset": "utf-8", "format": "flowed"}
    again[1]["format"] = "changed"
    assert mime._part_head(head, "text/plain")[1] == {"charset": "utf-8", "format": "flowed"}
    # The default type is part of the key: a digest's bare part is a message.
    assert mime._part_head(b"X-Other: 1", "message/rfc822")[0] == "message/rfc822"
    assert mime._part_head(b"X-Other: 1", "text/plain")[0] == "text/plain"
    long_head = b"Content-Type: text/plain; name=" + b"x" * 2000
    mime._part_head(long_head, "text/plain")
    assert (long_head, "text/plain") not in mime._part_heads


def test_the_part_head_cache_is_bounded() -> None:
    mime._part_heads.clear()
    for number in range(mime._MAX_PART_HEADS * 3):
        mime._part_head(f"Content-Type: text/plain; name=f{number}.txt".encode(), "text/plain")
        assert len(mime._part_heads) <= mime._MAX_PART_HEADS


def _fuzz_inputs() -> list[bytes]:
    generator = random.Random(7)
    alphabet = [b"\n", b"\r", b"\r\n", b"a", b" ", b"\t", b"-", b"--b", b"--bb", b"--b--", b":"]
    return [b"".join(generator.choice(alphabet) for _ in range(generator.randrange(0, 40))) for _ in range(4000)]


def test_header_offsets_are_the_ones_before() -> None:
    inputs = [*_fuzz_inputs(), b"", b"\n", b"\r\n", b"\r", b"a\n\n", b"a\r\n\r\n", b"a\n\r\nb", b"a\r\n\nb"]
    inputs.append(b"x" * 20000 + b"\n\r\n" + b"y")  # past the first window
    inputs.append(b"x" * 8190 + b"\n\n" + b"y")  # a blank line across the first window's end
    inputs.append(b"x" * 8189 + b"\n\r\n" + b"y")
    for data in inputs:
        for begin in (0, 1, 2, 3):
            for stop in (None, 0, 2, 5, len(data) - 1, len(data) + 3):
                assert header_body_offsets(data, begin, stop) == _offsets_as_before(data, begin, stop)


@pytest.mark.parametrize("boundary", ["b", "bb", "\u00e9", "x" * 71])
def test_the_split_gives_the_parts_it_gave_before(boundary: str) -> None:
    for data in _fuzz_inputs():
        for start, end in ((0, len(data)), (1, len(data)), (0, max(0, len(data) - 3))):
            assert list(mime._split_multipart(data, start, end, boundary)) == \
                list(_split_as_before(data, start, end, boundary))


def test_the_worth_search_is_the_finds() -> None:
    needles = mime._WORTH_READING
    for data in [*_fuzz_inputs(), *needles, b"x" + b"X".join(needles), b"message", b".em", b"ms-outloo"]:
        lowered = data.lower()
        assert (mime._worth_reading().search(lowered) is not None) == any(
            lowered.find(needle) >= 0 for needle in needles)
    assert mime._worth_reading().search(b"xeml") is None  # the dot of ".eml" is escaped
