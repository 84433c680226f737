"""A full crawl with a MongoDB password, a Redis password and secrets in the environment, at
LOG_LEVEL=DEBUG: no secret appears in any log line, the stats file or the data directory."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from newscrawl import settings as project_settings
from tests.e2e.crawl import run_crawl
from tests.integration.test_security_services import (  # noqa: F401 - fixtures
    MONGO_PASSWORD, REDIS_PASSWORD, locked_mongo, locked_redis, stored_urls)
from tests.replica.model import SiteModel

pytestmark = pytest.mark.e2e

ENV_SECRETS = {
    "NEWSCRAWL_ALERT_SMTP_PASSWORD": "Smtp-pw-91c0d2e3",
    "SCRAPYD_PASSWORD": "Scrapyd-pw-4e5f6a7b",
    "NEWSCRAWL_API_TOKEN": "tok_8c9d0e1f2a3b",
    "SOME_CLIENT_SECRET": "Client-secret-6b7c8d9e",
}
WEBHOOK_PASSWORD = "Hook-pw-3c4d5e6f"
ADDONS = json.dumps({"newscrawl.distributed.DistributedAddon": 0})
MASKING = json.dumps({**project_settings.EXTENSIONS, "newscrawl.security.SecretsMasking": 0})


def everything_written(workdir: Path) -> dict[str, str]:
    return {str(p): p.read_text(errors="replace") for p in workdir.rglob("*")
            if p.is_file() and p.suffix in (".log", ".json", ".jsonl", ".txt", "")
            and "secantus-auth" not in p.parts}


def test_no_secret_in_any_output(locked_mongo, locked_redis, replica_factory, tmp_path):
    replica = replica_factory(articles=40, seed=5, epoch=1, error_rate=0.05)
    workdir = tmp_path / "crawl"
    env = {**ENV_SECRETS, "MONGODB_URI": locked_mongo.uri(),
           # a failing run posts its alert to this hook (refused here): the attempt is logged
           "NEWSCRAWL_ALERT_WEBHOOK": f"http://alerts:{WEBHOOK_PASSWORD}@127.0.0.1:9/hook"}
    result = run_crawl("almayadeen", workdir, {
        "BASE_URL": replica.url, "LOG_LEVEL": "DEBUG", "MONGODB_DATABASE": "secrets",
        "ADDONS": ADDONS, "REDIS_URL": locked_redis.url, "NEWSCRAWL_IDLE_CLOSE_SECONDS": "3",
        "EXTENSIONS": MASKING, "NEWSCRAWL_MONITOR_EMPTY_LISTINGS_SHARE": "1.01",
    }, env=env, timeout=600)

    # the secrets were really used: articles stored with the Mongo password, the frontier in Redis
    model = SiteModel(seed=5, articles=40, epoch=1)
    assert stored_urls(locked_mongo.uri(), "secrets") == {d["url"] for d in model.truth()} - set(model.invalid), \
        result.log[-3000:]
    assert result.stats.get("frontier/enqueued/redis", 0) > 0, "the crawl never used the Redis frontier"
    assert "DEBUG" in result.log and len(result.log.splitlines()) > 500  # a full debug log was searched

    secrets = [MONGO_PASSWORD, REDIS_PASSWORD, WEBHOOK_PASSWORD, *ENV_SECRETS.values()]
    outputs = {"stderr+log": result.log, **everything_written(workdir)}
    leaks = {(name, secret) for name, text in outputs.items() for secret in secrets if secret in text}
    assert not leaks, sorted(leaks)
    assert re.search(r"(mongodb|redis)://[^\s:]*:\*\*\*@", result.log)  # masked, still readable
