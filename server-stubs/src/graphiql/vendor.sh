#!/usr/bin/env bash
# Refreshes the GraphiQL assets the server serves itself (so GraphiQL works with no internet):
# pinned npm packages, checked against their registry integrity, gzipped deterministically
# (`-n`: no name or time stamp) so that the same versions always give the same bytes.
#
#   server-stubs/src/graphiql/vendor.sh        # needs npm and the npm registry
#
# To move to new versions, change the three lines below (the integrity is what
# `npm view <package>@<version> dist.integrity` prints) and the file names in `graphiql.rs`.
set -euo pipefail
cd "$(dirname "$0")/assets"
packages=(
  "graphiql 3.8.3 sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw=="
  "react 18.3.1 sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ=="
  "react-dom 18.3.1 sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw=="
)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for entry in "${packages[@]}"; do
  read -r name version integrity <<<"$entry"
  tarball=$(cd "$work" && npm pack --silent "$name@$version")
  actual="sha512-$(openssl dgst -sha512 -binary "$work/$tarball" | base64 -w0)"
  if [[ "$actual" != "$integrity" ]]; then
    echo "$name@$version: integrity $actual, expected $integrity" >&2
    exit 1
  fi
  mkdir -p "$work/$name"
  tar -xzf "$work/$tarball" -C "$work/$name"
  cp "$work/$name/package/LICENSE" "LICENSE-$name"
done
gzip -9nc "$work/graphiql/package/graphiql.min.js" >graphiql-3.8.3.min.js.gz
gzip -9nc "$work/graphiql/package/graphiql.min.css" >graphiql-3.8.3.min.css.gz
gzip -9nc "$work/react/package/umd/react.production.min.js" >react-18.3.1.production.min.js.gz
gzip -9nc "$work/react-dom/package/umd/react-dom.production.min.js" >react-dom-18.3.1.production.min.js.gz
ls -l
