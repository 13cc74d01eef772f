#!/usr/bin/env bash
# ./rectify.sh bench scale: the national-scale benchmark (issue 17; docs/performance.md, "National scale").
# Starts its own PostgreSQL with fsync ON, builds this checkout's service (Release) and, beside it, a baseline commit's
# (BENCH_SCALE_BASELINE, default the main of before the scale work; "none" to skip), builds a campaign of
# BENCH_SCALE_ITEMS items × 3 units (default 1,000,000) under the baseline, times the paths people use on it, then starts
# this checkout's build on the same database and times them again; then 200 clients during a burst of timers.
# Other knobs: BENCH_SCALE_REPS (30), BENCH_SCALE_CLIENTS (200), BENCH_SCALE_LOAD_SECONDS (60), BENCH_SCALE_BURST
# (100000), BENCH_SCALE_PATH_BUDGET_SECONDS (40); BENCH_DOC= to skip writing docs/performance.md (or a path);
# BENCH_SCALE_LAUNCH_ONLY=1: only the two launches (the baseline's and this build's), printed, nothing written.
# BENCH_SCALE_BASELINE_IDS=random: the baseline's data set with item ids in no order, as imports wrote them before
# ItemWriter.IdInSequence (this build's launch always gets ids in seq order, as its import writes them).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log() { printf '\033[1;34m[bench scale]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[bench scale]\033[0m %s\n' "$*" >&2; exit 1; }

# shellcheck source=scripts/bench-pg.sh
. "$ROOT/scripts/bench-pg.sh"
bench_pg_start bench-scale "-c max_connections=300 -c shared_buffers=1GB -c max_wal_size=8GB -c maintenance_work_mem=512MB"

build() { # build DIR: the service's Release build in DIR
  dotnet build "$1/src/Rectify.Api" -c Release -nologo -v q -clp:NoSummary -p:UseSharedCompilation=false >"$TMP/build.log" 2>&1 \
    || { grep -E 'error' "$TMP/build.log" | sort -u | head -20; die "build of $1 failed"; }
}
log "building this checkout's service and bench/Rectify.Bench.Scale (Release)"
build "$ROOT"
dotnet build bench/Rectify.Bench.Scale -c Release -nologo -v q -clp:NoSummary -p:UseSharedCompilation=false >"$TMP/build.log" 2>&1 \
  || { grep -E 'error' "$TMP/build.log" | sort -u | head -20; die "build failed"; }

BASELINE="${BENCH_SCALE_BASELINE-8a743afe917d450bfca5148f99581a4d4fcaf7b6}"
baseline_args=()
if [ -n "$BASELINE" ] && [ "$BASELINE" != none ]; then
  log "building the baseline $BASELINE (Release) from git archive"
  mkdir -p "$TMP/baseline"
  git -C "$ROOT" archive "$BASELINE" | tar -x -C "$TMP/baseline"
  build "$TMP/baseline"
  baseline_args=(--baseline "$TMP/baseline/src/Rectify.Api/bin/Release/net10.0/Rectify.Api.dll" --baseline-name "$(git -C "$ROOT" rev-parse --short "$BASELINE")")
fi

DOC="${BENCH_DOC-$ROOT/docs/performance.md}"
mkdir -p "$TMP/logs"
rc=0
dotnet bench/Rectify.Bench.Scale/bin/Release/net10.0/Rectify.Bench.Scale.dll \
  --pg "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres" \
  --api "$ROOT/src/Rectify.Api/bin/Release/net10.0/Rectify.Api.dll" "${baseline_args[@]}" ${DOC:+--doc "$DOC"} --logs "$TMP/logs" || rc=$?
if [ "$rc" -ne 0 ]; then
  log "the bench failed (exit $rc); last lines of the service logs:"
  tail -n 30 "$TMP"/logs/*.log >&2 || true
fi
[ "$rc" -eq 0 ] && [ -n "$DOC" ] && log "figures written to $DOC (National scale section)"
exit "$rc"
