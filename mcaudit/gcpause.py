"""Pause the cyclic garbage collector while building or walking millions of small objects.

A 200k-user snapshot is millions of pydantic objects; each full collection walks all of them,
and allocation-heavy phases trigger many. Neither loading nor evaluation creates cycles worth
collecting, so pausing the collector there costs nothing and saves a large share of the time;
what they built is then frozen (gc.freeze) since it lives until the process ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # what was built is long-lived: move it out of the collector's sight instead of letting
        # the next full collection walk it all again
        gc.freeze()
        if was_enabled:
            gc.enable()
