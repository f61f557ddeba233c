"""load_rules(paths) -> RulePack: read and validate every rules/**/<ID>.yaml.

A rule file is validated strictly; its id must equal its file stem, ids are unique across all
folders, and every subject, function, operator and snapshot section it names must exist, so a
typo in a rule fails at load time rather than silently passing.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from mcaudit.engine.operators import OPERATORS
from mcaudit.engine.rule import MODES, Combinator, FunctionCheck, Leaf, RuleSpec
from mcaudit.errors import RuleError, UnknownRuleError
from mcaudit.findings import Area
from mcaudit.resources import rules_dir
from mcaudit.snapshot import Snapshot, field_path
from mcaudit.yamlio import YamlProblem, load_yaml


@dataclass(frozen=True)
class RulePack:
    rules: tuple[RuleSpec, ...]

    def get(self, rule_id: str) -> RuleSpec:
        wanted = rule_id.strip().upper()
        for rule in self.rules:
            if rule.id == wanted or rule_id.strip().lower() in (rule.name, *rule.aliases):
                return rule
        raise UnknownRuleError(f"unknown rule id '{rule_id}' (see `mcaudit rules` for the list)")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(rule.id for rule in self.rules)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """Unwrap Optional[...] and list[...] down to a pydantic model class, if any."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
        return None
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def is_snapshot_path(dotted: str) -> bool:
    model: type[BaseModel] | None = Snapshot
    for part in dotted.split("."):
        if model is None or part not in model.model_fields:
            return False
        model = _model_of(model.model_fields[part].annotation)
    return True


def _leaves(condition: Leaf | Combinator) -> Iterable[Leaf]:
    if isinstance(condition, Leaf):
        yield condition
        return
    for part in (condition.all or condition.any or ([condition.not_] if condition.not_ else [])):
        yield from _leaves(part)


def _check_references(rule: RuleSpec, file: Path) -> None:
    from mcaudit.engine.checks import CHECKS
    from mcaudit.engine.subjects import SUBJECTS

    def fail(message: str) -> None:
        raise RuleError(message, path=str(file))

    if rule.subjects not in SUBJECTS:
        fail(f"subjects: unknown subject selector '{rule.subjects}' (known: {', '.join(SUBJECTS)})")
    for key, paths in (("needs", rule.needs), ("applies_if", rule.applies_if)):
        for path in paths:
            if not is_snapshot_path(path):
                fail(f"{key}: '{path}' is not a snapshot section (see `mcaudit schema`)")
    if isinstance(rule.check, FunctionCheck):
        if rule.show:
            fail("show: only declarative checks add context evidence; a function check writes its own")
        if rule.check.function not in CHECKS:
            fail(f"check.function: unknown check '{rule.check.function}'")
    else:
        for leaf in _leaves(rule.check):
            if leaf.operator not in OPERATORS:
                fail(f"check: unknown operator '{leaf.operator}' (known: {', '.join(OPERATORS)})")


def load_rule_file(file: Path) -> RuleSpec:
    try:
        data = load_yaml(file.read_text(encoding="utf-8"))
    except YamlProblem as problem:
        raise RuleError(f"invalid YAML: {problem.message}", path=str(file), line=problem.line,
                        column=problem.column) from None
    except (OSError, UnicodeDecodeError) as error:
        raise RuleError(f"cannot read rule file: {error}", path=str(file)) from None
    if not isinstance(data, dict):
        raise RuleError("expected a mapping", path=str(file))
    try:
        rule = RuleSpec.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        raise RuleError(first["msg"], path=str(file), field=field_path(tuple(first["loc"]))) from None
    if rule.id != file.stem:
        raise RuleError(f"rule id '{rule.id}' must match the file name '{file.stem}'", path=str(file))
    _check_references(rule, file)
    return rule


def load_rules(extra_dirs: Iterable[str | Path] = (), *, include_builtin: bool = True) -> RulePack:
    folders = ([rules_dir()] if include_builtin else []) + [Path(d) for d in extra_dirs]
    seen: dict[str, Path] = {}
    rules: list[RuleSpec] = []
    for folder in folders:
        if not folder.is_dir():
            raise RuleError("rules directory not found", path=str(folder))
        for file in sorted(folder.rglob("*.yaml")):
            rule = load_rule_file(file)
            if rule.id in seen:
                raise RuleError(f"rule id '{rule.id}' is already defined in {seen[rule.id]}",
                                path=str(file))
            seen[rule.id] = file
            rules.append(rule)
    areas = list(Area)
    # catalog order: by area, then in the order a rule's mode comes up (a preflight before a verify)
    rules.sort(key=lambda rule: (areas.index(rule.area), min(MODES.index(m) for m in rule.modes), rule.id))
    return RulePack(tuple(rules))
