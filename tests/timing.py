"""Time limits for the tests that guard against input of quadratic or exponential cost.

Such a test gives a limit many times what the work takes, so that a regression (a regex that
backtracks, a loop over a loop) fails it by minutes, not by a fraction. The machine's own speed
still varies: a virtual machine shared with other work runs the same Python code up to three
times slower in some minutes. When a block overruns its limit, the same fixed piece of Python
work is timed at once, and the limit is stretched by how much slower it runs than on this
project's machine at its usual speed: a slow minute is not a regression, a quadratic path still
fails. Performance targets are not asserted here: tests/bench/ prints them.
"""

from __future__ import annotations

import time

# Seconds the fixed work (_reference_work) takes on this project's 2-core machine at its usual
# speed (measured 0.040-0.064 s with one other process running; 0.04-0.11 s under a load of 9).
REFERENCE_SECONDS = 0.04


def _reference_work() -> float:
    """Seconds a fixed mix of Python work takes now (the fastest of three runs)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        table: dict[str, int] = {}
        total = 0
        for number in range(100_000):
            total += number * number % 7
            table[str(number)] = total
        best = min(best, time.perf_counter() - started)
    return best


def slowdown() -> float:
    """How many times slower than usual this machine runs Python now (at least 1)."""
    return max(1.0, _reference_work() / REFERENCE_SECONDS)


def assert_within(started: float, limit: float) -> None:
    """Assert that the work begun at ``started`` (``time.perf_counter()``) took less than
    ``limit`` seconds, stretched by the machine's slowdown of the moment when it did not."""
    elapsed = time.perf_counter() - started
    if elapsed < limit:
        return
    factor = slowdown()
    assert elapsed < limit * factor, f"took {elapsed:.2f} s: the limit is {limit} s ({limit * factor:.2f} s with the machine {factor:.1f}x slower than usual now)"
