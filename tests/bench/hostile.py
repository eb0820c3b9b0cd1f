"""Hostile-header costs: CPU seconds and peak memory of ``headerscope analyze --offline --format json``
on generated headers, each in its own process (``/usr/bin/time``), with the ratio of peak memory
over the input's size, the start-up's peak (a one-line message) subtracted.

    python tests/bench/hostile.py [--lines N] [--keep DIR]

Shapes: a header of N short fields (``a:``), N ``X-A: b`` fields, one field folded over N short
lines, and N unfolded ``Received:`` fields (55 bytes each: 55 MB for a million) before a body.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

_RECEIVED = b"Received: by b.example; Mon, 1 Jan 2024 00:00:00 +0000\n"


def shapes(lines: int) -> dict[str, bytes]:
    return {
        "tiny": b"From: a@example.com\nSubject: x\n\nbody\n",
        "short_fields": b"a:\n" * lines,
        "x_fields": b"From: a@example.com\n" + b"X-A: b\n" * lines,
        "folded": b"From: a@example.com\nX-A: b\n" + b" c\n" * lines + b"\nbody\n",
        "received": b"From: a@example.com\nTo: b@example.net\nSubject: x\n" + _RECEIVED * lines + b"\nbody\n",
    }


def measure(path: Path) -> tuple[float, int]:
    """(user + system CPU seconds, peak resident KB) of one analysis."""
    done = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", sys.executable, "-m", "headerscope", "analyze",
                           str(path), "--offline", "--format", "json"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    user, system, peak = done.stderr.decode().strip().splitlines()[-1].split()
    return float(user) + float(system), int(peak)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="write the inputs here (default: a temporary directory)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        base = 0
        print(f"{'shape':14} {'MB':>7} {'CPU s':>7} {'peak MB':>8} {'extra/size':>10}")
        for name, data in shapes(args.lines).items():
            path = folder / f"{name}.eml"
            path.write_bytes(data)
            cpu, peak = measure(path)
            if name == "tiny":
                base = peak
            ratio = (peak - base) * 1024 / len(data) if name != "tiny" else 0.0
            print(f"{name:14} {len(data) / 1e6:7.2f} {cpu:7.2f} {peak / 1024:8.1f} {ratio:10.1f}")


if __name__ == "__main__":
    main()
