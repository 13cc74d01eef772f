#!/usr/bin/env bash
# The import benchmark (issue 15: 5,000 rows of .xls or .docx in at most 5 s): its own PostgreSQL (fsync on), the
# service in process (Release), a Word table and an Excel 97–2003 file (saved by LibreOffice) of 5,000 rows each.
# Writes the table of docs/performance.md between <!-- import:begin --> and <!-- import:end -->.
# Alone: ./rectify.sh bench import
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log() { printf '\033[1;34m[bench-import]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[bench-import]\033[0m %s\n' "$*" >&2; exit 1; }

PGBIN=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && PGBIN="$d"; done
[ -n "$PGBIN" ] || die "PostgreSQL server binaries not found (./rectify.sh bench installs them)"
command -v soffice >/dev/null || {
  command -v apt-get >/dev/null && { apt-get update -q >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libreoffice-calc-nogui >/dev/null; } || true
}

TMP="$(mktemp -d /tmp/rectify-bench-import.XXXXXX)"
chmod 755 "$TMP"; mkdir -p "$TMP/pg"; chown postgres:postgres "$TMP/pg"; chmod 700 "$TMP/pg"
PORT="$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')"
cleanup() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$TMP/pg/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM
runuser -u postgres -- "$PGBIN/initdb" -D "$TMP/pg/data" -U postgres -E UTF8 --locale=C.UTF-8 --auth=trust >"$TMP/initdb.log" 2>&1 || { cat "$TMP/initdb.log"; die "initdb failed"; }
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$TMP/pg/data" -l "$TMP/pg/server.log" \
  -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$TMP/pg -c fsync=on" -w -t 60 start >/dev/null \
  || { tail -20 "$TMP/pg/server.log"; die "PostgreSQL did not start"; }
log "PostgreSQL on 127.0.0.1:$PORT (fsync on)"

log "building bench/Rectify.Bench.Import (Release)"
dotnet build bench/Rectify.Bench.Import -c Release -nologo -v q -clp:NoSummary -p:UseSharedCompilation=false >"$TMP/build.log" 2>&1 \
  || { grep -E 'error' "$TMP/build.log" | sort -u | head -20; die "build failed"; }
dotnet bench/Rectify.Bench.Import/bin/Release/net10.0/Rectify.Bench.Import.dll \
  "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres" "$ROOT/docs/performance.md"
log "figures written to docs/performance.md (Import section)"
