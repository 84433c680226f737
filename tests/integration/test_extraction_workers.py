"""Extraction in worker processes (newscrawl.extract.workers): real child processes over a real socket pair.

The expected fields are the seed article's hand-checked ones (tests/fixtures), not the output of
the extractor run here; a dead worker or an error in one must still give every page.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from datetime import datetime
from pathlib import Path

import pytest

from newscrawl.extract.workers import ExtractionWorkers, default_processes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEED = (FIXTURES / "seed-article.html").read_bytes()
EXPECTED = json.loads((FIXTURES / "seed-article.expected.json").read_text(encoding="utf-8"))
URL = EXPECTED["url"]
DEADLINE = 60.0  # seconds for any one step; a worker starts in about one


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, DEADLINE))


def extract_once(workers: ExtractionWorkers):
    """One seed page through ``workers``, which are closed after; their counts stay readable."""
    async def scenario():
        try:
            return await workers.extract(SEED, URL, "en")
        finally:
            await workers.close()

    return run(scenario())


def assert_seed(extraction) -> None:
    fields = extraction.fields
    assert fields["title"] == "Blinken calls for immediate halt to Armenia, Azerbaijan fight"
    assert fields["postid"] == "57923"
    assert fields["section"] == "news/politics"
    assert fields["authors"] == EXPECTED["authors"]
    assert fields["body"].startswith(EXPECTED["body"][:200])
    assert isinstance(fields["published_at"], datetime)
    assert fields["extraction"] == "site"


def test_pages_are_extracted_by_the_worker_processes():
    async def scenario():
        workers = ExtractionWorkers(2)
        try:
            results = await asyncio.gather(*(workers.extract(SEED, URL, "en") for _ in range(6)))
            pids = {w.proc.pid for w in workers.workers}
            started = list(workers.workers)
        finally:
            await workers.close()
        return results, dict(workers.counts), pids, started, workers.cpu_seconds

    results, counts, pids, started, cpu_seconds = run(scenario())
    for extraction in results:
        assert_seed(extraction)
    assert counts == {"worker": 6, "inline": 0, "fallback": 0}
    assert len(pids) == 2 and os.getpid() not in pids
    assert all(w.proc.returncode == 0 for w in started)  # close() ended them: EOF, then a clean exit
    assert cpu_seconds > 0  # the workers' own CPU, for the crawl's stats (importing lxml alone costs some)


def test_no_processes_means_every_page_is_extracted_inline():
    workers = ExtractionWorkers(0)
    assert_seed(extract_once(workers))
    assert workers.counts == {"worker": 0, "inline": 1, "fallback": 0} and workers._started is None


def test_a_killed_worker_loses_no_page_and_says_why():
    async def scenario():
        workers = ExtractionWorkers(1)
        try:
            assert_seed(await workers.extract(SEED, URL, "en"))  # the worker is up
            worker = workers.workers[0]
            pending = [asyncio.ensure_future(workers.extract(SEED, URL, "en")) for _ in range(3)]
            os.kill(worker.proc.pid, signal.SIGKILL)
            await asyncio.get_running_loop().run_in_executor(None, worker.proc.wait)
            results = await asyncio.gather(*pending)
            await worker.task  # the crawler has seen the worker go (EOF), whether or not a page was in flight
            after = await workers.extract(SEED, URL, "en")
            return results + [after], dict(workers.counts), list(workers.failures), list(workers.workers)
        finally:
            await workers.close()

    results, counts, failures, remaining = run(scenario())
    for extraction in results:
        assert_seed(extraction)
    # 1 before the kill; of the 3 in flight some may have been answered before the kill landed
    assert counts["worker"] + counts["fallback"] == 4 and counts["worker"] >= 1
    assert counts["inline"] == 1  # the page after the worker was gone
    assert failures == ["the worker exited"] and remaining == []


def test_an_error_in_the_worker_is_redone_in_the_crawler(tmp_path):
    # a profile key no worker knows raises there (UnknownSite); redone here it raises the same, to the caller
    async def scenario():
        workers = ExtractionWorkers(1)
        try:
            with pytest.raises(ValueError, match="unknown edition or site 'zz'"):
                await workers.extract(SEED, URL, "zz")
            ok = await workers.extract(SEED, URL, "en")  # the worker is still serving
            return ok, dict(workers.counts), list(workers.failures)
        finally:
            await workers.close()

    ok, counts, failures = run(scenario())
    assert_seed(ok)
    assert counts == {"worker": 1, "inline": 0, "fallback": 1} and failures == []


def test_one_worker_per_spare_core_at_most_two(monkeypatch):
    for cores, expected in ((None, 0), (1, 0), (2, 1), (3, 2), (16, 2)):
        monkeypatch.setattr(os, "cpu_count", lambda cores=cores: cores)
        assert default_processes() == expected


def test_without_an_asyncio_loop_pages_are_extracted_inline():
    # a reactor other than asyncio's runs the callback's coroutine with no asyncio loop: no worker can answer
    workers = ExtractionWorkers(2)
    coro = workers.extract(SEED, URL, "en")
    with pytest.raises(StopIteration) as done:
        coro.send(None)
    assert_seed(done.value.value)
    assert workers.counts == {"worker": 0, "inline": 1, "fallback": 0} and workers.workers == []


def test_a_worker_that_cannot_be_started_leaves_extraction_inline(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(24, "Too many open files")

    monkeypatch.setattr("newscrawl.extract.workers.subprocess.Popen", refuse)

    workers = ExtractionWorkers(2)
    assert_seed(extract_once(workers))
    assert workers.counts == {"worker": 0, "inline": 1, "fallback": 0}
    assert workers.failures == ["start: OSError: [Errno 24] Too many open files"]
