#!/usr/bin/env bash
# The SHA-256 of every output file of `plan split` on the example, the xlsx
# example, gen_data.py medium (when ../shared/bench is there) and every
# tests/real dataset: run it with two binaries and diff the listings to show
# that a change keeps every output byte for byte.
#   benches/output_sums.sh BINARY > sums.txt
set -euo pipefail
bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sums() { # NAME PLAN.toml [flags…]
  local name=$1 plan=$2; shift 2
  "$bin" split "$plan" --out "$work/$name" -q "$@" >/dev/null 2>&1 || echo "$name: exit $?"
  (cd "$work/$name" 2>/dev/null && find . -type f | sort | xargs -r sha256sum | sed "s|  ./|  $name/|")
}
sums example "$root/examples/data/plan.toml"
sums xlsx "$root/examples/xlsx/plan.toml"
for d in "$root"/tests/real/*/; do
  [ -f "$d/plan.toml" ] && sums "real-$(basename "$d")" "$d/plan.toml"
done
gen="$root/../shared/bench/gen_data.py"
if [ -f "$gen" ]; then
  python3 "$gen" --scale medium --out "$work/medium-in" >/dev/null 2>&1 \
    && cp "$root/benches/generated.toml" "$work/medium-in/plan.toml" \
    && sums medium "$work/medium-in/plan.toml"
else
  echo "medium: skipped (no ../shared/bench/gen_data.py)"
fi
