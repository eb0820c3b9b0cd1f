"""Fast paths of the hop chain and the Received parser against their plain readings.

* ``_parse_fast_timed`` unpacks ``_FAST_RE``'s groups by position and writes the ISO
  timestamp from the digits it read: checked against ``groupdict`` order and against
  ``datetime.isoformat`` on many dates (zones, "-0000", leap seconds, one-digit days).
* ``hops._date_before_by`` skips the "by" regex when " by " stands before the first colon.
* ``hops._statement_ip`` skips the client-ip regex for ASCII text without "ip".
* Patterns compiled on first use are the patterns, compiled once.
"""

from __future__ import annotations

import random
import re

import pytest
from conftest import CORPUS

from headerscope import hops, received
from headerscope.message import parse_message


def _sample_received_values() -> list[str]:
    """Received values of the shared corpus's messages."""
    values: list[str] = []
    for path in sorted((CORPUS / "messages").rglob("*")):
        if path.is_file() and path.stat().st_size < 2_000_000:
            values += [h.value for h in parse_message(path.read_bytes()).all("Received")]
    return values


def test_fast_groups_are_unpacked_in_pattern_order() -> None:
    assert received._FAST_RE.groups == len(received._FAST_GROUPS)
    assert tuple(received._FAST_RE.groupindex) == received._FAST_GROUPS
    assert list(received._FAST_RE.groupindex.values()) == list(range(1, received._FAST_RE.groups + 1))


def _header(date: str) -> str:
    return ("from out.b.example (out.b.example [192.0.2.35]) by mx.a.example (Postfix) with ESMTPS "
            f"id 966F58A359 for <u@a.example>; {date}")


def test_fast_timestamp_text_is_isoformat() -> None:
    rng = random.Random(5)
    months = ["Jan", "feb", "MAR", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Foo"]
    dates = ["Mon, 02 Nov 2026 08:00:37 -0000", "2 Nov 2026 08:00:60 +0000", "31 Dec 9999 23:59:59 -2359",
             "1 Jan 0001 00:00:00 +0000", "01 Jan 0001 00:00:00 +0100", "29 Feb 2023 10:00:00 +0000",
             "0 Jan 2020 10:00:00 +0000", "10 Jan 0000 10:00:00 +0000", "10 Jan 2020 24:00:00 +0000",
             "10 Jan 2020 10:00:00 +2400", "10 Jan 2020 10:00:00 -0060", "10 Jan 2020 10:00:00 (UTC)"]
    for _ in range(3000):
        zone = f"{rng.choice('+-')}{rng.randint(0, 25):02d}{rng.choice([0, 0, 30, 45, 59, 60]):02d}"
        day = str(rng.randint(0, 32))
        if rng.random() < 0.3 and len(day) == 1:
            day = "0" + day
        comment = rng.choice(["", "", " (PST)", " (UTC)"])
        dates.append(f"{rng.choice(['', 'Tue, '])}{day} {rng.choice(months)} {rng.randint(0, 9999):04d} "
                     f"{rng.randint(0, 24):02d}:{rng.randint(0, 60):02d}:{rng.randint(0, 61):02d} {zone}{comment}")
    read = 0
    for date in dates:
        fast = received._parse_fast_timed(_header(date))
        if fast is None:
            continue
        read += 1
        fields, moment = fast
        assert fields.timestamp == moment.isoformat(), date
        assert fields == received._parse(_header(date)), date
    assert read > 1000


def _date_before_by_cases() -> list[str]:
    cases = [v[:hops._SCAN_LIMIT] for v in _sample_received_values()]
    assert len(cases) > 100
    cases += ["from x ([Sun, 07 Jan 2018 00:03:41 -1100]) by y; Sun, 07 Jan 2018 00:03:41 -1100",
              "from x (7 Jan 2018 00:03) BY y", "from x (7 Jan 2018 00:03)\tby y", "from 7 jan 18 1:00 by",
              "by x: 7 Jan 2018 00:03", "from a:b by c", "from x (7 Jan 2018 00:03) by", "nobyhere 7 jan 18 1:00",
              "from x by:7 Jan 2018 00:03", " by : 7 jan 2018 1:00", "x_by 7 jan 2018 1:00 by y", "ab by: x"]
    rng = random.Random(7)
    pieces = ["from", "by", "BY", "bY", " ", "\t", ":", "7 Jan 2018 00:03", "x", "_", "é", "ʙʏ", "(", ")",
              "12", "dec", " by ", "by:", ":by", "1:00"]
    cases += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(5000)]
    return cases


def test_date_before_by_matches_plain() -> None:
    cases = _date_before_by_cases()
    assert [hops._date_before_by(t) for t in cases] == [hops._date_before_by_plain(t) for t in cases]
    assert any(hops._date_before_by(t) for t in cases)


def test_statement_ip_matches_regex() -> None:
    cases = ["mx.a.example; spf=pass smtp.mailfrom=a@b.example", "pass client-ip=192.0.2.1;",
             "x; spf=pass smtp.remote-ip=192.0.2.1", "x; iprev=pass policy.iprev=2001:db8::1",
             "CLIENT-IP=1.2.3.4", "cLiEnT-Ip = \"[1.2.3.4]", "client-ıp=1.2.3.4", "clİent-ip=1.2.3.4",
             "smtp.client-ip=1.2.3.4 é", "", "ip", "client-ip"]
    rng = random.Random(3)
    pieces = ["client", "-", "ip", "IP", "Ip", "=", " ", "1.2.3.4", "smtp.", "remote", "policy.", "iprev",
              "ı", "İ", "é", ";", "\"", "["]
    cases += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 10))) for _ in range(5000)]
    for value in cases:
        fast = hops._statement_ip(value)
        plain = hops._STATEMENT_IP.search(value)
        assert (fast and (fast.span(), fast.groups())) == (plain and (plain.span(), plain.groups())), value


@pytest.mark.parametrize("getter", [
    received._token_re, received._paren_re, received._time_re, received._qmail_re, hops._date_like_re,
    hops._known_protocol_re, hops._spf_receiver_re,
])
def test_patterns_compiled_on_first_use_are_compiled_once(getter: object) -> None:
    assert callable(getter)
    pattern = getter()
    assert isinstance(pattern, re.Pattern)
    assert getter() is pattern


def test_chain_unchanged_by_fast_paths() -> None:
    """The whole chain with the fast paths equals the chain with each replaced by its plain
    reading, on the shared corpus's messages and the samples."""
    from datetime import datetime, timezone

    from conftest import SAMPLES

    from headerscope.loader import load_bytes

    now = datetime(2026, 11, 28, tzinfo=timezone.utc)
    paths = [p for p in sorted((CORPUS / "messages").rglob("*")) if p.is_file() and p.stat().st_size < 2_000_000]
    paths += sorted(SAMPLES.glob("*.eml"))
    messages = [parse_message(load_bytes(path.read_bytes(), source=path.name).data) for path in paths]
    assert sum(len(m.all("Received")) for m in messages) >= 150
    fast = [hops.build_chain(m, None, now) for m in messages]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(hops, "_date_before_by", hops._date_before_by_plain)
        mp.setattr(hops, "_statement_ip", hops._STATEMENT_IP.search)
        mp.setattr(received, "_SHAPES", {})
        mp.setattr(received, "_parse_fast_timed", lambda text: None)
        plain = [hops.build_chain(m, None, now) for m in messages]
    assert fast == plain
