"""`scrapy crawl`, with a non-zero exit when the site could not be reached or the monitors failed.

Scrapy's own command exits 1 only when the crawler could not start; a run that
"succeeds" while storing empty bylines, or that never reached the site, must fail
loudly for cron, systemd and CI. Exit codes (README, "Crawl health"):

    0  the run passed its monitors (warnings included)
    1  the crawler could not start (Scrapy's own)
    2  bad usage: an unknown spider, a bad spider argument or setting (one message, nothing started)
    3  the run failed its monitors
    4  the site's host name does not resolve (DNS)
    5  the site refused the connection
    6  the TLS handshake with the site failed
    7  the site did not answer in time
    8  the site blocked the crawler (403 or a challenge page on every start URL)
    9  another network error before the site answered anything
  130  interrupted by SIGINT (Ctrl-C), 143 by SIGTERM: 128 + the signal's number (finish reason
       `shutdown`; a second signal stops at once with the same code); follow mode (-a follow=true),
       whose normal end is a signal, exits 0 on the first one

Arguments and the project's settings are checked before the crawler is made
(newscrawl.validation): a bad one is reported in one message on stderr, without a traceback.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from newscrawl.health.reachability import EXIT_CODES
from newscrawl.validation import check_settings, check_spider_arguments

FAILED_EXIT_CODE = 3
USAGE_EXIT_CODE = 2
INTERRUPTED_REASON = "shutdown"
FORCED_EXIT_GRACE = 1.0  # seconds a second signal leaves the reactor to stop before the process exits anyway


def forced_exit(signum: int) -> None:
    """The end of a second signal: what was journaled is on disk (each batch fsynced); the embedded
    store started by this process is told to stop; buffered items not yet journaled are lost."""
    from newscrawl.store import terminate_embedded_servers

    try:
        logging.getLogger(__name__).warning("forced exit: not waiting for the threads still at work")
        terminate_embedded_servers()
        for handler in logging.getLogger().handlers:
            handler.flush()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(128 + signum)


def exit_code(stats: dict, bootstrap_failed: bool = False, interrupted_by: int | None = None) -> int:
    if bootstrap_failed:
        return 1
    reason = stats.get("finish_reason")
    if interrupted_by is not None and reason in (INTERRUPTED_REASON, None):
        # following ends this way (SIGTERM from systemd, Scrapyd's cancel, Ctrl-C): that is no failure
        return 0 if stats.get("follow/mode") else 128 + interrupted_by
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
        name = args[0]
        self.interrupted_by: int | None = None
        self._watch_signals()
        crawler = self._create_crawler(name)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        failed = bool(self.crawler_process.bootstrap_failed)
        self.exitcode = exit_code({} if failed else crawler.stats.get_stats(), failed, self.interrupted_by)

    def process_options(self, args, opts) -> None:
        """Scrapy's options, then the spider, its arguments and the settings checked: before the crawler
        process exists, so that a mistake is one message and nothing else, not even Scrapy's banner."""
        super().process_options(args, opts)
        if len(args) == 1:
            problem = self.bad_input(args[0], opts.spargs)
            if problem:
                print(f"scrapy crawl {args[0]}: error: {problem}", file=sys.stderr)
                sys.exit(USAGE_EXIT_CODE)

    def bad_input(self, name: str, spargs: dict) -> str | None:
        """What is wrong with the spider name, its arguments or the project's settings (None: nothing)."""
        problems = check_settings(self.settings)
        if problems:
            return "\n".join(problems)
        loader = get_spider_loader(self.settings)
        try:
            spidercls = loader.load(name)
        except KeyError:
            return f"no spider named {name!r}; spiders: {', '.join(sorted(loader.list()))}"
        return check_spider_arguments(spidercls, spargs, self.settings)

    def _watch_signals(self) -> None:
        """Remember the first shutdown signal (for the exit code), then let Scrapy handle it: the first
        stops gracefully, a second at once."""
        process = self.crawler_process
        graceful, forced = getattr(process, "_signal_shutdown", None), getattr(process, "_signal_kill", None)
        if graceful is None or forced is None:  # another Scrapy: its own handling, exit codes without signals
            return

        def remember(signum: int) -> None:
            if self.interrupted_by is None:
                self.interrupted_by = signum

        def shutdown(signum, frame):
            remember(signum)
            graceful(signum, frame)

        def kill(signum, frame):
            remember(signum)
            forced(signum, frame)
            # Scrapy stops the reactor, whose shutdown joins its threads: one still waiting for a store that
            # went away would hold the process for its server-selection timeout. A second signal means now.
            timer = threading.Timer(FORCED_EXIT_GRACE, forced_exit, (signum,))
            timer.daemon = True
            timer.start()

        process._signal_shutdown = shutdown  # looked up when the handlers are installed, at start
        process._signal_kill = kill

