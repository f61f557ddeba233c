from __future__ import annotations

import pytest

from mcaudit.engine.selection import is_selected


@pytest.mark.parametrize(("rule_id", "select", "ignore", "expected"), [
    ("SF101", (), (), True),
    ("SF101", ("SF",), (), True),
    ("MC201", ("SF",), (), False),
    ("SF101", (), ("SF1",), False),
    ("SF101", ("SF101",), ("SF",), True),
    ("SF102", ("SF",), ("SF10",), False),
    ("sf101", ("Sf",), (), True),
])
def test_most_specific_prefix_wins(rule_id: str, select: tuple[str, ...], ignore: tuple[str, ...],
                                   expected: bool) -> None:
    assert is_selected(rule_id, select, ignore) is expected
