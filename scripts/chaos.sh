#!/usr/bin/env bash
# ./rectify.sh chaos [--items N] [--nodes N] [--kill-every S] [--pg-outage S] [--smtp-outage S] …
# Three nodes, one PostgreSQL (fsync on), one SMTP server; faults while storms of timers fire; exits non-zero on any
# loss or duplicate. Figures go to docs/reliability.md by hand, with machine and date.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
for pkg in postgresql python3-aiosmtpd; do
  dpkg -s "$pkg" >/dev/null 2>&1 || { apt-get update -q >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null; }
done
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | head -1)"
dotnet build Rectify.sln -c Release -nologo -v q -clp:NoSummary >/dev/null
exec dotnet tools/Rectify.Chaos/bin/Release/net10.0/Rectify.Chaos.dll \
  --pg-bin "$PGBIN" --app src/Rectify.Api/bin/Release/net10.0/Rectify.Api.dll "$@"
