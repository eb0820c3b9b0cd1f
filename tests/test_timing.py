"""The time-limit helper of the hostile-input tests stretches a limit only as far as the machine is slow now."""

import time

import pytest
from timing import assert_within, slowdown


def test_a_block_within_its_limit_passes() -> None:
    assert_within(time.perf_counter(), 5.0)


def test_a_block_far_over_its_limit_fails_however_slow_the_machine_is() -> None:
    # 1,000 times the limit: no slow minute of a virtual machine stretches that far.
    assert slowdown() < 1_000
    with pytest.raises(AssertionError, match=r"the limit is 0\.1 s"):
        assert_within(time.perf_counter() - 100.0, 0.1)
