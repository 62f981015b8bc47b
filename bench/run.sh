#!/usr/bin/env bash
# Every benchmark in a row; each prints its own table. `bench/run.sh --quick` is the smoke test (~2-3 min in all).
# Outputs are also written to $BENCH_OUT (default: a new folder under /tmp).
# Any further arguments are passed to dashboard.py and flat.py (e.g. --keep to reuse the demo databases).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${BENCH_OUT:-$(mktemp -d /tmp/netral-bench-out.XXXXXX)}"
mkdir -p "$out"
quick=()
extra=()
for arg in "$@"; do
  if [ "$arg" = "--quick" ]; then quick=(--quick); else extra+=("$arg"); fi
done
echo "results in $out"
python bench/dashboard.py "${quick[@]}" "${extra[@]}" --json "$out/dashboard.json" | tee "$out/dashboard.txt"
python bench/flat.py "${quick[@]}" "${extra[@]}" --json "$out/flat.json" --plans "$out/flat-plans.txt" | tee "$out/flat.txt"
python bench/interaction.py "${quick[@]}" --json "$out/interaction.json" | tee "$out/interaction.txt"
python bench/startup.py "${quick[@]}" --json "$out/startup.json" | tee "$out/startup.txt"
