"""DistributedAddon: REDIS_URL (or NEWSCRAWL_DISTRIBUTED=True) turns a crawl into a worker of a shared frontier.

List it in ADDONS; without REDIS_URL and NEWSCRAWL_DISTRIBUTED it changes nothing, and
NEWSCRAWL_DISTRIBUTED=False turns it off even with REDIS_URL set. Settings are applied
at add-on priority, so anything set in settings.py, a spider or on the command line wins.
"""

from __future__ import annotations

import logging

from newscrawl.distributed.connection import mask_url
from newscrawl.distributed.keys import DUPEFILTER_KEY_TEMPLATE, QUEUE_KEY_TEMPLATE

logger = logging.getLogger(__name__)

SETTINGS = {
    "SCHEDULER": "newscrawl.distributed.scheduler.DistributedScheduler",
    "DUPEFILTER_CLASS": "newscrawl.distributed.dupefilter.FrontierDupeFilter",
    "SCHEDULER_SERIALIZER": "newscrawl.distributed.serializer",
    "SCHEDULER_PERSIST": True,
    "SCHEDULER_QUEUE_KEY": QUEUE_KEY_TEMPLATE,
    "SCHEDULER_DUPEFILTER_KEY": DUPEFILTER_KEY_TEMPLATE,
    "SCHEDULER_IDLE_BEFORE_CLOSE": 0,  # never a blocking pop on the reactor thread
}
IDLE_EXTENSION = "newscrawl.distributed.idle.IdleClose"
IDLE_EXTENSION_ORDER = 600


def enabled(settings) -> bool:
    if settings.get("NEWSCRAWL_DISTRIBUTED") not in (None, ""):
        return settings.getbool("NEWSCRAWL_DISTRIBUTED")
    return bool(settings.get("REDIS_URL"))


class DistributedAddon:
    def update_settings(self, settings) -> None:
        if not enabled(settings):
            return
        for name, value in SETTINGS.items():
            settings.set(name, value, "addon")
        from newscrawl.distributed.idle import IdleClose

        extensions = settings.getdict("EXTENSIONS")
        if not any(key in (IDLE_EXTENSION, IdleClose) for key in extensions):
            settings.set_in_component_priority_dict("EXTENSIONS", IdleClose, IDLE_EXTENSION_ORDER)
        logger.info("distributed crawling on Redis %s", mask_url(settings.get("REDIS_URL")))
