"""The collection fixtures (an emulator per test, the healthy sample) for the network guard tests."""

from __future__ import annotations

from ..collectors.conftest import healthy, serve

__all__ = ["healthy", "serve"]
