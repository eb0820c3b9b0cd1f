"""Fast paths of the MIME readers checked against their plain versions: the parsed Content-Type
cache, and the per-message caches and narrowed searches of the carried-message readers."""

from __future__ import annotations

from headerscope import mime


def test_a_cached_content_type_is_the_parse_and_a_callers_change_stays_its_own() -> None:
    value = 'multipart/mixed; boundary="b0e8e2329b2609a0b"; charset*=utf-8\'\'%C3%A9'
    first = mime.parse_content_type(value)
    assert first == mime._parse_content_type(value) == ("multipart/mixed",
                                                          {"boundary": "b0e8e2329b2609a0b", "charset": "é"})
    first[1]["boundary"] = "changed"  # a caller's own copy
    assert mime.parse_content_type(value) == mime._parse_content_type(value)
    # A long value is parsed each time, not kept.
    long_value = "text/plain; name=" + "x" * 1000
    assert mime.parse_content_type(long_value) == mime._parse_content_type(long_value)
    assert long_value not in mime._parsed_types
