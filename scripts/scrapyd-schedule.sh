#!/usr/bin/env bash
# The named schedules, one place for cron, systemd and the scheduler container:
#   scrapyd-schedule.sh articles [EDITION]   incremental article crawl: it fetches what changed (the sitemaps
#                                            whose lastmod moved, the current month's, listings that are due)
#   scrapyd-schedule.sh follow [EDITION]     follow mode, a long job: kept alive by resubmitting (a job
#                                            already pending or running is not doubled)
#   scrapyd-schedule.sh breaking [EDITION]   one capture of the breaking-news ticker
#   scrapyd-schedule.sh backfill [EDITION]   every monthly sitemap, whatever the store says (-a refresh=sitemaps)
# EDITION: a profile of newscrawl.sites (en, the default, or ar).
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
    en) edition_args=() ;;
    ar) edition_args=(-a edition=ar) ;;
    *)
        echo "usage: $0 articles|follow|breaking|backfill [en|ar]" >&2
        exit 2 ;;
esac
case "${1:-}" in
    articles)
        # incremental: the store's schedule says which sitemaps, listings and tags to read
        set -- almayadeen "${edition_args[@]}" ;;
    follow)
        set -- almayadeen "${edition_args[@]}" -a follow=true ;;
    breaking)
        set -- breaking "${edition_args[@]}" ;;
    backfill)
        set -- almayadeen "${edition_args[@]}" -a discover=sitemaps -a refresh=sitemaps ;;
    *)
        echo "usage: $0 articles|follow|breaking|backfill [en|ar]" >&2
        exit 2 ;;
esac
echo "$(date -u +%FT%TZ) newscrawl submit $*"
exec "$newscrawl" submit "$@"
