#!/usr/bin/env bash
# Server-side answer times of `fulcrum serve` on every example: starts the server, lets it
# compute the file's own runs, then moves two kinds of control five times each and prints the
# median of the server's own timings (ms), with the preview's and the refined answer's trials:
#   strategy  a strategy's first share control (the allocator's plans are reused)
#   team      the first team's engineers (the `optimised` plan must be solved again: the
#             preview leaves that strategy out, the refined answer re-plans it)
# Usage: scripts/serve-timings.sh [SCENARIO...]   (FULCRUM=path/to/fulcrum to pick a build)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${FULCRUM:-./target/release/fulcrum}"
[ "$#" -gt 0 ] || set -- scenarios/*.toml
printf '%-26s %-9s %8s %10s %10s %10s\n' scenario control trials preview refined re-planned
for scenario in "$@"; do
  log="$(mktemp)"
  "$bin" serve "$scenario" --port 0 > "$log" 2> /dev/null &
  pid=$!
  for _ in $(seq 100); do grep -q 'http://' "$log" && break; sleep 0.1; done
  url="$(grep -o 'http://[^ ]*' "$log")"
  python3 - "$url" "$(basename "$scenario" .toml)" <<'PY'
import json, statistics, sys, urllib.request
url, name = sys.argv[1], sys.argv[2]
def get(path):
    return json.load(urllib.request.urlopen(url + path))
def ask(sets, stage):
    body = json.dumps({"session": "timings", "sets": sets, "stage": stage}).encode()
    request = urllib.request.Request(url + "api/answer", body, {"content-type": "application/json"})
    reply = json.load(urllib.request.urlopen(request))
    assert reply["status"] == "answer", reply
    return reply
info = get("api/scenario")
controls = [c for g in info["groups"] for c in g["controls"]]
share = next((c for c in controls if c["path"].startswith("strategies.") and c["kind"] == "share"), None)
team = next((c for c in controls if c["path"].endswith(".engineers")), None)
ask([], "preview"); ask([], "full")  # waits for the file's own runs
for label, control, values in [
    ("strategy", share, lambda v, k: round((v + 0.05 * k) % 1.0, 2)),
    ("team", team, lambda v, k: v + k),
]:
    if control is None:
        print(f"{name:<26} {label:<9} {'':>8} {'(none)':>10}")
        continue
    preview, refined, replanned = [], [], []
    for k in range(1, 6):
        sets = [f"{control['path']}={values(control['value'], k)}"]
        preview.append(ask(sets, "preview")["timings"]["total_ms"])
        full = ask(sets, "full")
        (replanned if full["recomputed"] else refined).append(full["timings"]["total_ms"])
    median = lambda xs: f"{statistics.median(xs):.0f}" if xs else "–"
    trials = f"{info['preview_trials']}/{info['trials']}"
    print(f"{name:<26} {label:<9} {trials:>8} {median(preview):>10} {median(refined):>10} {median(replanned):>10}")
PY
  kill "$pid"
  wait "$pid" 2> /dev/null || true
  rm -f "$log"
done
