"""Operators for declarative checks: small specs in a dict, each with its test (actual, expected) -> bool.

Each operator also says which kinds of attribute it compares and what `value:` it takes, so the
loader refuses a rule whose value cannot work (`gte: "abc"`, `in: 5`, a regular expression RE2
cannot compile) instead of the audit failing on it. Regular expressions run on RE2, whose matching
time is linear in the text: a pattern such as `^(a+)+$` cannot backtrack for minutes on a long
username, and constructs that need backtracking (lookaround, backreferences) are refused at load.

Strings compare case-insensitively where the thing compared is a name (roles, licenses,
profiles); `equals_exact` is there for the cases where case matters, and `matches` is
case-sensitive unless the pattern starts with `(?i)`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import re2  # type: ignore[import-untyped]  # google-re2 ships no type information

from mcaudit.engine.index import fold


class Kind(Enum):
    """The kind of value a subject attribute holds (null aside: null makes a result unknown)."""

    text = "text"
    flag = "true/false"
    number = "number"
    texts = "list of text"
    numbers = "list of numbers"

    @property
    def item(self) -> Kind:
        """What one value compared with this attribute is: an item, for a list."""
        return {Kind.texts: Kind.text, Kind.numbers: Kind.number}.get(self, self)


class Takes(Enum):
    """What an operator's `value:` is."""

    nothing = "no value"
    one = "one value"
    several = "a list of values"
    pattern = "a regular expression"


@dataclass(frozen=True)
class Operator:
    test: Callable[[Any, Any], bool]
    expectation: str  # how evidence describes what was expected
    takes: Takes
    compares: frozenset[Kind]  # the attribute kinds it applies to


class PatternError(ValueError):
    """A `matches` pattern RE2 cannot compile; the message is one line for a person."""


# -- regular expressions --------------------------------------------------------------------

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # RE2 would otherwise print its own lines on stderr

# RE2's words for what it refuses -> what that is, for constructs other engines have
_UNSUPPORTED = {
    "invalid perl operator: (?=": "lookahead (?=...)",
    "invalid perl operator: (?!": "negative lookahead (?!...)",
    "invalid perl operator: (?<=": "lookbehind (?<=...)",
    "invalid perl operator: (?<!": "negative lookbehind (?<!...)",
    "invalid perl operator: (?>": "an atomic group (?>...)",
    "invalid perl operator: (?(": "a conditional (?(...)...)",
    "invalid perl operator: (?#": "a comment (?#...)",
    "invalid perl operator: (?P": "a named backreference (?P=name)",  # RE2 does take (?P<name>...)
    "invalid escape sequence: \\k": "a named backreference \\k<name>",
    "invalid escape sequence: \\g": "a backreference \\g<...>",
    "invalid escape sequence: \\Z": "\\Z (use \\z or $)",
}
MAX_SHOWN = 60  # characters of a pattern fragment an error quotes


def shown(text: str, limit: int = MAX_SHOWN) -> str:
    """User text made safe for a one-line message: control characters escaped, length capped."""
    safe = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


def _explain(detail: str, pattern: str) -> str:
    if detail.startswith("invalid perl operator: (?P") and "(?P=" not in pattern:
        return f"RE2 syntax: the group {shown(detail.split(': ', 1)[1])} is not supported (named groups: (?P<name>...))"
    for said, construct in _UNSUPPORTED.items():
        if detail.startswith(said):
            return f"RE2 syntax: {construct} is not supported"
    if detail.startswith("invalid escape sequence: \\") and detail[len("invalid escape sequence: \\"):][:1].isdigit():
        return "RE2 syntax: a backreference (\\1) is not supported"
    if detail.startswith("bad repetition operator: ") and detail.endswith("+"):
        return "RE2 syntax: a possessive quantifier (*+, ++, ?+) is not supported"
    flags = detail.removeprefix("invalid perl operator: (?")
    if flags != detail and not set(flags) <= set("imsU-:"):
        return f"RE2 syntax: the flag (?{shown(flags)} is not supported (flags: i, m, s, U)"
    return f"invalid regular expression (RE2 syntax): {shown(detail)}"


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> Any:
    """The compiled RE2 pattern; PatternError when RE2 cannot compile it."""
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except UnicodeEncodeError:
        raise PatternError("invalid regular expression: it holds a lone surrogate (\\ud800-\\udfff), "
                           "which is not a character") from None
    except re2.error as error:
        raw = error.args[0] if error.args else ""
        detail = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise PatternError(_explain(detail, pattern)) from None


def pattern_size(pattern: str) -> int:
    """How large the compiled pattern is, in RE2 instructions: what compiling it costs (about half
    a microsecond each). A counted repetition multiplies it: `[\\p{L}\\p{N}]{300}` is 400,000."""
    return int(compile_pattern(pattern).programsize)


def _without_surrogates(text: str) -> str:
    """RE2 reads UTF-8; a lone surrogate (possible in a YAML or JSON string) has none, so it is
    read as U+FFFD, the replacement character."""
    return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)


def _matches(actual: Any, expected: Any) -> bool:
    pattern, text = compile_pattern(str(expected)), str(actual)
    try:
        return pattern.fullmatch(text) is not None
    except UnicodeEncodeError:
        return pattern.fullmatch(_without_surrogates(text)) is not None


# -- comparisons ----------------------------------------------------------------------------

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


def _number(value: Any) -> int | float | None:
    """An attribute's number; an attested value may be text ("4000"), or no number at all."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    try:
        return float(str(value).strip())
    except (ValueError, OverflowError):
        return None


def _at_least(actual: Any, expected: Any) -> bool:
    number = _number(actual)
    return number is not None and number >= expected


def _at_most(actual: Any, expected: Any) -> bool:
    number = _number(actual)
    return number is not None and number <= expected


SCALARS = frozenset({Kind.text, Kind.number, Kind.flag})
LISTS = frozenset({Kind.texts, Kind.numbers})

OPERATIONS: dict[str, Operator] = {
    "equals": Operator(_equals, "expected {value}", Takes.one, SCALARS),
    "not_equals": Operator(lambda actual, expected: not _equals(actual, expected), "must not be {value}",
                           Takes.one, SCALARS),
    "equals_exact": Operator(lambda actual, expected: bool(actual == expected), "expected exactly {value}",
                             Takes.one, SCALARS),
    "in": Operator(_in, "expected one of {value}", Takes.several, SCALARS),
    "not_in": Operator(lambda actual, expected: not _in(actual, expected), "must not be one of {value}",
                       Takes.several, SCALARS),
    "is_true": Operator(lambda actual, _: actual is True, "expected true", Takes.nothing, frozenset({Kind.flag})),
    "is_false": Operator(lambda actual, _: actual is False, "expected false", Takes.nothing, frozenset({Kind.flag})),
    "not_empty": Operator(lambda actual, _: len(_as_list(actual)) > 0 and actual != "", "expected at least one",
                          Takes.nothing, LISTS | {Kind.text}),
    "empty": Operator(lambda actual, _: len(_as_list(actual)) == 0 or actual == "", "expected none",
                      Takes.nothing, LISTS | {Kind.text}),
    "contains": Operator(_contains, "expected to include {value}", Takes.one, LISTS),
    "not_contains": Operator(lambda actual, expected: not _contains(actual, expected), "must not include {value}",
                             Takes.one, LISTS),
    "contains_any": Operator(_contains_any, "expected to include one of {value}", Takes.several, LISTS),
    "matches": Operator(_matches, "expected to match {value}", Takes.pattern, frozenset({Kind.text})),
    "gte": Operator(_at_least, "expected at least {value}", Takes.one, frozenset({Kind.number})),
    "lte": Operator(_at_most, "expected at most {value}", Takes.one, frozenset({Kind.number})),
}

# the views the evaluator reads
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {name: op.test for name, op in OPERATIONS.items()}
EXPECTATIONS: dict[str, str] = {name: op.expectation for name, op in OPERATIONS.items()}


# -- what a rule may write ------------------------------------------------------------------

def kind_of(value: Any) -> Kind | None:
    """The kind of one YAML value a rule compares with, or None (a date, a mapping, null...)."""
    if isinstance(value, bool):
        return Kind.flag
    if isinstance(value, int | float):
        return Kind.number
    if isinstance(value, str):
        return Kind.text
    return None


def _described(value: Any) -> str:
    kind = kind_of(value)
    if value is None:
        return "null"
    if isinstance(value, list):
        return f"a list ({shown(str(value))})"
    if isinstance(value, dict):
        return "a mapping"
    if kind is None:
        return f"{type(value).__name__} {shown(str(value))}"
    return f"{kind.value} {shown(repr(value) if kind is Kind.text else str(value))}"


def operators_for(kind: Kind) -> list[str]:
    return [name for name, op in OPERATIONS.items() if kind in op.compares]


def operator_problem(name: str, attribute: str, kind: Kind) -> str | None:
    """Why `name` cannot compare the attribute, or None when it can."""
    if kind in OPERATIONS[name].compares:
        return None
    return (f"'{name}' does not apply to '{attribute}', which is {kind.value}; "
            f"for {kind.value} use {', '.join(operators_for(kind))}")


_NEEDS = {Kind.text: "text", Kind.number: "a number", Kind.flag: "true or false"}


def value_problem(name: str, kind: Kind, value: Any) -> str | None:
    """Why `value` does not suit operator `name` on an attribute of `kind`, or None when it does."""
    takes = OPERATIONS[name].takes
    wanted = kind.item
    if takes is Takes.nothing:
        return None if value is None else f"'{name}' takes no value; remove it"
    if value is None:
        return f"'{name}' needs a value: {_NEEDS[wanted] if takes is Takes.one else takes.value}"
    if takes is Takes.pattern:
        if not isinstance(value, str):
            return f"'{name}' needs a regular expression (text), not {_described(value)}"
        try:
            compile_pattern(value)
        except PatternError as error:
            return str(error)
        return None
    if takes is Takes.one:
        if kind_of(value) is not wanted:
            return f"'{name}' needs {_NEEDS[wanted]} here, not {_described(value)}"
        return None
    if not isinstance(value, list) or not value:
        example = {Kind.text: "[a, b]", Kind.number: "[1, 2]", Kind.flag: "[true]"}[wanted]
        return f"'{name}' needs a non-empty list of {wanted.value}, such as {example}, not {_described(value)}"
    for position, item in enumerate(value):
        if kind_of(item) is not wanted:
            return f"'{name}' needs a list of {wanted.value}; item {position + 1} is {_described(item)}"
    return None
