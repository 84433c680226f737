#!/usr/bin/env bash
# Deploy the project (one egg, built once) to every node of NEWSCRAWL_SCRAPYD_NODES with scrapyd-deploy.
# Credentials: SCRAPYD_USERNAME / SCRAPYD_PASSWORD (expanded by scrapyd-deploy, never written to disk).
# Usage: scripts/scrapyd-deploy-all.sh [URL[,URL...]]   (default: $NEWSCRAWL_SCRAPYD_NODES)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
nodes=${1:-${NEWSCRAWL_SCRAPYD_NODES:-}}
[ -n "$nodes" ] || { echo "scrapyd-deploy-all: no nodes (argument or NEWSCRAWL_SCRAPYD_NODES)" >&2; exit 2; }
deploy=${SCRAPYD_DEPLOY:-$(command -v scrapyd-deploy || echo "$root/.venv/bin/scrapyd-deploy")}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
"$deploy" --build-egg "$work/newscrawl.egg" 2>"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }

# one target per node in a user-level scrapy.cfg of our own; the repo's targets stay as they are
export XDG_CONFIG_HOME=$work
i=0
IFS=', ' read -r -a urls <<<"$nodes"
for url in "${urls[@]}"; do
    [ -n "$url" ] || continue
    i=$((i + 1))
    printf '[deploy:node%d]\nurl = %s\nproject = newscrawl\nusername = ${SCRAPYD_USERNAME}\npassword = ${SCRAPYD_PASSWORD}\n\n' \
        "$i" "$url" >>"$work/scrapy.cfg"
done
failed=0
for n in $(seq 1 "$i"); do
    "$deploy" "node$n" --egg "$work/newscrawl.egg" || failed=1
done
exit $failed
