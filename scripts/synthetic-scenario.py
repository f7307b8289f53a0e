#!/usr/bin/env python3
"""Writes a synthetic scenario of TEAMS teams, INITIATIVES initiatives (in all, dealt out to
the teams in turn) and PERIODS periods to stdout: the organisation `benches/allocate.rs`
plans (six engineers a team, about 1.3 times as much work as capacity, drag and incidents
growing with debt, delivery and debt key results, an `optimised` strategy), for measuring
what the allocator costs at a size (`/usr/bin/time -v fulcrum plan ...`).

  scripts/synthetic-scenario.py 100 2000 520 --chain > big.toml

--chain makes each team's initiatives one chain of `after` (each waits for the one before);
without it every fifth initiative waits for the one before it, as in the bench. --fixed gives
it a fixed-share strategy instead of `optimised`, to measure the simulation without planning.
"""

import argparse
import sys

PRODUCT_KRS = 3
TECH_KRS = 2


def is_tech(i):
    return i % 4 == 3


def contribution(j, i):
    """The delivery key result initiative i of team j contributes to, if any."""
    if i % 2 == 1 and not is_tech(i):
        return None
    n = j * 7 + i
    return f"tech-{n % TECH_KRS}" if is_tech(i) else f"product-{n % PRODUCT_KRS}"


def scenario(teams, initiatives, periods, chain, fixed):
    out = [
        "[scenario]",
        f'name = "synthetic-{teams}x{initiatives}x{periods}"',
        f"periods = {periods}",
        'period = "2w"',
        "",
        "[okrs]",
        "blend = 0.6",
    ]
    for k in range(PRODUCT_KRS):
        out += [
            "",
            "[[okrs.key_results]]",
            f'id = "product-{k}"',
            'owner = "product"',
            f"target = {max(initiatives // (2 * PRODUCT_KRS), 1)}",
            f"weight = {1 + k}",
            f"deadline = {periods * (k + 2) // (PRODUCT_KRS + 1)}",
        ]
    for k in range(TECH_KRS):
        out += [
            "",
            "[[okrs.key_results]]",
            f'id = "tech-{k}"',
            'owner = "technology"',
            f"target = {max(initiatives // (4 * TECH_KRS), 1)}",
            f"deadline = {periods}",
        ]
    out += [
        "",
        "[[okrs.key_results]]",
        'id = "debt-down"',
        'owner = "technology"',
        'metric = "debt"',
        f"below = {300 * teams}",
        f"deadline = {periods}",
        "",
        "[debt]",
        "initial = 400.0",
        'interest = "0.5% to 1.5%"',
        'accrual = "0.1 to 0.3"',
        'paydown_efficiency = "0.7 to 1.0"',
        "drag_max = 0.5",
        "drag_half = 900.0",
        "",
        "[incidents]",
        'base_rate = "0.3 to 1.0"',
        "debt_sensitivity = 0.0015",
        'cost = "1 to 4"',
    ]
    for j in range(teams):
        out += [
            "",
            "[[teams]]",
            f'name = "team-{j}"',
            "engineers = 6",
            "days_per_engineer = 8",
            'availability = "0.8 to 0.95"',
            f"debt_initial = {300 + 50 * (j % 5)}",
        ]
    # Six engineers at 8 days and ~0.875 availability: 42 days a period per team.
    per_team = max(initiatives / teams, 1)
    effort = 1.3 * 42.0 * periods / per_team
    previous = {}
    for n in range(initiatives):
        j, i = n % teams, n // teams
        low = effort * (0.6 + 0.1 * (i % 5))
        out += [
            "",
            "[[initiatives]]",
            f'id = "t{j}-i{i}"',
            f'kind = "{"tech" if is_tech(i) else "product"}"',
            f'team = "team-{j}"',
            f'effort = "{low:.0f} to {1.6 * low:.0f}"',
            f"max_engineers = {2 + i % 3}",
        ]
        kr = contribution(j, i)
        if kr:
            out.append(f"contributes = {{ {kr} = 1.0 }}")
        if j in previous and (chain or i % 5 == 4):
            out.append(f'after = ["{previous[j]}"]')
        if is_tech(i):
            out.append(f'on_done = {{ debt = -{40 + 10 * (i % 4)}, incident_rate = "-10%" }}')
        previous[j] = f"t{j}-i{i}"
    if fixed:
        out += ["", "[[strategies]]", 'name = "80/20"', 'rule = "fixed_share"', "tech_share = 0.2"]
    else:
        out += [
            "",
            "[[strategies]]",
            'name = "optimised"',
            'rule = "optimised"',
            "min_tech_share = 0.1",
            "max_tech_share = 0.6",
        ]
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("teams", type=int)
    parser.add_argument("initiatives", type=int, help="initiatives in all")
    parser.add_argument("periods", type=int)
    parser.add_argument("--chain", action="store_true", help="chain each team's initiatives")
    parser.add_argument(
        "--fixed", action="store_true", help="a fixed 80/20 strategy instead of `optimised`"
    )
    args = parser.parse_args()
    if min(args.teams, args.initiatives, args.periods) < 1:
        parser.error("teams, initiatives and periods must be at least 1")
    sys.stdout.write(scenario(args.teams, args.initiatives, args.periods, args.chain, args.fixed))


if __name__ == "__main__":
    main()
