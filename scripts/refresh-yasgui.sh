#!/usr/bin/env bash
# Refresh the query editor that `clustergraph serve` ships (clustergraph/publishing/static/yasgui/)
# from the npm registry: @zazuko/yasgui, the maintained fork of TriplyDB's YASGUI (MIT).
# The server never loads it from a CDN: the files are committed with the package.
# Usage: scripts/refresh-yasgui.sh [VERSION]   (default: the version in VERSION, or latest)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=clustergraph/publishing/static/yasgui
version="${1:-latest}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@zazuko/yasgui@$version" >/dev/null && tar xzf zazuko-yasgui-*.tgz)
cp "$work/package/build/yasgui.min.js" "$work/package/build/yasgui.min.css" "$dest/"
node -e 'const p=require(process.argv[1]); console.log(p.version)' "$work/package/package.json" > "$dest/VERSION"
echo "@zazuko/yasgui $(cat "$dest/VERSION") copied to $dest (check LICENSE still applies: MIT)"
