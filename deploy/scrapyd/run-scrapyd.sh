#!/usr/bin/env bash
# Run a Scrapyd node with deploy/scrapyd/scrapyd.conf, its state under one data directory.
#
# Environment:
#   NEWSCRAWL_SCRAPYD_DATA_DIR  eggs, dbs and logs go here (default: ./data/scrapyd of the repo)
#   NEWSCRAWL_SCRAPYD_CONF      the configuration to use (default: scrapyd.conf beside this script)
#   SCRAPYD_USERNAME, SCRAPYD_PASSWORD   basic auth (read by Scrapyd itself; never written to disk)
#   SCRAPYD_BIND_ADDRESS, SCRAPYD_HTTP_PORT  override bind_address / http_port
#   SCRAPYD                     the scrapyd executable (default: scrapyd beside python, else on PATH)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data_dir=${NEWSCRAWL_SCRAPYD_DATA_DIR:-$here/../../data/scrapyd}
conf=${NEWSCRAWL_SCRAPYD_CONF:-$here/scrapyd.conf}
scrapyd=${SCRAPYD:-$(command -v scrapyd || true)}
if [ -z "$scrapyd" ] && [ -x "$here/../../.venv/bin/scrapyd" ]; then
    scrapyd=$here/../../.venv/bin/scrapyd
fi
[ -n "$scrapyd" ] || { echo "run-scrapyd: scrapyd not found (set SCRAPYD or activate the venv)" >&2; exit 1; }
[ -f "$conf" ] || { echo "run-scrapyd: no configuration at $conf" >&2; exit 1; }
if { [ -n "${SCRAPYD_USERNAME:-}" ] && [ -z "${SCRAPYD_PASSWORD:-}" ]; } ||
   { [ -z "${SCRAPYD_USERNAME:-}" ] && [ -n "${SCRAPYD_PASSWORD:-}" ]; }; then
    echo "run-scrapyd: set both SCRAPYD_USERNAME and SCRAPYD_PASSWORD, or neither" >&2
    exit 1
fi
if [ -z "${SCRAPYD_USERNAME:-}" ]; then
    echo "run-scrapyd: warning: SCRAPYD_USERNAME/SCRAPYD_PASSWORD unset, the API is open to anyone who can reach it" >&2
fi

mkdir -p "$data_dir"
cp "$conf" "$data_dir/scrapyd.conf"
cd "$data_dir"
# --pidfile= : no twistd.pid, so a node killed hard starts again without cleanup
exec "$scrapyd" --pidfile= "$@"
