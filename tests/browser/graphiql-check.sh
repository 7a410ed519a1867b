#!/usr/bin/env bash
# GraphiQL in a real browser with no internet: starts the reference server (embedded SQLite, demo
# data) and has Debian's chromium, headless, driven by playwright-core, load GraphiQL from it
# with every other host blocked, run the seed's login mutation from the editor and find the
# session in the result pane. Installs chromium (apt) and playwright-core (npm ci) if missing.
#
#   tests/browser/graphiql-check.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
(cd "$here" && npm ci --no-audit --no-fund --silent)
(cd "$root" && cargo build --quiet -p shopql-reference)

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
data="$(mktemp -d)"
"${CARGO_TARGET_DIR:-$root/target}/debug/shopql-reference" \
  --addr "127.0.0.1:$port" --database-url "sqlite://$data/shopql.db" --demo --log warn \
  >"$data/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 300); do
  if curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
if ! node "$here/graphiql.mjs" "http://127.0.0.1:$port/client/graphql"; then
  echo "--- the server's log" >&2
  tail -n 50 "$data/server.log" >&2
  exit 1
fi
