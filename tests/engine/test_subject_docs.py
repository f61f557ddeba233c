"""The registries a custom rule is checked against match the code, and the docs print them.

engine.attributes.OFFERS says which attributes each subject selector offers and of what kind;
engine.operators.OPERATIONS what each operator compares and takes; engine.contracts.CONTRACTS what
each check function reads. The generated reference page (mcaudit.docsgen.subjects_md, the site's
reference/subjects.md) is parsed back here and must say the same.
"""

from __future__ import annotations

import inspect
import re

from mcaudit.docsgen import RESULT_PER, subjects_md
from mcaudit.engine.attributes import OFFERS
from mcaudit.engine.checks import CHECKS
from mcaudit.engine.contracts import CONTRACTS
from mcaudit.engine.operators import OPERATIONS, Kind
from mcaudit.engine.subjects import SUBJECTS

SECTION = subjects_md()


def _rows(header: str) -> list[list[str]]:
    table = SECTION[SECTION.index(header):]
    rows = []
    for line in table.splitlines()[2:]:
        if not line.startswith("| `"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def _documented_attributes() -> dict[str, dict[str, Kind]]:
    documented: dict[str, dict[str, Kind]] = {}
    for names_cell, _, attributes_cell in _rows("| subject | one result per | attributes, by kind |"):
        attributes: dict[str, Kind] = {}
        for group in attributes_cell.split("; "):
            kind, _, names = group.partition(": ")
            attributes.update({name: Kind(kind) for name in re.findall(r"`([a-z_]+)`", names)})
        for selector in re.findall(r"`([a-z_.]+)`", names_cell):
            documented.setdefault(selector, {}).update(attributes)
    return documented


def _has(view: type, attribute: str) -> bool:
    """A property (or class attribute) of the view, or an attribute its __init__ sets."""
    if hasattr(view, attribute):
        return True
    return f"self.{attribute} =" in inspect.getsource(view.__init__)


def test_every_subject_selector_declares_what_it_offers() -> None:
    assert set(OFFERS) == set(SUBJECTS)


def test_every_declared_attribute_exists_on_its_view() -> None:
    for selector, offer in OFFERS.items():
        assert offer.view is not None or not offer.attributes, selector
        missing = [name for name in offer.attributes if offer.view and not _has(offer.view, name)]
        assert not missing, f"{selector}: {missing}"


def test_the_documented_table_is_the_registry() -> None:
    declared = {selector: dict(offer.attributes) for selector, offer in OFFERS.items() if offer.attributes}
    assert _documented_attributes() == declared


def test_the_documented_operator_table_is_the_registry() -> None:
    documented = {}
    for names_cell, compares_cell, takes_cell in _rows("| operator | compares | value |"):
        for name in re.findall(r"`([a-z_]+)`", names_cell):
            documented[name] = ({Kind(kind) for kind in compares_cell.split(", ")}, takes_cell)
    assert set(documented) == set(OPERATIONS)
    for name, (compares, takes) in documented.items():
        assert compares == set(OPERATIONS[name].compares), name
        assert takes == OPERATIONS[name].takes.value, name


def test_every_subject_is_documented() -> None:
    assert set(RESULT_PER) == set(OFFERS)
    functions_only = _rows("| subject | one result per |\n")
    documented = {name for row in functions_only for name in re.findall(r"`([a-z_.]+)`", row[0])}
    assert documented == {selector for selector, offer in OFFERS.items() if not offer.attributes}


def test_every_check_function_has_a_contract_on_known_subjects() -> None:
    assert set(CONTRACTS) == set(CHECKS)
    for name, contract in CONTRACTS.items():
        assert contract.subjects is None or contract.subjects <= set(SUBJECTS), name
        assert set(contract.defaults) <= set(contract.params), name
