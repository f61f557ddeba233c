"""Operators for declarative checks: small functions from a dict, each (actual, expected) -> bool.

Strings compare case-insensitively where the thing compared is a name (roles, licenses,
profiles); `equals_exact` is there for the cases where case matters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mcaudit.engine.index import fold


def _norm(value: Any) -> Any:
    return fold(value) if isinstance(value, str) else value


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple | set | frozenset) else [value]


def _equals(actual: Any, expected: Any) -> bool:
    return bool(_norm(actual) == _norm(expected))


def _contains(actual: Any, expected: Any) -> bool:
    return _norm(expected) in {_norm(item) for item in _as_list(actual)}


def _contains_any(actual: Any, expected: Any) -> bool:
    have = {_norm(item) for item in _as_list(actual)}
    return any(_norm(item) in have for item in _as_list(expected))


def _in(actual: Any, expected: Any) -> bool:
    return _norm(actual) in {_norm(item) for item in _as_list(expected)}


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "equals": _equals,
    "not_equals": lambda actual, expected: not _equals(actual, expected),
    "equals_exact": lambda actual, expected: bool(actual == expected),
    "in": _in,
    "not_in": lambda actual, expected: not _in(actual, expected),
    "is_true": lambda actual, _: actual is True,
    "is_false": lambda actual, _: actual is False,
    "not_empty": lambda actual, _: len(_as_list(actual)) > 0 and actual != "",
    "empty": lambda actual, _: len(_as_list(actual)) == 0 or actual == "",
    "contains": _contains,
    "not_contains": lambda actual, expected: not _contains(actual, expected),
    "contains_any": _contains_any,
    "matches": lambda actual, expected: re.fullmatch(str(expected), str(actual)) is not None,
    "gte": lambda actual, expected: actual >= expected,
    "lte": lambda actual, expected: actual <= expected,
}

# how evidence describes the expectation of each operator
EXPECTATIONS: dict[str, str] = {
    "equals": "expected {value}",
    "not_equals": "must not be {value}",
    "equals_exact": "expected exactly {value}",
    "in": "expected one of {value}",
    "not_in": "must not be one of {value}",
    "is_true": "expected true",
    "is_false": "expected false",
    "not_empty": "expected at least one",
    "empty": "expected none",
    "contains": "expected to include {value}",
    "not_contains": "must not include {value}",
    "contains_any": "expected to include one of {value}",
    "matches": "expected to match {value}",
    "gte": "expected at least {value}",
    "lte": "expected at most {value}",
}
