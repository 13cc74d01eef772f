#!/usr/bin/env bash
# Rectify's one entry script. Usage: ./rectify.sh run | test | bench | chaos | help
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '\033[1;34m[rectify]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[rectify]\033[0m %s\n' "$*" >&2; exit 1; }

# on_exit FUNCTION: FUNCTION runs when the script ends, whether it finishes or is stopped (Ctrl-C, TERM): a signal ends
# the script (it does not carry on after the handler) and the exit runs FUNCTION once.
on_exit() {
  trap "$1" EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

APT_UPDATED=0
apt_install() {
  # Installs the Debian packages named, only those missing; one apt-get update per run.
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
  log "installing ${missing[*]}"
  if [ "$APT_UPDATED" -eq 0 ]; then apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done
  return 1
}

ensure_postgres() {
  pg_bindir >/dev/null || apt_install postgresql
  PGBIN="$(pg_bindir)" || die "PostgreSQL server binaries not found after installing the postgresql package"
}

ensure_dotnet() {
  command -v dotnet >/dev/null || die "the .NET 10 SDK is required (dotnet not on PATH)"
}

free_port() {
  python3 - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

port_free() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1]))); print("yes")
except OSError:
    print("no")
finally:
    s.close()
PY
}

# From / so that a checkout the postgres user cannot enter does not make every command complain about its directory.
as_postgres() { (cd / && runuser -u postgres -- "$@"); }

# pg_start DIR PORT MODE: initdb on first use, then start on 127.0.0.1:PORT. MODE=durable|throwaway.
pg_start() {
  local dir="$1" port="$2" mode="$3"
  mkdir -p "$dir"
  chown postgres:postgres "$dir"
  chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    local auth="--auth=trust"
    if [ "$mode" = durable ]; then
      [ -f "$dir/password" ] || { python3 -c 'import secrets;print(secrets.token_urlsafe(18))' > "$dir/password"; }
      chown postgres:postgres "$dir/password"; chmod 600 "$dir/password"
      auth="--auth-local=peer --auth-host=scram-sha-256 --pwfile=$dir/password"
    fi
    as_postgres "$PGBIN/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 $auth >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  local opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=300"
  if [ "$mode" = throwaway ]; then opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"; fi
  as_postgres "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null \
    || { tail -20 "$dir/server.log" >&2; die "PostgreSQL did not start (log: $dir/server.log)"; }
}

# local_pgdir: where the cluster of `run` lives. Beside the checkout (.data/pg) when the postgres user can reach it;
# otherwise (a clone in root's home, mode 700 on Debian) under /var/lib/rectify, one folder per checkout, said aloud.
local_pgdir() {
  mkdir -p "$ROOT/.data"
  if runuser -u postgres -- test -x "$ROOT/.data" 2>/dev/null; then
    echo "$ROOT/.data/pg"
  else
    echo "/var/lib/rectify/$(printf '%s' "$ROOT" | sha256sum | cut -c1-16)/pg"
  fi
}

pg_stop() {
  local dir="$1"
  [ -f "$dir/data/postmaster.pid" ] && as_postgres "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

build() {
  local config="$1"
  log "building ($config)"
  dotnet build Rectify.sln -c "$config" -nologo -v q -clp:NoSummary -p:UseSharedCompilation=false >"$ROOT/.build.log" 2>&1 \
    || { grep -E 'error' "$ROOT/.build.log" | sort -u | head -40 >&2; die "build failed (full log: .build.log)"; }
}

cmd_run() {
  ensure_dotnet
  mkdir -p .data
  RUN_STARTED_PG=0; RUN_APP_PID=""
  if [ -z "${ConnectionStrings__Rectify:-}" ]; then
    ensure_postgres
    RUN_PGDIR="$(local_pgdir)"
    local pgdir="$RUN_PGDIR"
    if [ "$pgdir" != "$ROOT/.data/pg" ]; then
      mkdir -p "$(dirname "$pgdir")"
      log "the postgres user cannot reach this checkout; the local cluster lives in $pgdir"
    fi
    local port
    port="$(cat "$pgdir/port" 2>/dev/null || true)"
    if [ -z "$port" ] || [ "$(port_free "$port")" != yes ]; then port="$(free_port)"; fi
    log "starting the local PostgreSQL in $pgdir on 127.0.0.1:$port"
    pg_start "$pgdir" "$port" durable
    echo "$port" > "$pgdir/port"
    RUN_STARTED_PG=1
    export ConnectionStrings__Rectify="Host=127.0.0.1;Port=$port;Username=postgres;Password=$(cat "$pgdir/password");Database=postgres"
    if ! as_postgres psql -h "$pgdir" -p "$port" -d postgres -tAc "select 1 from pg_database where datname='rectify'" | grep -q 1; then
      as_postgres psql -h "$pgdir" -p "$port" -d postgres -qc "create database rectify" >/dev/null
    fi
    export ConnectionStrings__Rectify="Host=127.0.0.1;Port=$port;Username=postgres;Password=$(cat "$pgdir/password");Database=rectify"
  fi
  cleanup() {
    # Once: a second Ctrl-C or TERM while stopping must not leave the database running.
    trap - EXIT; trap '' INT TERM
    if [ -n "$RUN_APP_PID" ]; then kill "$RUN_APP_PID" 2>/dev/null || true; wait "$RUN_APP_PID" 2>/dev/null || true; fi
    if [ "$RUN_STARTED_PG" = 1 ]; then log "stopping the local PostgreSQL"; pg_stop "$RUN_PGDIR"; fi
  }
  on_exit cleanup
  build Release

  [ -f .data/admin-password ] || python3 -c 'import secrets;print(secrets.token_urlsafe(12))' > .data/admin-password
  export Rectify__Bootstrap__AdminPassword="${Rectify__Bootstrap__AdminPassword:-$(cat .data/admin-password)}"
  export Rectify__DemoData="${Rectify__DemoData:-true}"
  export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5080}"
  export Logging__Console__FormatterName="${Logging__Console__FormatterName:-simple}"
  local url="${ASPNETCORE_URLS%%;*}"
  dotnet src/Rectify.Api/bin/Release/net10.0/Rectify.Api.dll &
  RUN_APP_PID=$!
  local app_pid=$RUN_APP_PID
  for _ in $(seq 1 120); do
    if curl -fs "$url/health/ready" >/dev/null 2>&1; then break; fi
    kill -0 "$app_pid" 2>/dev/null || die "Rectify stopped during start-up (see the log above)"
    sleep 0.5
  done
  cat >&2 <<BANNER

  Rectify 整改 is running: $url
    Web UI:   $url/
    API docs: $url/swagger
    Users:    admin / $Rectify__Bootstrap__AdminPassword   (administrator)
BANNER
  if [ "$Rectify__DemoData" = true ]; then
    cat >&2 <<BANNER
              lgo / ${Rectify__Demo__Password:-Demo@2026}   (领导小组办公室 leading-group office)
              fpb / ${Rectify__Demo__Password:-Demo@2026}   (县扶贫办 responsible unit)
              zfz / ${Rectify__Demo__Password:-Demo@2026}   (章凤镇 township)
              dcs / ${Rectify__Demo__Password:-Demo@2026}   (县委督查室 supervision office)
BANNER
  fi
  echo "  Press Ctrl-C to stop." >&2
  wait "$app_pid" || true
  RUN_APP_PID=""
}

# slowest_tests DIR: the ten slowest tests of the run's .trx files, so the suite's time has names (issue 18: under 15 min).
slowest_tests() {
  local f
  for f in "$1"/*.trx; do [ -f "$f" ] && grep -o '<UnitTestResult [^>]*>' "$f"; done \
    | sed -n 's/.*testName="\([^"]*\)".*duration="\([0-9:.]*\)".*/\2 \1/p' \
    | sort -r | sed -n '1,10s/^/  slowest: /p' >&2 || true
}

# test_packages: what the tests need from Debian, installed when missing.
test_packages() {
  ensure_postgres
  # Postfix for the end-to-end mail test (a throwaway instance per test on loopback): preseeded "Local only" so the
  # package's own instance, should an init system start it, listens on loopback and relays nothing.
  if ! dpkg -s postfix >/dev/null 2>&1 && command -v debconf-set-selections >/dev/null; then
    printf '%s\n' "postfix postfix/main_mailer_type select Local only" "postfix postfix/mailname string localhost" | debconf-set-selections
  fi
  apt_install chromium fonts-noto-cjk python3-aiosmtpd postfix prometheus
  # LibreOffice and poppler print the documents we generate to PDF and read them back, as an office would.
  apt_install libreoffice-calc-nogui libreoffice-writer-nogui poppler-utils
}

cmd_test() {
  ensure_dotnet
  TEST_TMP="$(mktemp -d /tmp/rectify-test.XXXXXX)"
  local tmp="$TEST_TMP"
  chmod 755 "$tmp"
  FORMAT_PID=""; PACKAGES_PID=""
  cleanup() {
    trap - EXIT; trap '' INT TERM
    if [ -n "$FORMAT_PID" ]; then kill "$FORMAT_PID" 2>/dev/null || true; wait "$FORMAT_PID" 2>/dev/null || true; fi
    # An installation is left to finish, never cut off: an interrupted dpkg breaks the next apt-get on the machine.
    if [ -n "$PACKAGES_PID" ]; then wait "$PACKAGES_PID" 2>/dev/null || true; fi
    [ -n "${PGBIN:-}" ] && pg_stop "$TEST_TMP/pg"
    rm -rf "$TEST_TMP"
  }
  on_exit cleanup
  # On a fresh machine the Debian packages (a browser, an office suite, PostgreSQL) take minutes to install; the build
  # needs none of them, so they install beside it (issue 18: the suite under 15 minutes on CI).
  local started=$SECONDS
  test_packages >"$tmp/packages.log" 2>&1 &
  PACKAGES_PID=$!
  build Debug
  log "built in $((SECONDS - started)) s"
  local pid="$PACKAGES_PID"; PACKAGES_PID=""
  wait "$pid" || { cat "$tmp/packages.log" >&2; die "installing the test packages failed"; }
  grep -v '^debconf: delaying' "$tmp/packages.log" >&2 || true
  log "packages ready after $((SECONDS - started)) s"
  ensure_postgres
  local port; port="$(free_port)"
  log "starting a throwaway PostgreSQL on 127.0.0.1:$port"
  pg_start "$tmp/pg" "$port" throwaway
  export RECTIFY_TEST_PG="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Maximum Pool Size=20"
  local results="$tmp/results" rc=0 style=0
  # The whole suite also checks the code style (.editorconfig, issue 18): drift fails the run like a failed test. The build
  # above already enforces what `dotnet format`'s style and analyzer passes would check (warnings are errors, and
  # EnforceCodeStyleInBuild reports the style rules .editorconfig raises to warning), so only the whitespace pass is left
  # to run: 35 CPU s against 231 for all three passes, which compile every project a second time (docs/performance.md,
  # "The suite"). It only reads the sources, so it runs beside the tests.
  if [ $# -eq 0 ]; then
    log "checking the code style (dotnet format whitespace --verify-no-changes) beside the tests"
    dotnet format whitespace Rectify.sln --verify-no-changes --no-restore >"$tmp/format.log" 2>&1 &
    FORMAT_PID=$!
  fi
  log "running the tests"
  local tests_started=$SECONDS
  # Extra arguments narrow the run, e.g. ./rectify.sh test tests/Rectify.Workflows.Tests --filter Calendar
  # The tests' temporary files (uploads, imports, browser profiles) go under the run's directory, removed with it.
  mkdir -m 1777 "$tmp/tmp"
  # Without tiered PGO the tests' processes (test hosts, chaos nodes) spend less CPU on instrumenting and re-compiling
  # code they run only a few times: 38-39 vs 43 CPU s for the same tests side by side (docs/performance.md, "The suite").
  # -m:4: the four test projects start together. By default dotnet test runs as many as there are cores (two here), so
  # the Notifications and Workflows tests (a minute, mostly waiting on sockets) began only after the Api and browser
  # tests had ended (a fresh machine, 2 December 2026: the tests ran 582 s, the last 58 of them the Notifications alone).
  DOTNET_TieredPGO=0 TMPDIR="$tmp/tmp" dotnet test "${@:-Rectify.sln}" -c Debug --no-build -m:4 --results-directory "$results" --logger "trx;LogFilePrefix=results" --logger "console;verbosity=minimal" -- xUnit.ParallelizeTestCollections=true || rc=$?
  local passed=0 failed=0 skipped=0 f
  for f in "$results"/*.trx; do
    [ -f "$f" ] || continue
    local counters
    counters="$(grep -o '<Counters [^>]*>' "$f" | head -1)"
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); passed=$((passed + ${p:-0}))
    x=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters"); failed=$((failed + ${x:-0}))
    e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters"); failed=$((failed + ${e:-0}))
    s=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters"); skipped=$((skipped + ${s:-0}))
  done
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; log "the test run failed outside any test (exit $rc)"; fi
  log "tests ran in $((SECONDS - tests_started)) s; $((SECONDS - started)) s since the build started"
  if [ -n "$FORMAT_PID" ]; then
    local pid="$FORMAT_PID"; FORMAT_PID=""
    if ! wait "$pid"; then
      grep -E ' (error|warning) ' "$tmp/format.log" | sed "s|$ROOT/||" | head -40 >&2
      log "the code style drifted: 'dotnet format Rectify.sln' fixes it"
      style=1
    fi
  fi
  slowest_tests "$results"
  # RECTIFY_TEST_RESULTS=DIR keeps the .trx files (durations, failures' output) after the run.
  if [ -n "${RECTIFY_TEST_RESULTS:-}" ]; then mkdir -p "$RECTIFY_TEST_RESULTS" && cp "$results"/*.trx "$RECTIFY_TEST_RESULTS"/ 2>/dev/null; fi
  failed=$((failed + style))
  if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; log "no test ran"; fi
  if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
  [ "$failed" -eq 0 ]
}

# Backup and restore of the local cluster of `run` (docs/operations.md shows the same for any server).
local_pg_env() {
  ensure_postgres
  PG_LOCAL_DIR="$(local_pgdir)"
  [ -f "$PG_LOCAL_DIR/port" ] || die "no local cluster in $PG_LOCAL_DIR (start ./rectify.sh run once)"
  PG_LOCAL_PORT="$(cat "$PG_LOCAL_DIR/port")"
  if [ ! -f "$PG_LOCAL_DIR/data/postmaster.pid" ]; then pg_start "$PG_LOCAL_DIR" "$PG_LOCAL_PORT" durable; PG_LOCAL_STARTED=1; else PG_LOCAL_STARTED=0; fi
}

cmd_backup() {
  local file="${1:?usage: ./rectify.sh backup FILE}"
  local_pg_env
  as_postgres "$PGBIN/pg_dump" -h "$PG_LOCAL_DIR" -p "$PG_LOCAL_PORT" --format=custom --no-owner rectify > "$file"
  [ "$PG_LOCAL_STARTED" = 1 ] && pg_stop "$PG_LOCAL_DIR"
  log "backup written to $file"
}

cmd_restore() {
  local file="${1:?usage: ./rectify.sh restore FILE [DATABASE]}" db="${2:-rectify_restored}"
  local_pg_env
  as_postgres "$PGBIN/createdb" -h "$PG_LOCAL_DIR" -p "$PG_LOCAL_PORT" "$db"
  as_postgres "$PGBIN/pg_restore" -h "$PG_LOCAL_DIR" -p "$PG_LOCAL_PORT" --no-owner --dbname="$db" < "$file"
  [ "$PG_LOCAL_STARTED" = 1 ] && pg_stop "$PG_LOCAL_DIR"
  log "restored into database $db"
}

cmd_help() {
  cat <<'HELP'
Usage: ./rectify.sh COMMAND
  run     install what is missing, build, start a local PostgreSQL (unless ConnectionStrings__Rectify is set),
          migrate, load the demo campaign and serve the UI and API on http://127.0.0.1:5080
  test    install what is missing and run every test against a throwaway PostgreSQL
  bench   run the benchmarks (figures go to docs/performance.md); `bench scale`: the million-item campaign (issue 17)
  chaos   run the cluster fault-injection proof
  backup FILE / restore FILE [DB]   pg_dump / pg_restore of the local cluster of `run`
HELP
}

case "${1:-help}" in
  run) shift; cmd_run "$@" ;;
  test) shift; cmd_test "$@" ;;
  bench) shift; if [ "${1:-}" = scale ]; then shift; exec scripts/bench-scale.sh "$@"; fi
         [ -x scripts/bench.sh ] || die "no benchmarks yet"; exec scripts/bench.sh "$@" ;;
  chaos) shift; [ -x scripts/chaos.sh ] || die "no chaos run yet"; exec scripts/chaos.sh "$@" ;;
  backup) shift; cmd_backup "$@" ;;
  restore) shift; cmd_restore "$@" ;;
  help|-h|--help) cmd_help ;;
  *) cmd_help; exit 2 ;;
esac
