#!/usr/bin/env bash
# ./rectify.sh bench: the runtime benchmarks (docs/performance.md, "Runtime" section), the import benchmark ("Import",
# issue 15: 5,000 rows of .docx and .xls) and the notifications benchmark. Starts its own PostgreSQL with fsync ON
# (durability claims need it), builds bench/Rectify.Bench and bench/Rectify.Bench.Import in Release, runs them, stops the
# server. "./rectify.sh bench import" runs the import benchmark alone.
# Sizes can be lowered for a quick look: BENCH_ITEMS, BENCH_FIRING, BENCH_QUARTZ, BENCH_HANGFIRE (default: as Quartz),
# BENCH_WORKERS, BENCH_BATCH, BENCH_IDLE_SECONDS (each idle window, default 60). BENCH_PG_EXTRA: more server options, e.g.
# "-c log_statement=all" to see what an idle node runs, with BENCH_SERVER_LOG=FILE to keep the server's log there.
# BENCH_BASELINE: a commit whose own bench/Rectify.Bench measures firing (BENCH_FIRING_ONLY=1, same sizes) on this server
# just before this checkout's run, so the Runtime table shows both from one run and their ratio (issue 17.3); default the
# main before the firing work, "none" to skip. BENCH_FIRING_ONLY=1: launch + firing + ceiling only (no report written).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ONLY="${1:-all}"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log() { printf '\033[1;34m[bench]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[bench]\033[0m %s\n' "$*" >&2; exit 1; }

# shellcheck source=scripts/bench-pg.sh
. "$ROOT/scripts/bench-pg.sh"
# BENCH_STATEMENTS=1: the server preloads pg_stat_statements (nested statements too) and the bench prints where the
# database's time went during the first firing burst, statement by statement, per 1,000 timers (bench/Rectify.Bench/Statements.cs).
STATEMENTS=""
[ "${BENCH_STATEMENTS:-0}" = "1" ] && STATEMENTS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
bench_pg_start bench "-c max_connections=200 -c shared_buffers=512MB -c max_wal_size=4GB $STATEMENTS ${BENCH_PG_EXTRA:-}"

SERVER="Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres"
mkdir -p docs
if [ "$ONLY" != import ]; then
  log "building bench/Rectify.Bench (Release)"
  dotnet build bench/Rectify.Bench -c Release -nologo -v q -clp:NoSummary -p:UseSharedCompilation=false >"$TMP/build.log" 2>&1 \
    || { grep -E 'error' "$TMP/build.log" | sort -u | head -20; die "build failed"; }
  BASELINE="${BENCH_BASELINE-f78643279af353196ce36a7bfe9cdc068665ac79}"
  if [ -n "$BASELINE" ] && [ "$BASELINE" != none ]; then
    BASELINE_NAME="$(git -C "$ROOT" rev-parse --short "$BASELINE^{commit}")" || die "BENCH_BASELINE=$BASELINE is not a commit"
    log "building the baseline $BASELINE_NAME's bench/Rectify.Bench (Release) from git archive"
    mkdir -p "$TMP/baseline"
    git -C "$ROOT" archive "$BASELINE" | tar -x -C "$TMP/baseline"
    dotnet build "$TMP/baseline/bench/Rectify.Bench" -c Release -nologo -v q -clp:NoSummary -p:UseSharedCompilation=false >"$TMP/build-baseline.log" 2>&1 \
      || { grep -E 'error' "$TMP/build-baseline.log" | sort -u | head -20; die "baseline build failed"; }
    log "baseline $BASELINE_NAME: launch and firing"
    BASELINE_LOAD="$(cut -d' ' -f1-3 /proc/loadavg | sed 's# # / #g')"
    BENCH_FIRING_ONLY=1 dotnet "$TMP/baseline/bench/Rectify.Bench/bin/Release/net10.0/Rectify.Bench.dll" "$SERVER" | tee "$TMP/baseline.out"
    # "[bench] firing: 50000 timers in 8.58 s = 5827/s (6.0 outbox rows each), …"
    line="$(grep -E '^\[bench\] firing: ' "$TMP/baseline.out" | tail -1)"
    [ -n "$line" ] || die "the baseline's bench printed no firing figure"
    export BENCH_BASELINE_NAME="$BASELINE_NAME" BENCH_BASELINE_LOAD="$BASELINE_LOAD"
    BENCH_BASELINE_FIRED="$(sed -E 's#.* = ([0-9.]+)/s .*#\1#' <<<"$line")"
    BENCH_BASELINE_OUTBOX="$(sed -E 's#.*/s \(([0-9.]+) outbox rows each.*#\1#' <<<"$line")"
    export BENCH_BASELINE_FIRED BENCH_BASELINE_OUTBOX
    log "baseline $BASELINE_NAME fired $BENCH_BASELINE_FIRED/s; now this checkout"
  fi
  dotnet bench/Rectify.Bench/bin/Release/net10.0/Rectify.Bench.dll "$SERVER" "$ROOT/docs/performance.md"
  [ "${BENCH_FIRING_ONLY:-0}" = "1" ] && exit 0
  log "figures written to docs/performance.md (Runtime section)"
  if [ -n "${BENCH_SERVER_LOG:-}" ]; then cp "$TMP/pg/server.log" "$BENCH_SERVER_LOG"; log "server log copied to $BENCH_SERVER_LOG"; fi
fi

# Import (issue 15): the service in process on this server; a 5,000-row Word table and the same rows saved by
# LibreOffice as .xls (libreoffice-calc-nogui, installed for the tests). Writes <!-- import:begin --> / <!-- import:end -->.
command -v soffice >/dev/null || log "soffice not found: the import benchmark measures the .docx only"
log "building bench/Rectify.Bench.Import (Release)"
dotnet build bench/Rectify.Bench.Import -c Release -nologo -v q -clp:NoSummary -p:UseSharedCompilation=false >"$TMP/build-import.log" 2>&1 \
  || { grep -E 'error' "$TMP/build-import.log" | sort -u | head -20; die "build failed"; }
dotnet bench/Rectify.Bench.Import/bin/Release/net10.0/Rectify.Bench.Import.dll "$SERVER" "$ROOT/docs/performance.md"
log "figures written to docs/performance.md (Import section)"
[ "$ONLY" = import ] && exit 0

# BENCH_RUNTIME_ONLY=1: the runtime figures alone (timers, Quartz and Hangfire peers, idle), without the mail bench.
[ "${BENCH_RUNTIME_ONLY:-0}" = "1" ] && exit 0

# Notifications throughput (issue 4): its own PostgreSQL and SMTP server; writes the "Notifications" table of
# docs/performance.md between <!-- notifications:begin --> / <!-- notifications:end -->.
log "notifications benchmark (scripts/bench-notifications.sh)"
"$ROOT/scripts/bench-notifications.sh"
