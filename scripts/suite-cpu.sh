#!/usr/bin/env bash
# Side by side in one run: the same tests with the runtime's defaults and with a candidate setting, alternating, to
# see what a setting of the test run costs in CPU (user+sys of `dotnet test` and its children) and wall time.
#   RECTIFY_TEST_PG=... scripts/suite-cpu.sh [VAR=VALUE] [FILTER] [ROUNDS]
# Needs a built Debug tree (./rectify.sh test builds one) and a PostgreSQL for the tests (RECTIFY_TEST_PG).
set -euo pipefail
cd "$(dirname "$0")/.."
candidate="${1:-DOTNET_TieredPGO=0}"
filter="${2:-FullyQualifiedName~DemoOnAnyDayTests|FullyQualifiedName~UnitScoresTests}"
rounds="${3:-2}"
: "${RECTIFY_TEST_PG:?set RECTIFY_TEST_PG to a PostgreSQL the tests may create databases in}"
out="$(mktemp -d)"
for round in $(seq "$rounds"); do
  for side in default candidate; do
    extra=(); [ "$side" = candidate ] && extra=("$candidate")
    /usr/bin/time -f "%U %S %e" -o "$out/time" env "${extra[@]}" dotnet test tests/Rectify.Api.Tests -c Debug --no-build \
      --filter "$filter" >"$out/log" 2>&1 || { tail -20 "$out/log"; exit 1; }
    read -r user sys wall <"$out/time"
    printf '%-10s round %s: cpu %6.1f s  wall %6.1f s  load %s\n' "$side" "$round" "$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')" "$wall" \
      "$(cut -d' ' -f1 /proc/loadavg)"
  done
done
rm -rf "$out"
