#!/usr/bin/env bash
# Scheduler container: deploy the project to every node, then run deploy/cron/newscrawl.cron.
# Settings come from the container's environment (docker-compose.yml / --env-file).
set -euo pipefail
: "${NEWSCRAWL_SCRAPYD_NODES:?set NEWSCRAWL_SCRAPYD_NODES}"
: "${SCRAPYD_USERNAME:?set SCRAPYD_USERNAME}"
: "${SCRAPYD_PASSWORD:?set SCRAPYD_PASSWORD}"

# the nodes may still be starting
for attempt in $(seq 1 30); do
    if /opt/newscrawl/scripts/scrapyd-deploy-all.sh; then break; fi
    [ "$attempt" -lt 30 ] || { echo "scheduler: deploy failed" >&2; exit 1; }
    sleep 5
done

# cron starts jobs with an empty environment: hand it ours in a file only root can read
install -d -m 0700 /etc/newscrawl
env_file=/etc/newscrawl/newscrawl.env
( umask 077; env | grep -E '^(SCRAPYD_|NEWSCRAWL_|MONGODB_|REDIS_URL=|BASE_URL=|LOG_LEVEL=|PATH=)' > "$env_file" )
echo "NEWSCRAWL_SUBMIT_LOG=/proc/1/fd/1" >> "$env_file"
crontab /opt/newscrawl/deploy/cron/newscrawl.cron
exec cron -f
