#!/usr/bin/env bash
# Notifications throughput (issue 4): e-mails/s to a local SMTP server (aiosmtpd) and webhook deliveries/s to a local
# HTTP receiver, one node: MailKit with 1, 4 and 16 SMTP connections beside the System.Net.Mail SmtpClient baseline
# (1 and 16 connections); webhooks beside the baseline of one connection per message sent one at a time.
# Starts its own PostgreSQL (durable settings: fsync on) and SMTP server, prints a Markdown table and writes it into
# docs/performance.md between <!-- notifications:begin --> and <!-- notifications:end --> (BENCH_DOC= to skip, or
# BENCH_DOC=path for another file). Run by ./rectify.sh bench after the runtime benchmarks.
# Usage: scripts/bench-notifications.sh [--emails N] [--baseline-emails N] [--webhooks N] [--baseline-webhooks N]
#        [--smtp-connections N]; SMTP_WORKERS=N aiosmtpd processes (default 2)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL server binaries not found (install the postgresql package)" >&2; exit 1; }
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || { echo "python3-aiosmtpd is required" >&2; exit 1; }

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

TMP="$(mktemp -d /tmp/rectify-bench-notify.XXXXXX)"
chmod 755 "$TMP"
PGPORT="$(free_port)"; SMTPPORT="$(free_port)"; SMTP_PID=""
cleanup() {
  trap - EXIT; trap '' INT TERM
  [ -n "$SMTP_PID" ] && kill "$SMTP_PID" 2>/dev/null && wait "$SMTP_PID" 2>/dev/null || true
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$TMP/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT; trap 'exit 130' INT; trap 'exit 143' TERM

mkdir -p "$TMP/pg"; chown postgres:postgres "$TMP/pg"; chmod 700 "$TMP/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$TMP/pg/data" -U postgres -E UTF8 --locale=C.UTF-8 --auth=trust >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$TMP/pg/data" -l "$TMP/pg/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories=$TMP/pg -c max_connections=200" start >/dev/null

/usr/bin/python3 tests/Rectify.Notifications.Tests/Support/smtp_sink.py --port "$SMTPPORT" --workers "${SMTP_WORKERS:-2}" --pipelining > "$TMP/smtp.out" &
SMTP_PID=$!
for _ in $(seq 1 50); do grep -q READY "$TMP/smtp.out" 2>/dev/null && break; sleep 0.1; done

dotnet build bench/Rectify.Bench.Notifications -c Release -nologo -v q >"$TMP/build.log" 2>&1 \
  || { grep -E 'error' "$TMP/build.log" | sort -u | head -20 >&2; echo "build failed" >&2; exit 1; }
DOC="${BENCH_DOC-$ROOT/docs/performance.md}"
rc=0
dotnet bench/Rectify.Bench.Notifications/bin/Release/net10.0/Rectify.Bench.Notifications.dll \
  --pg "Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres;Maximum Pool Size=60" --smtp-port "$SMTPPORT" \
  --smtp-workers "${SMTP_WORKERS:-2}" ${DOC:+--doc "$DOC"} "$@" || rc=$?
kill "$SMTP_PID"; wait "$SMTP_PID" 2>/dev/null || true; SMTP_PID=""
echo
echo "SMTP server (aiosmtpd, ${SMTP_WORKERS:-2} processes) received: $(tail -1 "$TMP/smtp.out")"
echo "Load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$rc"
