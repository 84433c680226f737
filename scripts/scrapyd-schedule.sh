#!/usr/bin/env bash
# The named schedules, one place for cron, systemd and the scheduler container:
#   scrapyd-schedule.sh articles   incremental article crawl (listings of the last 2 days)
#   scrapyd-schedule.sh breaking   one capture of the breaking-news ticker
#   scrapyd-schedule.sh backfill   every monthly sitemap; only new or changed articles are fetched
# Each runs `newscrawl submit`, which skips the job when the same one is pending or running.
#
# Environment (or NEWSCRAWL_ENV_FILE, a file of NAME=value lines read first):
#   NEWSCRAWL_SCRAPYD_NODES, SCRAPYD_USERNAME, SCRAPYD_PASSWORD   see `newscrawl submit -h`
#   NEWSCRAWL_SUBMIT_LOG   append the output here (default: stdout)
#   NEWSCRAWL           the newscrawl command (default: newscrawl on PATH, else the repo's .venv)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -n "${NEWSCRAWL_ENV_FILE:-}" ]; then
    set -a
    # shellcheck disable=SC1090
    . "$NEWSCRAWL_ENV_FILE"
    set +a
fi
if [ -n "${NEWSCRAWL_SUBMIT_LOG:-}" ]; then
    exec >>"$NEWSCRAWL_SUBMIT_LOG" 2>&1
fi
newscrawl=${NEWSCRAWL:-$(command -v newscrawl || echo "$here/../.venv/bin/newscrawl")}

case "${1:-}" in
    articles)
        # listing pages newest first; paging stops at a page wholly older than `since`,
        # and articles already stored and unchanged are not fetched again
        set -- almayadeen -a discover=listings -a since="$(date -u -d '2 days ago' +%F)" ;;
    breaking)
        set -- breaking ;;
    backfill)
        set -- almayadeen -a discover=sitemaps ;;
    *)
        echo "usage: $0 articles|breaking|backfill" >&2
        exit 2 ;;
esac
echo "$(date -u +%FT%TZ) newscrawl submit $*"
exec "$newscrawl" submit "$@"
