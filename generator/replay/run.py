"""A replay: inputs streamed into requests, answered in parallel, results written as they come.

Memory stays flat: at most a few requests per worker are in flight, and rows go to disk
(NDJSON) as soon as they arrive; the database is built from those files at the end, also
after Ctrl-C, so an interrupted replay still leaves a usable report.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import importlib
import itertools
import math
import os
import pickle
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, cast

from ..runtime import batching, jsvalues
from . import inputs
from .worker import Job, Result, Sealed, fewer_collections, run_request, run_sealed

# What a replay writes in DIR: an earlier run's files go first, so none is read as this one's.
OWN_FILES = ("events.ndjson", "outputs.ndjson", "drops.ndjson", "transformed.ndjson", "replay.duckdb",
             "replay.duckdb.wal", "summary.json", "report.json", "report.md", "report.html")
DISTINCT_TEXTS = 50  # failure and warning texts kept apart; the rest are counted together


@dataclass
class Progress:
    events: int = 0
    requests: int = 0
    started: float = field(default_factory=time.monotonic)
    interrupted: bool = False
    stopped: str | None = None  # why the replay stopped before the input's end (a worker died)
    warnings: dict[str, int] = field(default_factory=dict)  # the harness's warnings, counted
    # With a destination: Customer.io calls, counted by kind, method, status and error.
    calls: dict[tuple[str, str, int, str], int] = field(default_factory=dict)
    meter: inputs.Meter = field(default_factory=inputs.Meter)

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    @property
    def eta(self) -> float | None:
        """Seconds left, from the share of the input bytes read so far."""
        fraction = self.meter.fraction
        if not fraction or fraction >= 1:
            return None
        return self.seconds * (1 - fraction) / fraction


class Failures:
    """The requests the transformer failed as a whole (HTTP 500), grouped by their error text."""

    def __init__(self) -> None:
        self.count = 0
        self.by_error: dict[str, dict[str, Any]] = {}

    def __len__(self) -> int:
        return self.count

    def add(self, result: Result) -> None:
        self.count += 1
        text = _kept(self.by_error, result.failure or "", "(other errors)")
        entry = self.by_error.setdefault(text, {"error": text, "requests": 0, "events": 0, "examples": []})
        entry["requests"] += 1
        entry["events"] += result.events
        entry["examples"].extend(result.examples[:max(0, 3 - len(entry["examples"]))])

    def as_json(self) -> list[dict[str, Any]]:
        return sorted(self.by_error.values(), key=lambda e: (-e["events"], e["error"]))


def _kept(seen: dict[Any, Any], key: Any, other: Any) -> Any:
    """`key`, or `other` once DISTINCT_TEXTS keys are kept: a bounded tally whatever the traffic."""
    return key if key in seen or len(seen) < DISTINCT_TEXTS else other


def _count(counts: dict[Any, int], key: Any, other: Any) -> None:
    key = _kept(counts, key, other)
    counts[key] = counts.get(key, 0) + 1


@contextlib.contextmanager
def _whole_result() -> Iterator[None]:
    """Ctrl-C waits until a result's rows are all written, so a partial report adds up."""
    block = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    if block:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if block:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _executor(workers: int) -> ProcessPoolExecutor | None:
    return ProcessPoolExecutor(max_workers=workers, initializer=_start_worker) if workers > 1 else None


def _start_worker() -> None:
    """A pool process: it unpickles each request's events before run_request sees them, so
    it collects cyclic garbage rarely for its whole life (see worker.fewer_collections)."""
    gc.set_threshold(100_000, *gc.get_threshold()[1:])


def answers(job: Job, requests: Iterable[list[dict[str, Any]]], workers: int,
            scheduler: str | None = None, executor: str = "local") -> Iterator[Result]:
    """Each request's result, in request order, with at most twice as many requests in flight as workers."""
    if executor == "dask":
        yield from _dask_answers(job, requests, workers, scheduler)
        return
    pool = _executor(workers)
    if pool is None:
        for index, request in enumerate(requests):
            yield run_request(job, index, request)
        return
    pending: deque[tuple[Future[Result], int, list[dict[str, Any]]]] = deque()
    try:
        for index, request in enumerate(requests):
            pending.append((pool.submit(run_request, job, index, request), index, request))
            while len(pending) >= 2 * workers:
                yield _result(job, *pending.popleft())
        while pending:
            yield _result(job, *pending.popleft())
    finally:
        for future, _, _ in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _result(job: Job, future: Any, index: int, request: list[dict[str, Any]]) -> Result:
    """The request's result; a request pickle cannot carry (or whose result it cannot) is answered here."""
    if future is not None:  # None: the executor refused it as it was submitted
        try:
            return cast(Result, future.result())
        except (RecursionError, pickle.PicklingError):
            pass
    # An event nested thousands of levels deep, which RudderStack answers (a timeout) and
    # pickle cannot send to a worker: this process answers it.
    return run_request(job, index, request)


def _dask_answers(job: Job, requests: Iterable[list[dict[str, Any]]], workers: int,
                  scheduler: str | None) -> Iterator[Result]:
    """The same unit of work on a Dask cluster: the scheduler at ADDRESS, or a local one of `workers` processes."""
    try:
        # Dask is optional (the `dask` extra); typed as Any, as it ships untyped.
        distributed: Any = importlib.import_module("distributed")
    except ImportError as exc:
        raise RuntimeError("--executor dask needs Dask: pip install 'dask[distributed]'") from exc
    # Each connection keeps its last 1,000 messages for debugging by default, and here a
    # message holds a whole request (or its rows): 1 GB at 100k events. Set before the
    # cluster starts, so its scheduler and workers (which take this process's config) keep none.
    with importlib.import_module("dask").config.set({"distributed.admin.low-level-log-length": 0}):
        yield from _on_cluster(distributed, job, requests, workers, scheduler)


def _on_cluster(distributed: Any, job: Job, requests: Iterable[list[dict[str, Any]]], workers: int,
                scheduler: str | None) -> Iterator[Result]:
    cluster = None
    if scheduler is None:
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
        client = distributed.Client(cluster)
    else:
        client = distributed.Client(scheduler)
    try:
        # The job travels with each task (about the size of the transformation): scattered data
        # lives only on workers, and a worker restarted by its nanny would take it along.
        in_flight = 2 * max(workers, len(client.scheduler_info().get("workers", {})) or 1)
        pending: deque[tuple[Any, int, list[dict[str, Any]]]] = deque()
        for index, request in enumerate(requests):
            # Sealed: Dask walks a task's plain arguments looking for futures, recursively
            # (every event of every request, and too deep for an event thousands of levels deep).
            try:
                future = client.submit(run_sealed, job, index, Sealed(request), pure=False, retries=1)
            except (RecursionError, pickle.PicklingError, TypeError):
                # Dask serializes the task as it is submitted, and says it cannot with a TypeError.
                future = None  # answered here (_result)
            pending.append((future, index, request))
            while len(pending) >= in_flight:
                yield _result(job, *pending.popleft())
        while pending:
            yield _result(job, *pending.popleft())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def replay(
    job: Job,
    paths: list[str],
    out: Path,
    *,
    metadata: dict[str, Any] | None = None,
    workers: int = 1,
    batch_size: int = batching.DEFAULT_BATCH_SIZE,
    on_progress: Callable[[Progress], None] | None = None,
    executor: str = "local",
    scheduler: str | None = None,
) -> tuple[Progress, Any, Failures]:
    """Replay the inputs into DIR's row files; returns the progress, the people (with a destination), failures.

    Ctrl-C, or a worker that dies, stops the replay; what was answered until then stays
    written, and `progress` says why it stopped.
    """
    list(inputs.files(path for path in paths if str(path) != "-"))  # a missing input fails before DIR changes
    out.mkdir(parents=True, exist_ok=True)
    for name in OWN_FILES:
        (out / name).unlink(missing_ok=True)
    progress = Progress()
    builder = None
    if job.customerio is not None:
        from ..customerio.people import Builder

        builder = Builder()
    failures = Failures()
    events_file = (out / "events.ndjson").open("w", encoding="utf-8")
    outputs_file = (out / "outputs.ndjson").open("w", encoding="utf-8")
    drops_file = (out / "drops.ndjson").open("w", encoding="utf-8")
    transformed = (out / "transformed.ndjson").open("w", encoding="utf-8") if job.keep_outputs else None
    order = _InputOrder(builder, progress) if builder is not None else None
    try:
        # The main process parses every event and unpickles every result.
        with fewer_collections():
            marked = batching.marked_requests(inputs.request_items(paths, metadata, progress.meter), batch_size)
            requests = order.requests(marked) if order is not None else (request for request, _, _ in marked)
            for result in answers(job, requests, workers, scheduler, executor):
                with _whole_result():
                    events_file.write(result.event_rows)
                    outputs_file.write(result.output_rows)
                    drops_file.write(result.drop_rows)
                    if transformed is not None:
                        transformed.write(result.transformed)
                    if result.failure:
                        failures.add(result)
                    for warning in result.warnings:
                        _count(progress.warnings, warning, "(other warnings)")
                    if order is not None:
                        order.add(result)
                        for call in result.calls:
                            _count(progress.calls, (call.kind or "", call.method or "", call.status_code,
                                                    (call.error or "").split("\n", 1)[0]),
                                   ("other", "", 0, "(other calls)"))
                    progress.events += result.events
                    progress.requests += 1
                if on_progress:
                    on_progress(progress)
    except KeyboardInterrupt:
        progress.interrupted = True
    except (BrokenProcessPool, RuntimeError) as exc:
        # A worker process or its V8 host died (killed, or out of the machine's memory).
        if progress.requests == 0:
            raise
        progress.stopped = str(exc) or type(exc).__name__
    finally:
        events_file.close()
        outputs_file.close()
        drops_file.close()
        if transformed is not None:
            transformed.close()
    if order is not None:
        order.finish()
    return progress, (builder.result() if builder is not None else None), failures


class _InputOrder:
    """Feeds the people model the destination's calls in input order.

    Requests go out per destination and source, and a pair's partly filled request waits
    for the input's end: with several sources, its events would reach the model after
    later events of the others, and what depends on order (a stale overwrite, a late merge)
    would depend on the batch size. Calls wait here until no request still to come can hold
    an earlier event, then go by input position. At most LIMIT wait; past that the earliest
    go anyway, and the replay warns that the people model may be off.
    """

    LIMIT = 20_000

    def __init__(self, builder: Any, progress: Progress) -> None:
        self.builder = builder
        self.progress = progress
        self.waiting: list[tuple[float, int, Any, dict[str, str]]] = []  # a heap: (position, arrival, call, …)
        self.arrivals = itertools.count()
        self.sent: deque[tuple[batching.Positions, float]] = deque()  # per request in flight
        self.early = 0

    def requests(self, marked: Iterable[tuple[list[dict[str, Any]], list[int], float]]
                 ) -> Iterator[list[dict[str, Any]]]:
        """The requests, noting where each one's events stand in the input."""
        for request, positions, watermark in marked:
            self.sent.append((batching.Positions(request, positions), watermark))
            yield request

    def add(self, result: Result) -> None:
        where, watermark = self.sent.popleft()
        for call in result.calls:
            heapq.heappush(self.waiting, (where.of(call.message_ids), next(self.arrivals), call, result.anonymous))
        self._release(watermark)

    def finish(self) -> None:
        self._release(math.inf)
        if self.early:
            self.progress.warnings[
                f"the people model took {self.early:,} calls before events of another source that came earlier "
                "in the input (held in a partly filled request): its stale overwrites and late merges may be off"
            ] = 1

    def _release(self, watermark: float) -> None:
        while self.waiting and (self.waiting[0][0] < watermark or len(self.waiting) > self.LIMIT):
            position, _, call, anonymous = heapq.heappop(self.waiting)
            self.early += position >= watermark
            self.builder.add([call], anonymous)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def progress_printer(stream: TextIO = sys.stderr) -> Callable[[Progress], None]:
    """A progress line: rewritten in place on a terminal, a plain line every 5 s otherwise."""
    tty = stream.isatty()
    last = [0.0]

    def show(progress: Progress) -> None:
        now = time.monotonic()
        if now - last[0] < (0.2 if tty else 5.0):
            return
        last[0] = now
        rate = progress.events / max(progress.seconds, 1e-9)
        line = f"{progress.events:,} events, {progress.requests:,} requests, {rate:,.0f} events/s"
        fraction, eta = progress.meter.fraction, progress.eta
        if fraction is not None:
            line += f", {fraction * 100:.0f}% of the input"
        if eta is not None:
            line += f", about {eta:,.0f} s left"
        stream.write(("\r" + line) if tty else line + "\n")
        stream.flush()

    return show


def dumps(value: Any) -> str:
    return jsvalues.dumps(value, indent=2)
