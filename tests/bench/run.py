"""Benchmarks for issue 5's targets; prints figures (median of several runs), asserts nothing.

    python tests/bench/run.py [--messages 1000] [--long-messages 4000] [--runs 5] [--big-mb 50] [--mbox-gb 0]

1. cold start: `headerscope analyze one.eml --dns-snapshot ...` as a new process (wall time);
2. scan throughput with --jobs 1 and --jobs 2 (messages per second, and the ratio), on the
   corpus and on a longer mailbox of distinct messages from the same generator, where the
   start-up (about 0.2 s) weighs less;
3. one 50 MB message: wall time and peak memory (max RSS) of the process;
4. with --mbox-gb N: an N GB mbox (the corpus repeated) scanned to JSONL: peak memory.
The corpus is made by make_corpus.py (keys it creates, DNS from its snapshot).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))
from timing import REFERENCE_SECONDS, slowdown  # noqa: E402  (tests/timing.py)


def headerscope_cmd() -> list[str]:
    script = Path(sys.executable).with_name("headerscope")
    return [str(script)] if script.exists() else [sys.executable, "-m", "headerscope"]


def timed(cmd: list[str], stdout: int | None = subprocess.DEVNULL) -> tuple[float, float]:
    """Wall seconds and the child's peak RSS in MB (via wait4, so only this child counts).

    The CPU seconds (user + system, children included) go to CPU_SECONDS: on a shared
    machine they vary much less than wall time."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    before = os.times()
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    after = os.times()
    # wait4's usage covers the child alone; os.times() also counts its worker processes.
    CPU_SECONDS.append(after.children_user + after.children_system
                       - before.children_user - before.children_system)
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
    return elapsed, usage.ru_maxrss / 1024


CPU_SECONDS: list[float] = []


def timed_together(cmd: list[str], copies: int) -> float:
    """Wall seconds for `copies` runs of cmd started at the same time, until the last ends."""
    started = time.perf_counter()
    procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "NO_COLOR": "1"}) for _ in range(copies)]
    for proc in procs:
        if proc.wait() not in (0, 3):
            raise SystemExit(f"failed: {' '.join(cmd)}")
    return time.perf_counter() - started


def median_run(cmd: list[str], runs: int) -> tuple[float, float]:
    results = [timed(cmd) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def median_cpu(runs: int) -> float:
    """Median CPU seconds of the last `runs` timed commands."""
    return statistics.median(CPU_SECONDS[-runs:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big-mb", type=int, default=50)
    parser.add_argument("--mbox-gb", type=float, default=0.0)
    parser.add_argument("--long-messages", type=int, default=4000,
                        help="messages in the longer mailbox (0: skip; generated once, about 25 s per 1,000)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    out: Path = args.out
    if not (out / "corpus.mbox").exists() or not (out / "big50.eml").exists():
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), "--messages", str(args.messages),
                        "--out", str(out), "--big-mb", str(args.big_mb)], check=True)
    hs = headerscope_cmd()
    # An installed wheel has its bytecode compiled by pip; a fresh clone (or an environment
    # with PYTHONDONTWRITEBYTECODE set) would otherwise compile every module on every start.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "headerscope")], check=True,
                   env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]} ({sys.executable}), "
          f"load {os.getloadavg()[0]:.1f}")
    print(machine_speed("before"))

    # 1. cold start of one analysis (terminal output, DNS snapshot beside the message)
    timed([*hs, "analyze", str(out / "one.eml")])  # warm the OS file cache once
    wall, rss = median_run([*hs, "analyze", str(out / "one.eml")], args.runs)
    print(f"analyze one message, cold start: {wall:.3f} s median of {args.runs} (target < 0.25 s), "
          f"CPU {median_cpu(args.runs):.3f} s, peak {rss:.0f} MB")
    wall, rss = median_run([*hs, "analyze", str(out / "one.eml"), "--format", "json"], args.runs)
    print(f"analyze one message to JSON, cold start: {wall:.3f} s median, CPU {median_cpu(args.runs):.3f} s")

    # 2. scan throughput
    count = sum(1 for line in (out / "corpus.mbox").open("rb") if line.startswith(b"From "))
    scan = [*hs, "scan", str(out / "corpus.mbox"), "--dns-snapshot", str(out / "corpus.dns.json"), "--format", "jsonl"]
    rates = {}
    scan_runs = max(3, args.runs)
    # The --jobs 1 and --jobs 2 runs alternate: the machine's speed drifts from one minute to
    # the next, and a ratio of two medians taken minutes apart would measure the drift too.
    # Between them, two --jobs 1 scans run at the same time: how much faster two independent
    # processes go than one on this machine is the most --jobs 2 can reach here.
    results: dict[int, list[tuple[float, float, float]]] = {1: [], 2: []}
    pairs: list[float] = []
    for _ in range(scan_runs):
        for jobs in (1, 2):
            wall, rss = timed([*scan, "--jobs", str(jobs)])
            results[jobs].append((wall, rss, CPU_SECONDS[-1]))
        pairs.append(timed_together([*scan, "--jobs", "1"], 2))
    for jobs in (1, 2):
        wall = statistics.median(r[0] for r in results[jobs])
        cpu = statistics.median(r[2] for r in results[jobs])
        rss = max(r[1] for r in results[jobs])
        rates[jobs] = count / wall
        print(f"scan --jobs {jobs}: {count} messages in {wall:.2f} s = {rates[jobs]:.0f} messages/s, "
              f"CPU {cpu:.2f} s ({count / cpu:.0f} messages per CPU second), peak {rss:.0f} MB "
              f"(median of {scan_runs})")
    print(f"scan --jobs 2 / --jobs 1: {rates[2] / rates[1]:.2f}x (target >= 1.7x; jobs 1 target >= 400/s)")
    together = 2 * count / statistics.median(pairs)
    print(f"two --jobs 1 scans at once: {together:.0f} messages/s together = {together / rates[1]:.2f}x one "
          f"(this machine's ceiling for two processes)")

    # 2b. the same on a longer mailbox: a scan's start-up is a smaller part of it
    if args.long_messages > 0:
        long_out = out / f"long{args.long_messages}"
        if not (long_out / "corpus.mbox").exists():
            subprocess.run([sys.executable, str(HERE / "make_corpus.py"), "--messages", str(args.long_messages),
                            "--out", str(long_out), "--big-mb", "1"], check=True)
        long_scan = [*hs, "scan", str(long_out / "corpus.mbox"), "--dns-snapshot", str(long_out / "corpus.dns.json"),
                     "--format", "jsonl"]
        long_walls: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(max(3, args.runs // 2)):
            for jobs in (1, 2):
                long_walls[jobs].append(timed([*long_scan, "--jobs", str(jobs)])[0])
        long_rates = {jobs: args.long_messages / statistics.median(walls) for jobs, walls in long_walls.items()}
        print(f"longer mailbox ({args.long_messages} messages): --jobs 1 {long_rates[1]:.0f} messages/s, "
              f"--jobs 2 {long_rates[2]:.0f} messages/s = {long_rates[2] / long_rates[1]:.2f}x "
              f"(median of {len(long_walls[1])})")

    # 3. one large message
    size_mb = (out / "big50.eml").stat().st_size / 1024 / 1024
    big_runs = max(1, args.runs // 2)
    wall, rss = median_run([*hs, "analyze", str(out / "big50.eml"), "--format", "json"], big_runs)
    print(f"analyze a {size_mb:.0f} MB message: {wall:.2f} s (target < 2 s), CPU {median_cpu(big_runs):.2f} s, "
          f"peak {rss:.0f} MB "
          f"({rss / size_mb:.1f}x the message; target < 4x)")

    # 4. a large mbox streamed to JSONL
    if args.mbox_gb > 0:
        big_mbox = out / "big.mbox"
        corpus = (out / "corpus.mbox").read_bytes()
        target = int(args.mbox_gb * 1024**3)
        with big_mbox.open("wb") as handle:
            written = 0
            while written < target:
                handle.write(corpus)
                written += len(corpus)
        wall, rss = timed([*hs, "scan", str(big_mbox), "--dns-snapshot", str(out / "corpus.dns.json"),
                           "--format", "jsonl", "-o", os.devnull])
        print(f"scan a {written / 1024**3:.1f} GB mbox to JSONL: {wall:.0f} s, peak {rss:.0f} MB (must not grow with the mailbox)")
        big_mbox.unlink()
    print(machine_speed("after"))


def machine_speed(when: str) -> str:
    """How fast this machine runs Python now: the fixed work of tests/timing.py against its usual
    time. A shared virtual machine runs the same code up to twice as slowly in some minutes, and
    every figure above moves with it; this line says which kind of minute they were taken in."""
    factor = slowdown()
    return (f"machine speed {when}: the reference work took {factor * REFERENCE_SECONDS:.3f} s, "
            f"{factor:.2f}x its usual {REFERENCE_SECONDS} s (1.00 = usual speed or faster)")


if __name__ == "__main__":
    main()
