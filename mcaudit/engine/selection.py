"""--select / --ignore by rule id prefix; the most specific (longest) matching prefix wins."""

from __future__ import annotations


def _longest(rule_id: str, prefixes: tuple[str, ...]) -> int:
    return max((len(p) for p in prefixes if rule_id.upper().startswith(p.upper())), default=-1)


def is_selected(rule_id: str, select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    chosen = _longest(rule_id, select) if select else 0
    if chosen < 0:
        return False
    return chosen > _longest(rule_id, ignore)
