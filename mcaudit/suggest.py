"""Did-you-mean suggestions for a name that is not known: a field, a key, a rule id.

Imports nothing of ours, so every layer can use it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_LONGEST_GUESSED = 100  # characters; a longer name is no typo of a short one
# characters a font or a hurried typist confuses in an id: O for zero, l or I for one
_LOOK_ALIKE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """"; did you mean 'username'?" for a near miss, else ''."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6) if len(name) <= _LONGEST_GUESSED else []
    return f"; did you mean '{close[0]}'?" if close else ""


def _folded(rule_id: str) -> str:
    return rule_id.strip().upper().translate(_LOOK_ALIKE)


def closest_rule_id(prefix: str, known_ids: Iterable[str]) -> str | None:
    """The rule id, or id prefix, `prefix` was most likely meant to be, or None.

    Look-alike characters count as equal first (SF1O6 is SF106, not SF116, which difflib finds as
    close); then a prefix of the ids after that folding (SF1O: SF10); then difflib's nearest."""
    if len(prefix) > _LONGEST_GUESSED:
        return None
    ids = sorted(set(known_ids))
    candidates = sorted(set(ids) | {match.group(0) for rule_id in ids if (match := re.match(r"[A-Za-z]+", rule_id))})
    wanted = _folded(prefix)
    for candidate in candidates:
        if _folded(candidate) == wanted:
            return candidate
    for rule_id in ids:
        if wanted and _folded(rule_id).startswith(wanted):
            return rule_id[:len(wanted)]
    by_folded: dict[str, str] = {}
    for candidate in candidates:
        by_folded.setdefault(_folded(candidate), candidate)
    close = difflib.get_close_matches(wanted, list(by_folded), n=1, cutoff=0.6)
    return by_folded[close[0]] if close else None


def suggest_rule_id(prefix: str, known_ids: Iterable[str]) -> str:
    """' (did you mean SF106?)' for a near miss among the rule ids and their prefixes, else ''."""
    close = closest_rule_id(prefix, known_ids)
    return f" (did you mean {close}?)" if close else ""
