#!/usr/bin/env bash
# Writes the outputs of every command on every example into DIR, for comparing two builds:
#   scripts/example-outputs.sh /tmp/before && (change, rebuild) && scripts/example-outputs.sh /tmp/after
#   diff -r /tmp/before /tmp/after
# Timings and the generation time are stripped from run.json, sweep.json and forecast.json so
# that only results differ.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: scripts/example-outputs.sh DIR}"
bin="${FULCRUM:-./target/release/fulcrum}"
trials="${TRIALS:-2000}"
rm -rf "$out"
mkdir -p "$out"
for scenario in scenarios/*.toml; do
  name="$(basename "$scenario" .toml)"
  "$bin" run "$scenario" --trials "$trials" --out "$out/run-$name" > "$out/run-$name.txt"
  "$bin" plan "$scenario" --out "$out/plan-$name" > "$out/plan-$name.txt"
done
"$bin" sweep scenarios/legacy-platform.toml --vary okrs.blend=0:1:3 --trials 300 \
  --out "$out/sweep-legacy" > "$out/sweep-legacy.txt"
"$bin" sweep scenarios/balanced-okrs.toml --vary strategies.80/20.tech_share=0.1:0.5:3 \
  --vary teams.checkout.engineers=4:8:2 --trials 200 --out "$out/sweep-balanced" > "$out/sweep-balanced.txt"
"$bin" forecast --history 3,5,2,6,4,4,7,1,5,3,6,4,2,5,8,3,4,6,5,2,4,7,3,5,4,6 --backlog 200 \
  --trials 20000 --out "$out/forecast-history" > "$out/forecast-history.txt"
"$bin" forecast scenarios/throughput-forecast.toml --trials 20000 \
  --out "$out/forecast-scenario" > "$out/forecast-scenario.txt"
# Timings differ from run to run: drop them (and the lines that print them), and the results'
# markers, which hold the hashes of the files with timings.
find "$out" -name .fulcrum-result -delete
find "$out" -name '*.json' -print0 | while IFS= read -r -d '' json; do
  python3 - "$json" <<'PY'
import json, sys
path = sys.argv[1]
data = json.load(open(path))
def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if not k.startswith("seconds") and k not in ("threads", "generated_at")}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node
json.dump(strip(data), open(path, "w"), indent=1, sort_keys=True)
PY
done
sed -i -E 's/ in [0-9.]+ s / in (time) /' "$out"/*.txt
sed -i "s#$out#OUT#g" "$out"/*.txt
