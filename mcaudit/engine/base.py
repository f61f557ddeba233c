"""The engine's shared vocabulary, a leaf every engine module may import without a cycle.

What a subject is, the two ways an attribute says it cannot answer, how names are compared, and
what a check may ask of the evaluator (another rule's result). It imports nothing of the engine,
so subjects, indexes, checks and the evaluator all build on it and on nothing above them;
tests/engine/test_no_cycles.py keeps it that way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel

from mcaudit.findings import Attested, Finding, Status
from mcaudit.snapshot.types import OpenEnum

MCC_CONNECTED_APP = "salesforce marketing cloud"
MCC_NAMESPACE = "et4ae5"


def fold(name: str | None) -> str:
    """Case-insensitive key for user names, role names and similar."""
    return (name or "").strip().casefold()


@dataclass(frozen=True)
class Outcome:
    """A check's verdict on one subject, before the engine stamps rule id and severity."""

    status: Status
    message: str = ""
    evidence: tuple[str, ...] = ()
    attested: Attested | None = None


class NotApplicable(Exception):
    """Raised by a subject attribute when the question does not arise (e.g. app not installed)."""


class Missing(Exception):
    """Raised by a subject attribute when the data it needs was not collected."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def plain(value: Any) -> Any:
    """An enum as its value, in a list too: rules compare text, not members."""
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value.value if isinstance(value, Enum) else value


class PassThrough(property):
    """A view attribute that is a field of the snapshot model the view wraps, read as it is (an enum
    as its value). ModelView makes one per field; engine.attributes offers the ones a rule can
    compare, with the kind the field's annotation gives."""

    def __init__(self, field: str) -> None:
        super().__init__(lambda view: view.field_value(field))
        self.field = field


class ModelView:
    """A subject view over one snapshot model, whose fields it passes through to rules.

    `class UserView(ModelView, model=SalesforceUser)` gives the view one PassThrough per field of
    the model that the class does not define itself, so a field added to the model is readable
    by a rule without an engine edit. Joins and derived facts stay hand-written properties, and a
    property named like a field replaces it (e.g. a status that raises Missing when unknown).
    A null field reads as None, which the evaluator reports as not collected at
    `<subject location>.<attribute>` (or looks up an attestation, for a rule's manual fact).
    """

    snapshot_model: ClassVar[type[BaseModel] | None] = None

    def __init_subclass__(cls, *, model: type[BaseModel] | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if model is None:
            return  # a subclass of a view keeps its parent's model and fields
        cls.snapshot_model = model
        for field in model.model_fields:
            if not hasattr(cls, field):
                setattr(cls, field, PassThrough(field))

    def __init__(self, wrapped: BaseModel, location: str) -> None:
        self._wrapped = wrapped
        self._wrapped_at = location

    def field_value(self, field: str) -> Any:
        """The wrapped model's field; a value an open enum does not know is Missing, never compared."""
        value = getattr(self._wrapped, field)
        if isinstance(value, OpenEnum) and not value.recognised:
            raise Missing(f"{self._wrapped_at}.{field} ('{value.value}', which mcaudit does not know), "
                          "as a value mcaudit knows")
        return plain(value)


@dataclass(frozen=True)
class Subject:
    key: str  # stable identifier, used to match attestations and waivers
    label: str  # what a report shows
    location: str  # dotted path into the snapshot
    view: Any


class RuleEvaluator(Protocol):
    """What a check function may ask of the evaluator running it, given in its Context.

    MC203 applies SF111-SF116 to a Salesforce user who is not the System User; RT304 and PV401
    re-run checklist rules that are not in their own mode.
    """

    def run_check(self, rule_id: str, subject: Subject) -> Outcome:
        """One rule's check on a given subject, whatever subjects the rule itself selects."""
        ...

    def findings(self, rule_id: str) -> list[Finding]:
        """A whole rule's findings, its own subjects included."""
        ...
