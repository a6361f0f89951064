#!/usr/bin/env bash
# Speed and memory of `plan split` against the analyst's script (reference.py)
# and the I/O floor (../shared/bench/floor), alternating A B C A B C … in one run.
# Prints the median wall time, CPU time (user + sys) and peak RSS of each, and
# the ratios plan/floor and reference/plan. Then: memory with a history ten
# times smaller (same reps), and reading a 500k-row history.xlsx against
# calamine's bare read (floor's xlsxsum).
#
# Usage: benches/bench.sh [--runs 3] [--scales "medium large"] [--data DIR]
# Needs python3 with pandas, numpy, XlsxWriter, openpyxl; builds the floor.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bench=${BENCH:-$here/../shared/bench}
runs=3
scales="medium large"
data=${BENCH_DATA:-/tmp/plan-bench}
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --scales) scales=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--scales \"medium large\"] [--data DIR]" >&2; exit 2 ;;
  esac
done
[ -d "$bench" ] || { echo "skip: $bench not found"; exit 0; }
mkdir -p "$data"
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
cargo build --release --quiet --manifest-path "$bench/floor/Cargo.toml" --target-dir "$data/floor-target"
plan=$here/target/release/plan
floor=$data/floor-target/release/floor
xlsxsum=$data/floor-target/release/xlsxsum
toml=$(cat "$here/benches/generated.toml")

# Each case writes its own output folder, which its next run replaces (the
# steady state of a monthly job), so no run pays for replacing another case's plan.
# Each timed run starts after `sync`, so that it does not pay for writing back
# the files of the run before it (another tool's, often).
# measure NAME CMD...: appends "wall cpu rss_kib" to $data/NAME.times
measure() {
  local name=$1; shift
  sync
  /usr/bin/time -f "%e %U %S %M" -o "$data/time.tmp" "$@" >/dev/null 2>"$data/$name.err" || { echo "$name failed:"; tail -5 "$data/$name.err"; exit 1; }
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$data/time.tmp" >> "$data/$name.times"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
col() { awk -v c="$2" '{print $c}' "$data/$1.times" | median; }

printf '%-8s %-10s %9s %9s %9s\n' scale tool "wall s" "cpu s" "RSS MiB"
for scale in $scales; do
  d=$data/$scale
  if [ ! -f "$d/history.csv" ]; then
    python3 "$bench/gen_data.py" --scale "$scale" --out "$d" >/dev/null
  fi
  echo "$toml" > "$d/plan.toml"
  rm -f "$data"/*.times
  for i in $(seq "$runs"); do
    measure plan "$plan" split "$d/plan.toml" --out "$data/out-plan-$scale" -q
    measure reference python3 "$bench/reference.py" --data "$d" --out "$data/out-ref-$scale"
    measure floor "$floor" --data "$d" --out "$data/out-floor-$scale" --threads "$(nproc)"
  done
  for t in plan reference floor; do
    printf '%-8s %-10s %9s %9s %9.0f\n' "$scale" "$t" "$(col $t 1)" "$(col $t 2)" "$(awk -v k="$(col $t 3)" 'BEGIN {print k / 1024}')"
  done
  awk -v p="$(col plan 1)" -v f="$(col floor 1)" -v r="$(col reference 1)" -v s="$scale" \
    'BEGIN {printf "%-8s plan/floor %.2f   reference/plan %.1f\n", s, p / f, r / p}'
done

# Memory flat in history rows: the same reps with a tenth of the history.
if [[ " $scales " == *" large "* ]]; then
  d=$data/large-tenth
  mkdir -p "$d"
  cp "$data/large/"{targets,reps,holidays}.csv "$d/"
  awk 'NR == 1 || NR % 10 == 2' "$data/large/history.csv" > "$d/history.csv"
  echo "$toml" > "$d/plan.toml"
  rm -f "$data"/*.times
  for i in $(seq "$runs"); do
    measure plan "$plan" split "$d/plan.toml" --out "$data/out-plan-tenth" -q
  done
  awk -v k="$(col plan 3)" 'BEGIN {printf "large, history / 10: plan RSS %.0f MiB\n", k / 1024}'
fi

# Reading a 500k-row history.xlsx: plan against calamine's bare read.
d=$data/medium-xlsx
if [ ! -f "$d/history.xlsx" ]; then
  python3 "$bench/gen_data.py" --scale medium --xlsx --out "$d" >/dev/null
fi
printf 'year = 2027\n[inputs]\ntargets = "targets.csv"\nreps = "reps.csv"\nhistory = "history.xlsx"\nholidays = "holidays.csv"\n[metrics.new_customers]\nkind = "count"\n[metrics.visits]\nkind = "count"\n[output]\nrep_workbooks = false\nperiod_workbooks = []\n' > "$d/plan.toml"
rm -f "$data"/*.times
for i in $(seq "$runs"); do
  measure plan "$plan" split "$d/plan.toml" --out "$data/out-plan-xlsx" -q
  measure xlsxsum "$xlsxsum" "$d/history.xlsx" amount
done
awk -v p="$(col plan 1)" -v f="$(col xlsxsum 1)" \
  'BEGIN {printf "medium history.xlsx: plan %.2f s, calamine bare read %.2f s, ratio %.2f\n", p, f, p / f}'
