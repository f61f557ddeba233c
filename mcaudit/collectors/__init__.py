"""Collectors: read live systems (read-only) into a snapshot. They know no rules.

    collect(CollectRequest, Redactor, Progress) -> Snapshot

One module per source (salesforce/, marketing_cloud/), an explicit registry (run.COLLECTORS), and
one HTTP layer (http.py) that enforces read-only access, TLS, timeouts and polite retries.
"""

from __future__ import annotations

from mcaudit.collectors.run import COLLECTORS, CollectRequest, collect, is_complete

__all__ = ["COLLECTORS", "CollectRequest", "collect", "is_complete"]
