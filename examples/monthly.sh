#!/usr/bin/env bash
# The monthly plan run, as cron starts it: re-plan with the past months kept,
# track progress against the actuals, mail each rep a letter that changed.
#
#   monthly.sh PLAN.toml OUT_DIR ACTUALS SMTP_URL FROM [AS_OF]
#
# AS_OF defaults to today. The SMTP password comes from PLAN_SMTP_PASSWORD or
# [mail] password_file, never from this command line. PLAN_BIN names the
# binary (default: plan on PATH). Exit codes: those of the step that failed
# (see "Running monthly from cron" in the README); 0 when all went through.
set -uo pipefail
[ $# -ge 5 ] || { echo "usage: $0 PLAN.toml OUT_DIR ACTUALS SMTP_URL FROM [AS_OF]" >&2; exit 2; }
plan_file=$1 out=$2 actuals=$3 smtp=$4 from=$5
as_of=${6:-$(date +%F)}
plan=${PLAN_BIN:-plan}

step() { # name, command…: runs one step, stops the whole run on failure
  local name=$1; shift
  "$@"
  local rc=$?
  if [ $rc -ne 0 ]; then
    echo "monthly: $name failed with exit $rc" >&2
    exit $rc
  fi
}

step split "$plan" split "$plan_file" --out "$out" --as-of "$as_of" --json -q > "$out.split.json"
step track "$plan" track --plan "$out" --actuals "$actuals" --as-of "$as_of" --config "$plan_file" -q
step mail "$plan" mail --plan "$out" --smtp "$smtp" --from "$from" --config "$plan_file" -q
echo "monthly: $as_of done; changed files: $(tr -d '\n' < "$out.split.json")"
