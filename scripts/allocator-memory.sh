#!/usr/bin/env bash
# The allocator's memory and time against the up-front estimate, on synthetic organisations
# (scripts/synthetic-scenario.py, each team's initiatives chained): for each size TxIxP it
# prints the program's variables, the estimate (fulcrum::pipeline::Estimate: 16 MiB + 6 KB a
# variable), the measured maximum resident set (/usr/bin/time -v) and the time of one solve.
# Usage: scripts/allocator-memory.sh [SIZE...]   (default: the table of docs/allocator.md)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --example allocate_memory -q
bin=target/release/examples/allocate_memory
[ "$#" -gt 0 ] || set -- 4x40x52 10x100x52 20x200x52 4x40x260 10x100x156 20x400x52 40x400x52 \
  10x100x520 20x400x260 100x2000x52
dir="$(mktemp -d)"
printf '%-13s %10s %12s %12s %8s %10s\n' size variables estimate measured ratio "solve (s)"
for size in "$@"; do
  IFS=x read -r teams initiatives periods <<< "$size"
  scripts/synthetic-scenario.py "$teams" "$initiatives" "$periods" --chain > "$dir/s.toml"
  /usr/bin/time -v "$bin" "$dir/s.toml" > "$dir/out" 2> "$dir/time"
  variables=$(sed -n 's/^variables \([0-9]*\).*/\1/p' "$dir/out")
  estimate=$(sed -n 's/.*estimate \([0-9]*\) MB.*/\1/p' "$dir/out")
  solve=$(sed -n 's/^solved in \([0-9.]*\) s.*/\1/p' "$dir/out")
  rss=$(( $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time") / 1024 ))
  ratio=$(awk -v e="$estimate" -v m="$rss" 'BEGIN { printf "%.2f", e / m }')
  printf '%-13s %10s %9s MB %9s MB %8s %10s\n' "$size" "$variables" "$estimate" "$rss" "$ratio" "$solve"
done
rm -r "$dir"
