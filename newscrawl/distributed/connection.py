"""One Redis client per crawler, with timeouts short enough never to stall the reactor for long.

redis-py retries a failed command itself (with sleeps, on the reactor thread); here it must
not: a failure is reported at once and the RedisGuard decides when to try again.
"""

from __future__ import annotations

import re

from redis.backoff import NoBackoff
from redis.retry import Retry
from scrapy.utils.misc import load_object
from scrapy_redis import connection as scrapy_redis_connection
from scrapy_redis import defaults as scrapy_redis_defaults

DEFAULT_PARAMS = {
    "socket_timeout": 5.0,
    "socket_connect_timeout": 2.0,
    "retry_on_timeout": False,
    "health_check_interval": 15,
}
_PASSWORD = re.compile(r"(?<=://)([^:@/]*):([^@/]*)@")


def mask_url(url: str | None) -> str:
    """The URL with any password replaced by ***, for logs and messages."""
    if not url:
        return "redis://localhost:6379 (default)"
    return _PASSWORD.sub(lambda m: f"{m.group(1)}:***@", url)


def redis_from_settings(settings):
    """A client for REDIS_URL (or REDIS_HOST/PORT...) with REDIS_PARAMS over our defaults.

    The same reading of the settings as scrapy-redis's get_redis_from_settings.
    """
    params = {**scrapy_redis_defaults.REDIS_PARAMS, **DEFAULT_PARAMS, **settings.getdict("REDIS_PARAMS")}
    for setting, param in scrapy_redis_connection.SETTINGS_PARAMS_MAP.items():
        if settings.get(setting):
            params[param] = settings.get(setting)
    if isinstance(params.get("redis_cls"), str):
        params["redis_cls"] = load_object(params["redis_cls"])
    server = scrapy_redis_connection.get_redis(**params)
    server.set_retry(Retry(NoBackoff(), 0))
    return server


def get_redis(crawler):
    """The crawler's shared client (scheduler, dupefilter, lease keeper, idle extension)."""
    server = getattr(crawler, "_newscrawl_redis", None)
    if server is None:
        server = redis_from_settings(crawler.settings)
        crawler._newscrawl_redis = server
    return server
