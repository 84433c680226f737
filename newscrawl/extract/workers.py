"""Article extraction in worker processes, so that the crawler's own thread only moves bytes.

Why: the crawler runs on one thread (Twisted's reactor). Extracting an article page costs about
as much CPU as Scrapy's whole handling of the request that fetched it (``python -m bench
pipeline``), and while the reactor extracts it neither downloads nor stores. A worker process
per spare core does the extraction beside it.

How: each worker is ``python -m newscrawl.extract.workers`` with one end of a socket pair. The
crawler writes a frame (request id, profile key, URL, page bytes) without blocking and reads the
reply frame on its event loop; no thread of the crawler's own waits on a worker. A reply is the
pickled ``Extraction``: the pair is private to this crawler and its own child (nothing else can
write to it), which is what makes unpickling it safe; nothing here reads a shared store.

A worker that dies or answers with an error never loses a page: its pending pages, and every
page after it, are extracted in the crawler's own thread, and the fall-back is counted.
No Scrapy or Twisted import here: only asyncio, which the crawler's reactor runs on.
"""

from __future__ import annotations

import asyncio
import marshal
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
from dataclasses import dataclass, field

from newscrawl.extract.article import Extraction, extract_article
from newscrawl.sites import get_profile

FRAME = struct.Struct("!I")  # every frame: its length, then its bytes
MAX_FRAME = 256 * 1024 * 1024  # a reply is a few kB; a request is at most DOWNLOAD_MAXSIZE
HIGH_WATER = 4 * 1024 * 1024  # bytes queued for one worker before a caller waits for the pipe to drain


def default_processes() -> int:
    """One worker per core beyond the crawler's own, at most two; none on a single core."""
    return max(0, min(2, (os.cpu_count() or 1) - 1))


@dataclass
class Worker:
    proc: subprocess.Popen
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    pending: dict[int, tuple[asyncio.Future, bytes, str, str, bool]] = field(default_factory=dict)
    task: asyncio.Task | None = None


class ExtractionWorkers:
    """``await workers.extract(body, url, profile_key, listed)``: an ``Extraction``, from a worker when one is up.

    ``counts`` says how many pages went where ("worker", "inline", "fallback"); ``failures`` the
    reason of each worker that stopped; ``cpu_seconds``, after ``close()``, what the workers used. ``processes=0`` extracts every page inline.
    """

    def __init__(self, processes: int):
        self.processes = max(0, processes)
        self.workers: list[Worker] = []
        self.counts = {"worker": 0, "inline": 0, "fallback": 0}
        self.failures: list[str] = []
        self._started: asyncio.Future | None = None
        self._next_id = 0
        self._closed = False
        self._exited: list[Worker] = []  # stopped before close(): reaped there
        self.cpu_seconds = 0.0  # of the workers that have exited, for the crawl's stats

    async def extract(self, body: bytes, url: str, profile_key: str, listed: bool = False) -> Extraction:
        if self._started is None and self.processes and not self._closed:
            if _asyncio_running():
                self._started = asyncio.ensure_future(self._start())
            else:  # replies are read on the asyncio loop: under a reactor without one, every page is extracted here
                self.processes = 0
        if self._started is not None:
            await self._started
        worker = min(self.workers, key=lambda w: len(w.pending), default=None)
        if worker is None:
            self.counts["inline"] += 1
            return extract_article(body, url, get_profile(profile_key), listed)
        self._next_id += 1
        request_id = self._next_id
        future = asyncio.get_running_loop().create_future()
        worker.pending[request_id] = (future, body, url, profile_key, listed)
        payload = marshal.dumps((request_id, profile_key, url, body, listed))
        worker.writer.write(FRAME.pack(len(payload)) + payload)
        if worker.writer.transport.get_write_buffer_size() > HIGH_WATER:
            try:
                await worker.writer.drain()
            except (ConnectionError, RuntimeError):
                pass  # the reader task notices the dead worker and re-does its pages
        return await future

    async def _start(self) -> None:
        for _ in range(self.processes):
            try:
                self.workers.append(await self._spawn())
            except Exception as exc:  # noqa: BLE001 - no process could be started: extract inline, lose nothing
                self.failures.append(f"start: {type(exc).__name__}: {exc}")
                break

    async def _spawn(self) -> Worker:
        ours, theirs = socket.socketpair()
        try:
            # the crawler's own import path: under Scrapyd the project is an egg only the crawler has on it
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
            proc = subprocess.Popen([sys.executable, "-m", "newscrawl.extract.workers", str(theirs.fileno())],
                                    pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, close_fds=True, env=env)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        reader, writer = await asyncio.open_unix_connection(sock=ours, limit=MAX_FRAME)
        worker = Worker(proc, reader, writer)
        worker.task = asyncio.ensure_future(self._read_replies(worker))
        return worker

    async def _read_replies(self, worker: Worker) -> None:
        reason = "closed"
        try:
            while True:
                header = await worker.reader.readexactly(FRAME.size)
                (size,) = FRAME.unpack(header)
                reply = await worker.reader.readexactly(size)
                request_id, ok, value = pickle.loads(reply)  # our own child, over our own socket pair
                future, *page = worker.pending.pop(request_id)
                if future.done():
                    continue
                if ok:
                    self.counts["worker"] += 1
                    future.set_result(value)
                else:  # an exception in the worker: the same page again here, where it is logged as usual
                    self._fall_back(future, *page)
        except (asyncio.IncompleteReadError, ConnectionError):  # EOF, or a write to it found it gone
            reason = "the worker exited"
        except Exception as exc:  # noqa: BLE001 - whatever broke the channel, the pages must still be extracted
            reason = f"{type(exc).__name__}: {exc}"
        finally:
            if worker in self.workers:
                self.workers.remove(worker)
                self._exited.append(worker)
            if not self._closed:
                self.failures.append(reason)
            for future, *page in worker.pending.values():
                if not future.done():
                    self._fall_back(future, *page)
            worker.pending.clear()
            worker.writer.close()

    def _fall_back(self, future: asyncio.Future, body: bytes, url: str, key: str, listed: bool) -> None:
        self.counts["fallback"] += 1
        try:
            future.set_result(extract_article(body, url, get_profile(key), listed))
        except Exception as exc:  # noqa: BLE001 - the caller sees what inline extraction would have raised
            future.set_exception(exc)

    async def close(self, timeout: float = 5.0) -> None:
        """Stop every worker: EOF ends its loop; one that does not end in ``timeout`` is killed."""
        self._closed = True
        workers, self.workers = list(self.workers), []
        for worker in workers:
            worker.writer.close()
        for worker in workers:
            if worker.task is not None:
                await asyncio.wait([worker.task], timeout=timeout)
        for worker in self._exited + workers:
            deadline = asyncio.get_running_loop().time() + timeout
            while not self._reap(worker.proc) and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.02)
            if worker.proc.returncode is None:
                worker.proc.kill()
                while not self._reap(worker.proc):
                    await asyncio.sleep(0.02)
        self._exited = []

    def _reap(self, proc: subprocess.Popen) -> bool:
        """True once ``proc`` has exited; its CPU time is then added to ``cpu_seconds``."""
        if proc.returncode is not None:
            return True
        try:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere: its CPU time is not ours to know
            proc.returncode = -1
            return True
        if pid == 0:
            return False
        proc.returncode = os.waitstatus_to_exitcode(status)
        self.cpu_seconds += usage.ru_utime + usage.ru_stime
        return True


def _asyncio_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def serve(sock: socket.socket) -> None:
    """The worker's loop: a request frame in, a reply frame out, until the crawler closes its end."""
    stream = sock.makefile("rb")
    while True:
        header = stream.read(FRAME.size)
        if len(header) < FRAME.size:
            return
        (size,) = FRAME.unpack(header)
        if size > MAX_FRAME:
            return
        payload = stream.read(size)
        if len(payload) < size:  # the crawler went away mid-frame
            return
        request_id, profile_key, url, body, listed = marshal.loads(payload)
        try:
            reply = (request_id, True, extract_article(body, url, get_profile(profile_key), listed))
        except Exception as exc:  # noqa: BLE001 - reported back; the crawler re-does the page itself
            reply = (request_id, False, f"{type(exc).__name__}: {exc}")
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        sock.sendall(FRAME.pack(len(data)) + data)


if __name__ == "__main__":
    # Ctrl-C reaches the whole process group: the crawler decides when to stop (it closes the socket)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    serve(socket.socket(fileno=int(sys.argv[1])))
