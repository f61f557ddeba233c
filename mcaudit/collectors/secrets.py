"""Keep secrets out of every output: one registry of secret values, and a redactor for text.

Credentials come from flags, the environment or a prompt; tokens come from login responses. Each
is registered here as soon as it is known, and every line mcaudit writes about a collection (log
lines, collector errors, the one-line CLI error) passes through `redact` first.
"""

from __future__ import annotations

import logging
import threading
from html import escape
from urllib.parse import quote, quote_plus

MASK = "***"
_MIN_LENGTH = 4  # shorter values would mask ordinary words; no real secret is that short


class Redactor:
    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, value: str | None) -> None:
        """Register a secret, with the encodings it can appear in (URL, form, XML)."""
        if not value or len(value) < _MIN_LENGTH:
            return
        with self._lock:
            self._values.update({value, quote(value, safe=""), quote_plus(value), escape(value)})

    def redact(self, text: str) -> str:
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)  # longest first: no partial leftovers
        for value in values:
            if value in text:
                text = text.replace(value, MASK)
        return text


class RedactingFilter(logging.Filter):
    """A logging filter that masks registered secrets in the formatted message."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = self._redactor.redact(message)
        record.args = None
        if record.exc_info:
            # a formatted traceback could quote a secret; keep only the redacted one-line form
            record.msg += f" ({self._redactor.redact(repr(record.exc_info[1]))})"
            record.exc_info = None
        return True
