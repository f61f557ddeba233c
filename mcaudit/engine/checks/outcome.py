"""A check's verdict on one subject; defined in engine.base, the leaf every engine module shares."""

from __future__ import annotations

from mcaudit.engine.base import Outcome

__all__ = ["Outcome"]
