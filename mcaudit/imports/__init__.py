"""Turn exports people already have into snapshots, without credentials.

`mcdev`: an SFMC DevTools (`mcdev retrieve`) folder -> the snapshot's `marketing_cloud` side.
Every file is read through mcaudit.untrusted (bounded, strict JSON) and every problem is one
InputError line naming the file. Nothing here imports the engine, the collectors, the reports or
the CLI (tests/test_architecture.py).
"""

from __future__ import annotations

from mcaudit.imports.mcdev import import_mcdev

__all__ = ["import_mcdev"]
