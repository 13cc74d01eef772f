# Sourced by the bench scripts: a throwaway PostgreSQL for one benchmark run, with fsync and synchronous_commit ON
# (durability claims need them). Usage, after log() and die() are defined:
#   bench_pg_start NAME "EXTRA SERVER OPTIONS"
# (BENCH_PG_OPTIONS adds more, e.g. "-c log_min_duration_statement=1000" to see where a run's time goes)
# sets PGBIN, TMP (the run's directory, removed at exit) and PORT, and stops the server when the script exits.
bench_pg_start() {
  local name="$1" extra="${2:-} ${BENCH_PG_OPTIONS:-}"
  PGBIN=""
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && PGBIN="$d"; done
  if [ -z "$PGBIN" ]; then
    command -v apt-get >/dev/null || die "PostgreSQL server binaries not found"
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql >/dev/null
    for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && PGBIN="$d"; done
  fi
  command -v dotnet >/dev/null || die "the .NET 10 SDK is required"

  TMP="$(mktemp -d "/tmp/rectify-$name.XXXXXX")"
  chmod 755 "$TMP"; mkdir -p "$TMP/pg"; chown postgres:postgres "$TMP/pg"; chmod 700 "$TMP/pg"
  PORT="$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')"
  # A signal ends the script (it does not carry on after the handler); the exit stops the server once.
  trap bench_pg_cleanup EXIT; trap 'exit 130' INT; trap 'exit 143' TERM
  runuser -u postgres -- "$PGBIN/initdb" -D "$TMP/pg/data" -U postgres -E UTF8 --locale=C.UTF-8 --auth=trust >"$TMP/initdb.log" 2>&1 \
    || { cat "$TMP/initdb.log"; die "initdb failed"; }
  # shellcheck disable=SC2086 # the extra options are words on purpose
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$TMP/pg/data" -l "$TMP/pg/server.log" \
    -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$TMP/pg -c fsync=on $extra" \
    -w -t 60 start >/dev/null || { tail -20 "$TMP/pg/server.log"; die "PostgreSQL did not start"; }
  log "PostgreSQL on 127.0.0.1:$PORT (fsync on)"
}

bench_pg_cleanup() {
  trap - EXIT; trap '' INT TERM
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$TMP/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
