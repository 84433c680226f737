#!/usr/bin/env bash
# The named schedules, one place for cron, systemd and the scheduler container:
#   scrapyd-schedule.sh articles [EDITION]   incremental article crawl (what appeared in the last 2 days)
#   scrapyd-schedule.sh breaking [EDITION]   one capture of the breaking-news ticker
#   scrapyd-schedule.sh backfill [EDITION]   every monthly sitemap; only new or changed articles are fetched
# EDITION: a profile of newscrawl.sites (en, the default, or ar). The Arabic edition's listings show
# one page ("load more" by script), so its incremental run also reads the current month's sitemap.
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

edition=${2:-en}
case "$edition" in
    en) edition_args=() ; discover_recent=listings ;;
    ar) edition_args=(-a edition=ar) ; discover_recent=listings,sitemaps ;;
    *)
        echo "usage: $0 articles|breaking|backfill [en|ar]" >&2
        exit 2 ;;
esac
since=$(date -u -d '2 days ago' +%F)
case "${1:-}" in
    articles)
        # listing pages newest first; paging stops at a page wholly older than `since`,
        # and articles already stored and unchanged are not fetched again
        set -- almayadeen "${edition_args[@]}" -a discover="$discover_recent" -a since="$since" ;;
    breaking)
        set -- breaking "${edition_args[@]}" ;;
    backfill)
        set -- almayadeen "${edition_args[@]}" -a discover=sitemaps ;;
    *)
        echo "usage: $0 articles|breaking|backfill [en|ar]" >&2
        exit 2 ;;
esac
echo "$(date -u +%FT%TZ) newscrawl submit $*"
exec "$newscrawl" submit "$@"
