#!/usr/bin/env bash
# Checks `plan split` against the two independent implementations of SPEC §2
# in ../shared/bench: reference.py (pandas) and verify_plan.py (exact fractions).
# Inputs: gen_data.py small (seeds 42 and 7; --targets team, company, both),
# the make_variants.py folders (held, periods, unknown, alone, fiscal), medium,
# and the bundled example (fiscal year from April).
# Needs python3 with pandas, numpy (pip install pandas numpy XlsxWriter openpyxl).
# Usage: benches/compare_reference.sh [--no-medium]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bench=${BENCH:-$here/../shared/bench}
[ -d "$bench" ] || { echo "skip: $bench not found"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
plan=$here/target/release/plan
cp "$here/benches/generated.toml" "$work/plan.toml"
fails=0
check() { # name data-dir extra-reference-args...
  local name=$1 data=$2; shift 2
  "$plan" split "$data/plan.toml" --out "$work/out-$name" -q
  python3 "$bench/reference.py" --data "$data" --out "$work/ref-$name" --no-workbooks "$@" >/dev/null 2>&1
  local cmp ver
  cmp=$(python3 "$bench/compare_plan.py" "$work/ref-$name/plan.csv" "$work/out-$name/plan.csv" | awk '/^(month|year|week) /{printf "%s exact %s, one %s, more %s; ", $1, $2, $3, $4}')
  if python3 "$bench/compare_plan.py" "$work/ref-$name/plan.csv" "$work/out-$name/plan.csv" >/dev/null; then r=OK; else r=FAIL; fails=$((fails+1)); fi
  ver=$(python3 "$bench/verify_plan.py" --data "$data" --plan "$work/out-$name/plan.csv" "$@" 2>&1 | tail -1)
  case "$ver" in *" 0 problems"*) ;; *) r="$r, verify FAIL"; fails=$((fails+1));; esac
  printf '%-16s %-4s reference: %s\n%-21s %s\n' "$name" "$r" "$cmp" "" "$ver"
}
for seed in 42 7; do
  for t in team company both; do
    d=$work/small-$seed-$t
    python3 "$bench/gen_data.py" --scale small --seed "$seed" --targets "$t" --out "$d" >/dev/null
    cp "$work/plan.toml" "$d/"
    check "small-$seed-$t" "$d"
  done
done
python3 "$bench/make_variants.py" "$work/small-42-both" "$work/var" >/dev/null
for v in held periods unknown alone; do
  cp "$work/plan.toml" "$work/var/$v/"
  check "variant-$v" "$work/var/$v"
done
# Its growth target's base (fiscal 2026, April 2026 to March 2027) runs past
# the history (to December 2026): SPEC §1.4 makes that an error, which
# reference.py does not know, so plan must refuse it, naming the months.
(echo "fiscal_year_start = 4"; cat "$work/plan.toml") > "$work/var/fiscal/plan.toml"
if out=$("$plan" split "$work/var/fiscal/plan.toml" --out "$work/out-fiscal" -q 2>&1); then
  echo "variant-fiscal   FAIL planned a growth over a base the history does not cover"; fails=$((fails+1))
else
  case "$out" in
    *"2027-01, 2027-02, 2027-03 are not recorded"*"[E-GROWTH-BASE]"*) echo "variant-fiscal   OK   refused as SPEC §1.4 says: E-GROWTH-BASE, naming 2027-01 to 2027-03" ;;
    *) echo "variant-fiscal   FAIL $out"; fails=$((fails+1)) ;;
  esac
fi
cp -r "$here/examples/data" "$work/example"
check "example" "$work/example" --fy-start 4
if [ "${1:-}" != "--no-medium" ]; then
  python3 "$bench/gen_data.py" --scale medium --out "$work/medium" >/dev/null
  cp "$work/plan.toml" "$work/medium/"
  check "medium" "$work/medium"
fi
echo "$fails failed"
[ "$fails" -eq 0 ]
