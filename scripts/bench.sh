#!/usr/bin/env bash
# ./rectify.sh bench: the runtime benchmarks (docs/performance.md, "Runtime" section), the import benchmark ("Import",
# issue 15: 5,000 rows of .docx and .xls) and the notifications benchmark. Starts its own PostgreSQL with fsync ON
# (durability claims need it), builds bench/Rectify.Bench and bench/Rectify.Bench.Import in Release, runs them, stops the
# server. "./rectify.sh bench import" runs the import benchmark alone.
# Sizes can be lowered for a quick look: BENCH_ITEMS, BENCH_FIRING, BENCH_QUARTZ, BENCH_HANGFIRE (default: as Quartz),
# BENCH_WORKERS, BENCH_BATCH, BENCH_IDLE_SECONDS (each idle window, default 60). BENCH_PG_EXTRA: more server options, e.g.
# "-c log_statement=all" to see what an idle node runs, with BENCH_SERVER_LOG=FILE to keep the server's log there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ONLY="${1:-all}"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log() { printf '\033[1;34m[bench]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[bench]\033[0m %s\n' "$*" >&2; exit 1; }

# shellcheck source=scripts/bench-pg.sh
. "$ROOT/scripts/bench-pg.sh"
bench_pg_start bench "-c max_connections=200 -c shared_buffers=512MB -c max_wal_size=4GB ${BENCH_PG_EXTRA:-}"

SERVER="Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres"
mkdir -p docs
if [ "$ONLY" != import ]; then
  log "building bench/Rectify.Bench (Release)"
  dotnet build bench/Rectify.Bench -c Release -nologo -v q -clp:NoSummary -p:UseSharedCompilation=false >"$TMP/build.log" 2>&1 \
    || { grep -E 'error' "$TMP/build.log" | sort -u | head -20; die "build failed"; }
  dotnet bench/Rectify.Bench/bin/Release/net10.0/Rectify.Bench.dll "$SERVER" "$ROOT/docs/performance.md"
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
