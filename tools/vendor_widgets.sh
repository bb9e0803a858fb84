#!/usr/bin/env bash
# Re-vendor @jupyter-widgets/html-manager (renders the saved widget state in the docs with no CDN) from the npm registry:
#   bash tools/vendor_widgets.sh [VERSION]    # default: the version in docs_assets/vendor/html-manager/VERSION
# Copies dist/embed.js (the self-contained renderer, no require.js), its third-party notices and Font Awesome's woff2
# fonts (loaded relative to the script) into docs_assets/vendor/html-manager/; tools/docs.py points the pages at it.
set -euo pipefail
cd "$(dirname "$0")/.."
D=docs_assets/vendor/html-manager; V=${1:-$(cat "$D/VERSION" 2>/dev/null || echo 1.0.15)}; T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
(cd "$T" && npm pack --silent "@jupyter-widgets/html-manager@$V" >/dev/null && tar xzf ./*.tgz)
mkdir -p "$D"; rm -f "$D"/embed.js "$D"/*.woff2
cp "$T"/package/dist/embed.js "$T"/package/dist/*.woff2 "$D"/ && cp "$T"/package/dist/embed.js.LICENSE.txt "$D"/THIRD-PARTY-NOTICES.txt
echo "$V" > "$D/VERSION"; (cd "$D" && sha256sum embed.js *.woff2 > SHA256SUMS)
echo "vendored @jupyter-widgets/html-manager@$V into $D ($(du -sh "$D" | cut -f1))"
