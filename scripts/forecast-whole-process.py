#!/usr/bin/env python3
"""Times the whole `fulcrum forecast` process against the SIMD-lanes bound as a whole process
(`examples/lanes_bound.rs`: the bench's lanes kernel on the same question, nothing else), in
turn, A B A B ..., and prints the median of each and of the ratio pair by pair, so that a
machine whose speed drifts during the run still gives a fair ratio.

  cargo build --release && cargo build --release --example lanes_bound
  scripts/forecast-whole-process.py              # 10 pairs, the calibrated method
  scripts/forecast-whole-process.py -n 20 --method iid

Wall seconds are a monotonic clock around start and exit; CPU seconds are the operating
system's accounting of the finished child (user + system). The forecast writes its folder
(CSV, charts, report, JSON) into a temporary directory, replacing the previous run's, as a
user's repeated forecast does.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

W1 = "3,5,2,6,4,4,7,1,5,3,6,4,2,5,8,3,4,6,5,2,4,7,3,5,4,6"


def timed(command):
    """Wall and CPU seconds of one run of `command` (its output thrown away)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed")
    return wall, usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=10, help="pairs timed (default 10)")
    parser.add_argument("--method", default="calibrated", choices=["calibrated", "iid"])
    parser.add_argument("--trials", default="1000000")
    parser.add_argument("--target", default="target/release", help="where the binaries are")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        forecast = [
            f"{args.target}/fulcrum", "forecast", "--history", W1, "--backlog", "200",
            "--horizon", "26", "--trials", args.trials, "--method", args.method,
            "--out", f"{tmp}/forecast", "-q",
        ]
        bound = [
            f"{args.target}/examples/lanes_bound", "--method", args.method,
            "--trials", args.trials,
        ]
        timed(forecast), timed(bound)  # warm-up: caches, the first results folder
        pairs = [(timed(forecast), timed(bound)) for _ in range(args.n)]
    print(f"{args.n} pairs, method {args.method}, {args.trials} trials; medians (min–max)")
    rows = [
        ("forecast wall s", [a[0] for a, _ in pairs]),
        ("bound wall s", [b[0] for _, b in pairs]),
        ("forecast cpu s", [a[1] for a, _ in pairs]),
        ("bound cpu s", [b[1] for _, b in pairs]),
        ("wall ratio", [a[0] / b[0] for a, b in pairs]),
        ("cpu ratio", [a[1] / b[1] for a, b in pairs]),
    ]
    for name, values in rows:
        print(f"{name:16} {statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})")


if __name__ == "__main__":
    main()
