#!/usr/bin/env python3
"""The held-out bar of `fulcrum calibrate` (issue 30), measured.

For each of N histories: draw known constants (one item team, a debt-ceiling policy, 78 to
104 weekly periods), run the history with fulcrum's own `run` (one trial), write what a
tracker would show as a generic CSV export (one item per bucket and period whose points are
the work finished: product = product days, tech = paydown + idle + tech days, bugs = incident
days), calibrate it, and score:

- coverage: the share of parameter x history pairs whose true value lies inside the posterior's
  90% interval (bar: at least 80%);
- narrowing: posterior 90% width / prior 90% width of the share of capacity lost to debt at
  the end of the history (bar: at most 0.5, i.e. narrowed at least 2x), and whether its true
  value is inside.

Usage: scripts/heldout-calibration.py [HISTORIES] [--seed S] [--keep DIR]
(default 8 histories, seed 1; needs target/release/fulcrum: `cargo build --release`).
"""

import argparse
import csv
import datetime
import json
import pathlib
import random
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
FULCRUM = ROOT / "target" / "release" / "fulcrum"
START = datetime.date(2027, 1, 4)  # a Monday: weekly periods run Monday to Sunday

PARAMETERS = [
    "debt_initial", "interest", "accrual", "paydown_efficiency", "drag_max", "drag_half",
    "base_rate", "debt_sensitivity", "cost", "throughput", "throughput_cv",
]


def constants(rng):
    """Known constants a team could have: inside the calibration prior's support."""
    throughput = rng.uniform(20, 40)
    drag_max = rng.uniform(0.35, 0.65)
    drag_half = throughput * rng.uniform(3, 20)
    drag_now = rng.uniform(0.12, 0.35)
    position = min(drag_now / drag_max, 0.8)
    debt_initial = drag_half * position / (1 - position)
    cost = rng.uniform(0.6, 1.8)
    growth = rng.uniform(0.2, 1.2)
    ktlo = throughput * rng.uniform(0.05, 0.15)
    rate_now = ktlo / cost
    return {
        "debt_initial": debt_initial,
        "interest": rng.uniform(0.002, 0.025),
        "accrual": rng.uniform(0.08, 0.3),
        "paydown_efficiency": rng.uniform(0.6, 1.4),
        "drag_max": drag_max,
        "drag_half": drag_half,
        "base_rate": rate_now / (1 + growth),
        "debt_sensitivity": growth / debt_initial,
        "cost": cost,
        "throughput": throughput,
        "throughput_cv": rng.uniform(0.08, 0.3),
        "periods": rng.choice([78, 91, 104]),
        "ceiling": debt_initial * rng.uniform(0.8, 1.2),
        "above": rng.uniform(0.25, 0.4),
        "below": rng.uniform(0.05, 0.15),
    }


def scenario(c):
    return f"""[scenario]
name = "heldout"
periods = {c['periods']}
period = "1w"
trials = 1
seed = 7

[okrs]
blend = 0.5

[[okrs.key_results]]
id = "roadmap"
owner = "product"
target = 1.0
deadline = {c['periods']}

[debt]
interest = {c['interest']}
accrual = {c['accrual']}
paydown_efficiency = {c['paydown_efficiency']}
drag_max = {c['drag_max']}
drag_half = {c['drag_half']}

[incidents]
base_rate = {c['base_rate']}
debt_sensitivity = {c['debt_sensitivity']}
cost = {c['cost']}

[[teams]]
name = "heldout"
capacity = {{ normal = [{c['throughput']}, {c['throughput_cv'] * c['throughput']}] }}
debt_initial = {c['debt_initial']}

[[initiatives]]
id = "product-work"
kind = "product"
team = "heldout"
effort = 900000
contributes = {{ roadmap = 1.0 }}

[[strategies]]
name = "ceiling"
rule = "debt_ceiling"
ceiling = {c['ceiling']}
above = {c['above']}
below = {c['below']}
"""


def periods_of(run_dir):
    """Per period: the trial's metrics (one trial: the mean is the trial's value)."""
    rows = {}
    with open(run_dir / "periods.csv") as f:
        for r in csv.DictReader(f):
            rows.setdefault(int(r["period"]), {})[r["metric"]] = float(r["mean"])
    return [rows[t] for t in sorted(rows)]


def export(periods, path):
    """A generic CSV export: one item per bucket and period, its points the work finished."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "team", "type", "labels", "created", "started", "done", "points"])
        n = 0
        for t, m in enumerate(periods):
            day = START + datetime.timedelta(weeks=t, days=2)
            work = [
                ("Story", "", m["product_days"]),
                ("Task", "tech-debt", m["paydown_days"] + m["idle_days"] + m["tech_days"]),
                ("Bug", "", m["incident_days"]),
            ]
            for kind, labels, points in work:
                if points > 1e-9:
                    n += 1
                    w.writerow([f"H-{n}", "heldout", kind, labels, day, day, day, f"{points:.6f}"])
    return START + datetime.timedelta(weeks=len(periods)) - datetime.timedelta(days=1)


def run(args, **kw):
    out = subprocess.run([str(FULCRUM), *args], capture_output=True, text=True, **kw)
    if out.returncode != 0:
        sys.exit(f"fulcrum {' '.join(args)} failed:\n{out.stderr}")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("histories", nargs="?", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=pathlib.Path)
    opts = parser.parse_args()
    rng = random.Random(opts.seed)
    work = opts.keep or pathlib.Path(tempfile.mkdtemp(prefix="heldout-"))
    work.mkdir(parents=True, exist_ok=True)
    inside = pairs = narrowed = drag_inside = 0
    print(f"{'history':>7} {'periods':>7} {'inside 90%':>10} {'drag end true':>13} "
          f"{'posterior 90%':>15} {'width/prior':>11}  outside")
    for h in range(opts.histories):
        c = constants(rng)
        folder = work / f"h{h + 1}"
        folder.mkdir(exist_ok=True)
        (folder / "scenario.toml").write_text(scenario(c))
        run(["run", "scenario.toml", "--out", "run", "--force"], cwd=folder)
        periods = periods_of(folder / "run")
        until = export(periods, folder / "export.csv")
        run(["calibrate", "export.csv", "--weight", "points", "--until", str(until),
             "--out", "fit", "--force", "--seed", str(h + 1)], cwd=folder)
        fit = json.loads((folder / "fit" / "calibration.json").read_text())["teams"][0]
        if len(fit["observed"]["product"]) != c["periods"]:
            sys.exit(f"history {h + 1}: calibrated {len(fit['observed']['product'])} periods "
                     f"of {c['periods']}")
        outside = []
        for p in fit["parameters"]:
            lo, _, hi = p["posterior"]
            truth = c[p["parameter"]]
            pairs += 1
            if lo <= truth <= hi:
                inside += 1
            else:
                outside.append(p["parameter"])
        end = fit["drag"][1]
        true_drag = c["drag_max"] * periods[-1]["debt"] / (periods[-1]["debt"] + c["drag_half"])
        lo, _, hi = end["posterior"]
        drag_inside += lo <= true_drag <= hi
        narrowed += end["ratio"] <= 0.5
        share = (len(PARAMETERS) - len(outside)) / len(PARAMETERS)
        print(f"{h + 1:>7} {c['periods']:>7} {share:>10.2f} {true_drag:>13.3f} "
              f"{lo:>7.3f}-{hi:<7.3f} {end['ratio']:>11.2f}  {', '.join(outside)}")
    print(f"\ncoverage: {inside} of {pairs} parameter x history pairs inside the 90% interval "
          f"({inside / pairs:.1%}; bar 80%)")
    print(f"drag at the end: narrowed at least 2x in {narrowed} of {opts.histories} histories; "
          f"true value inside its 90% interval in {drag_inside} of {opts.histories}")
    print(f"(files in {work})")


if __name__ == "__main__":
    main()
