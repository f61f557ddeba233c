"""mcaudit: a health linter for Salesforce Marketing Cloud Connect."""

from __future__ import annotations

__version__ = "0.1.0"
