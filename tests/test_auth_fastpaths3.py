"""Authentication fast paths (third round) against their plain forms: the memo of _iso's texts."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from headerscope.auth import dkim as dkim_check


def _plain_iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_iso_memo_gives_each_moment_its_own_text() -> None:
    zones = [timezone.utc, timezone(timedelta(0)), timezone(timedelta(hours=2)),
             timezone(timedelta(hours=-7, minutes=-30))]
    rng = random.Random(21)
    moments = [datetime.fromtimestamp(rng.randrange(0, 4_000_000_000), tz=rng.choice(zones)) for _ in range(700)]
    # Equal instants in other zones (equal datetimes, other texts before conversion) and the edges.
    moments += [moments[0].astimezone(zone) for zone in zones]
    moments += [datetime(1, 1, 1, 12, tzinfo=timezone.utc), datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc),
                datetime(999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)]
    # More moments than the memo holds, each asked several times in a shuffled order: every
    # answer is that moment's own, from the memo or after it was cleared.
    order = moments * 3
    rng.shuffle(order)
    for moment in order:
        assert dkim_check._iso(moment) == _plain_iso(moment), moment
    assert len(dkim_check._iso) <= dkim_check._iso.limit
