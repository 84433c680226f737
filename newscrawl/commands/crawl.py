"""`scrapy crawl`, with a non-zero exit when the crawl's health monitors failed it.

Scrapy's own command exits 1 only when the crawler could not start; a run that
"succeeds" while storing empty bylines must fail loudly for cron, systemd and CI.
"""

from __future__ import annotations

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

FAILED_EXIT_CODE = 3


class Command(ScrapyCrawl):
    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("running 'scrapy crawl' needs exactly one spider name")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        elif crawler.stats.get_value("health/status") == "failed":
            self.exitcode = FAILED_EXIT_CODE
