#!/usr/bin/env bash
# Shows that a change keeps every output byte for byte: the SHA-256 of every
# output file (benches/output_sums.sh) of two builds, compared. Prints the
# number of files and "identical", or the differing lines, and exits 1.
#   benches/compare_outputs.sh BEFORE_BINARY AFTER_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
before=$(mktemp) after=$(mktemp)
trap 'rm -f "$before" "$after"' EXIT
"$here/output_sums.sh" "$1" > "$before"
"$here/output_sums.sh" "$2" > "$after"
if diff "$before" "$after"; then
  echo "$(wc -l < "$after") output files identical ($(grep -c '  medium/' "$after" || true) of them of gen_data medium)"
else
  exit 1
fi
