"""Independent reads at once, a few at a time.

On a real network most of a collection is waiting: 30 calls at 100 ms each are 3 s one after
another. Reads that do not depend on each other (a SOQL statement, a SOAP Retrieve, a REST list)
are started together on a small pool, bounded so that no API sees more than a few calls in flight
from one collector. A read that pages (queryMore, ContinueRequest, $page) stays one chain, in order,
on one worker: only separate reads overlap, so the calls made, and their number, do not change.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import TypeVar

T = TypeVar("T")
READS_IN_FLIGHT = 4  # per collector; each collector talks to one API host (two for MC: REST and SOAP)


class Reads:
    """A bounded pool for one collector's reads: `start` now, `Future.result()` when needed."""

    def __init__(self, name: str, workers: int = READS_IN_FLIGHT) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"mcaudit-{name}")

    def start(self, read: Callable[[], T]) -> Future[T]:
        return self._pool.submit(read)

    def __enter__(self) -> Reads:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        # on an error, reads not yet started are dropped; running ones finish (a call cannot be cut)
        self._pool.shutdown(wait=True, cancel_futures=error is not None)
