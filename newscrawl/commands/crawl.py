"""`scrapy crawl`, with a non-zero exit when the site could not be reached or the monitors failed.

Scrapy's own command exits 1 only when the crawler could not start; a run that
"succeeds" while storing empty bylines, or that never reached the site, must fail
loudly for cron, systemd and CI. Exit codes (README, "Crawl health"):

    0  the run passed its monitors (warnings included)
    1  the crawler could not start (Scrapy's own)
    2  bad usage (Scrapy's own)
    3  the run failed its monitors
    4  the site's host name does not resolve (DNS)
    5  the site refused the connection
    6  the TLS handshake with the site failed
    7  the site did not answer in time
    8  the site blocked the crawler (403 or a challenge page on every start URL)
    9  another network error before the site answered anything
"""

from __future__ import annotations

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from newscrawl.health.reachability import EXIT_CODES

FAILED_EXIT_CODE = 3


def exit_code(stats: dict, bootstrap_failed: bool = False) -> int:
    if bootstrap_failed:
        return 1
    reason = stats.get("finish_reason")
    if reason in EXIT_CODES:
        return EXIT_CODES[reason]
    if stats.get("health/status") == "failed":
        return FAILED_EXIT_CODE
    return 0


class Command(ScrapyCrawl):
    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("running 'scrapy crawl' needs exactly one spider name")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        self.exitcode = exit_code(crawler.stats.get_stats(), bool(self.crawler_process.bootstrap_failed))
