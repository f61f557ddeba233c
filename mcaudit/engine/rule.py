"""The schema of a rule file (rules/<area>/<ID>.yaml), validated strictly at load time.

The shape only: whether an attribute, operator, value or function fits the rule's subject is the
loader's to check (engine/loader.py), against the registries that say what each one offers.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from mcaudit.findings import Area, RuleInfo, Severity, Source

RULE_ID = re.compile(r"^[A-Z]{2,4}[0-9]{3}$")
MODES = ("audit", "preflight", "verify")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Leaf(_Strict):
    """One comparison: `attribute operator value` on the rule's subject."""

    attribute: str
    operator: str
    value: Any = None
    label: str | None = Field(default=None, description="how to name the attribute in evidence")


class Combinator(_Strict):
    all: list[Condition] | None = Field(default=None, min_length=1)
    any: list[Condition] | None = Field(default=None, min_length=1)
    not_: Condition | None = Field(default=None, alias="not")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _exactly_one(self) -> Combinator:
        given = [name for name in ("all", "any", "not_") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("a condition group needs exactly one of all / any / not")
        return self


# Which model a mapping is decides which fields are wrong in it: without this, a typo in a leaf
# (`valu:`) is reported as a missing `function` of the first union member. The tags are written
# like pydantic's own type tags ("[...]"), which error paths leave out (snapshot.field_path).
LEAF, GROUP, FUNCTION = "[leaf]", "[group]", "[function]"


def _condition_tag(data: Any) -> str | None:
    if isinstance(data, dict):
        return GROUP if {"all", "any", "not"} & data.keys() else LEAF
    if isinstance(data, Leaf):
        return LEAF
    return GROUP if isinstance(data, Combinator) else None


def _check_tag(data: Any) -> str | None:
    if (isinstance(data, dict) and "function" in data) or isinstance(data, FunctionCheck):
        return FUNCTION
    return _condition_tag(data)


Condition = Annotated[
    Annotated[Leaf, Tag(LEAF)] | Annotated[Combinator, Tag(GROUP)],
    Discriminator(_condition_tag),
]


class FunctionCheck(_Strict):
    function: str
    params: dict[str, Any] = Field(default_factory=dict)


class Messages(_Strict):
    pass_: str | None = Field(default=None, alias="pass")
    fail: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Manual(_Strict):
    """A fact no API shows: what a person must look at, and the attestation that settles it."""

    fact: str
    attribute: str | None = Field(
        default=None, description="the subject attribute the attestation stands in for"
    )
    instructions: str
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="what a person sees in Setup -> the value to record; an attestation may use either",
    )


class RuleSource(_Strict):
    document: str
    title: str
    section: str | None = None
    url: str | None = None


class SymptomLink(_Strict):
    """A symptom this rule explains (`mcaudit triage`), and how its failure causes it."""

    symptom: str = Field(description="a symptom name from `mcaudit triage --list`")
    how: str = Field(min_length=1, description="one line: how this rule's failure causes the symptom")


class WhenNoSubjects(_Strict):
    status: Literal["pass", "fail", "n/a"] = "n/a"
    message: str


class RuleSpec(_Strict):
    id: str
    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str
    severity: Severity
    area: Area
    modes: list[Literal["audit", "preflight", "verify"]] = Field(min_length=1)
    needs: list[str] = Field(min_length=1, description="snapshot sections the rule reads")
    applies_if: list[str] = Field(
        default_factory=list,
        description="optional sections (aep, integrations): absent means the feature is not in use, so n/a",
    )
    subjects: str
    check: Annotated[
        Annotated[FunctionCheck, Tag(FUNCTION)] | Annotated[Leaf, Tag(LEAF)] | Annotated[Combinator, Tag(GROUP)],
        Discriminator(_check_tag),
    ]
    messages: Messages = Field(default_factory=Messages)
    when_no_subjects: WhenNoSubjects | None = None
    manual: Manual | None = None
    show: list[str] = Field(
        default_factory=list, description="subject attributes added to the evidence, for context"
    )
    rationale: str
    remediation: str
    setup_path: str | None = None
    source: RuleSource
    aliases: list[str] = Field(default_factory=list, description="former names, kept findable")
    symptoms: list[SymptomLink] = Field(
        default_factory=list, description="the symptoms this rule explains, for `mcaudit triage`"
    )

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError(f"rule id {value!r} must look like SF101 (letters then 3 digits)")
        return value

    def info(self) -> RuleInfo:
        return RuleInfo(
            id=self.id,
            name=self.name,
            title=self.title,
            severity=self.severity,
            area=self.area,
            modes=tuple(self.modes),
            rationale=self.rationale.strip(),
            remediation=self.remediation.strip(),
            source=Source(**self.source.model_dump()),
            setup_path=self.setup_path,
            manual_instructions=self.manual.instructions.strip() if self.manual else None,
            symptoms=tuple((link.symptom, link.how.strip()) for link in self.symptoms),
        )


Combinator.model_rebuild()
