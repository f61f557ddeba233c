"""load_rules(paths) -> RulePack: read and validate every rules/**/<ID>.yaml.

Every rule file, shipped or from --rules-dir, is validated completely before an audit runs: its
shape (engine/rule.py; the id equals the file stem, ids are unique across folders), then all it
names, against the registries that say what exists: subject selectors and the attributes each
offers (engine/attributes.py), operators and the values they take, regular expressions included
(engine/operators.py), check functions with their subjects and params (engine/contracts.py),
snapshot sections, and across files the rules a check runs. So evaluating a loaded rule cannot
fail on its content, and a typo fails loudly instead of silently passing. Each refusal is one
RuleError naming the file, the line and the field, with a did-you-mean for a near miss.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from pydantic import BaseModel, ValidationError

from mcaudit.engine.attributes import SALESFORCE_USER, offered
from mcaudit.engine.checks import CHECKS
from mcaudit.engine.contracts import CONTRACTS, Param, param_problem
from mcaudit.engine.operators import OPERATIONS, Kind, operator_problem, pattern_size, shown, value_problem
from mcaudit.engine.rule import (
    MODES,
    Combinator,
    FunctionCheck,
    Leaf,
    Manual,
    Messages,
    RuleSource,
    RuleSpec,
    WhenNoSubjects,
)
from mcaudit.engine.subjects import SUBJECTS
from mcaudit.errors import RuleError, UnknownRuleError
from mcaudit.findings import Area
from mcaudit.resources import rules_dir
from mcaudit.snapshot import Snapshot, field_path
from mcaudit.snapshot.locate import locate_lines, parse_path
from mcaudit.suggest import did_you_mean
from mcaudit.symptoms import symptom_names
from mcaudit.untrusted import RULE_FILE, read_document

# RE2 instructions the `matches` patterns of all loaded rules may compile to together: matching
# is linear in the text, but compiling grows with the pattern, and a counted repetition of 20
# characters can compile to 400,000 instructions (0.2 s). This is about half a second.
PATTERN_BUDGET = 1_000_000


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


def load_rule_file(file: Path) -> RuleSpec:
    data = read_document(file, RULE_FILE).data  # untrusted: mcaudit.untrusted's limits, RuleError of one line
    return rule_from(data, file)


# the built-in catalog's rules, read once per process while their files stay as they are: a
# process that runs several commands (the test suite, a script over many snapshots) reads the
# catalog once; a RuleSpec is frozen, so sharing one is safe
_BUILTIN: dict[tuple[Path, int, int], RuleSpec] = {}


def _builtin_rule(file: Path) -> RuleSpec:
    stat = file.stat()
    key = (file, stat.st_mtime_ns, stat.st_size)
    rule = _BUILTIN.get(key)
    if rule is None:
        rule = _BUILTIN[key] = load_rule_file(file)
    return rule


def rule_from(data: Any, file: Path) -> RuleSpec:
    """A rule from its parsed YAML, validated completely: its shape, then everything it names."""
    if not isinstance(data, dict):
        raise RuleError("expected a mapping", path=str(file))
    try:
        rule = RuleSpec.model_validate(data)
    except ValidationError as error:
        raise _schema_error(error, file) from None
    if rule.id != file.stem:
        _fail(file, "id", f"rule id '{rule.id}' must match the file name '{shown(file.stem)}'")
    check_rule(rule, file)
    return rule


# -- errors: one line, naming the file, the line where it can be found, and the field -----------

_RULE_MODELS = (RuleSpec, Leaf, Combinator, FunctionCheck, Messages, Manual, RuleSource, WhenNoSubjects)
_RULE_FIELDS = sorted({info.alias or name for model in _RULE_MODELS for name, info in model.model_fields.items()})


def _line_of(file: Path, where: str) -> int | None:
    """The line of the field in the rule file, or of the nearest enclosing field that is there.
    The file is read again for it, which happens only when a rule is refused."""
    parts = parse_path(where)
    candidates = [field_path(parts[:end]) for end in range(len(parts), 0, -1)]
    lines = locate_lines(file, candidates)
    return next((lines[path] for path in candidates if path in lines), None)


def _fail(file: Path, where: str, message: str) -> NoReturn:
    raise RuleError(message, path=str(file), line=_line_of(file, where), field=where)


def _schema_error(error: ValidationError, file: Path) -> RuleError:
    first = error.errors(include_url=False)[0]
    loc = tuple(shown(part) if isinstance(part, str) else part for part in first["loc"])
    where = field_path(loc)
    if first["type"] == "extra_forbidden":
        message = "unknown field" + did_you_mean(str(loc[-1]), _RULE_FIELDS)
    elif first["type"] == "missing":
        message = "required field is missing"
    elif first["type"] == "union_tag_not_found":
        message = ("expected a mapping: a check function ({function: NAME}) or a condition "
                   "(attribute / operator / value, or all / any / not)")
    else:
        message = shown(first["msg"], limit=200)
    return RuleError(message, path=str(file), line=_line_of(file, where) if where else None, field=where or None)


# -- what one rule names: subjects, sections, attributes, operators, values, functions, params --

def check_rule(rule: RuleSpec, file: Path) -> None:
    """Everything a rule names exists and fits, so evaluating it cannot fail on its content."""
    if rule.subjects not in SUBJECTS:
        _fail(file, "subjects", f"unknown subject selector '{shown(rule.subjects)}'"
              f"{did_you_mean(rule.subjects, SUBJECTS)} (known: {', '.join(SUBJECTS)})")
    for key, paths in (("needs", rule.needs), ("applies_if", rule.applies_if)):
        for position, path in enumerate(paths):
            if not is_snapshot_path(path):
                _fail(file, f"{key}[{position}]", f"'{shown(path)}' is not a snapshot section (see `mcaudit schema`)")
    for position, link in enumerate(rule.symptoms):
        if link.symptom not in symptom_names():
            _fail(file, f"symptoms[{position}].symptom", f"unknown symptom '{shown(link.symptom)}'"
                  f"{did_you_mean(link.symptom, symptom_names())} (see `mcaudit triage --list`)")
        if "audit" not in rule.modes:
            _fail(file, f"symptoms[{position}]", "only a rule that runs in audit mode can explain a symptom: "
                  "triage evaluates the audit rules")
    if isinstance(rule.check, FunctionCheck):
        _check_function(rule, rule.check, file)
    else:
        _check_declarative(rule, rule.check, file)


def _leaves_at(condition: Leaf | Combinator, where: str) -> Iterable[tuple[str, Leaf]]:
    """Each comparison of a condition, with its field path (check.all[1].not)."""
    if isinstance(condition, Leaf):
        yield where, condition
        return
    for name, parts in (("all", condition.all), ("any", condition.any)):
        for position, part in enumerate(parts or []):
            yield from _leaves_at(part, f"{where}.{name}[{position}]")
    if condition.not_ is not None:
        yield from _leaves_at(condition.not_, f"{where}.not")


def _unknown_attribute(name: str, selector: str, offer: Mapping[str, Kind]) -> str:
    hint = did_you_mean(name, offer) or f" (offered: {', '.join(offer)})"
    return f"unknown attribute '{shown(name)}' for subjects {selector}{hint}"


def _check_declarative(rule: RuleSpec, check: Leaf | Combinator, file: Path) -> None:
    offer = offered(rule.subjects)
    if not offer:
        _fail(file, "subjects", f"'{rule.subjects}' offers no attributes to compare: its rules call a check "
              "function (check: {function: NAME}); docs/reference/subjects (the generated reference) lists what a "
              "condition can read")
    compared = set()
    patterns = _PatternSizes()
    for where, leaf in _leaves_at(check, "check"):
        kind = offer.get(leaf.attribute)
        if kind is None:
            _fail(file, f"{where}.attribute", _unknown_attribute(leaf.attribute, rule.subjects, offer))
        compared.add(leaf.attribute)
        if leaf.operator not in OPERATIONS:
            _fail(file, f"{where}.operator", f"unknown operator '{shown(leaf.operator)}'"
                  f"{did_you_mean(leaf.operator, OPERATIONS)} (known: {', '.join(OPERATIONS)})")
        problem = operator_problem(leaf.operator, leaf.attribute, kind)
        if problem:
            _fail(file, f"{where}.operator", problem)
        problem = value_problem(leaf.operator, kind, leaf.value)
        if problem:
            _fail(file, f"{where}.value", problem)
        if leaf.operator == "matches":
            patterns.add(leaf.value, file, f"{where}.value", "the rule's")
    for position, name in enumerate(rule.show):
        if name not in offer:
            _fail(file, f"show[{position}]", _unknown_attribute(name, rule.subjects, offer))
    attested = rule.manual.attribute if rule.manual else None
    if attested is not None and attested not in offer:
        _fail(file, "manual.attribute", _unknown_attribute(attested, rule.subjects, offer))
    if attested is not None and attested not in compared:
        _fail(file, "manual.attribute", f"the check does not compare '{attested}', so an attestation of it "
              f"would decide nothing (it compares {', '.join(sorted(compared))})")


def _patterns(rule: RuleSpec) -> set[str]:
    if isinstance(rule.check, FunctionCheck):
        return set()
    return {leaf.value for _, leaf in _leaves_at(rule.check, "check") if leaf.operator == "matches"}


@dataclass
class _PatternSizes:
    """Distinct `matches` patterns, and the RE2 instructions they compile to together."""

    seen: set[str] = field(default_factory=set)
    total: int = 0

    def add(self, pattern: str, file: Path, where: str, whose: str) -> None:
        if pattern in self.seen:
            return
        self.seen.add(pattern)
        self.total += pattern_size(pattern)
        if self.total > PATTERN_BUDGET:
            _fail(file, where, f"{whose} regular expressions compile to more than {PATTERN_BUDGET:,} RE2 "
                  "instructions together: simplify them (a counted repetition such as {300} multiplies the size)")


def _check_function(rule: RuleSpec, check: FunctionCheck, file: Path) -> None:
    if rule.show:
        _fail(file, "show", "only declarative checks add context evidence; a function check writes its own")
    if check.function not in CHECKS:
        _fail(file, "check.function", f"unknown check '{shown(check.function)}'{did_you_mean(check.function, CHECKS)}")
    contract = CONTRACTS[check.function]
    if contract.subjects is not None and rule.subjects not in contract.subjects:
        _fail(file, "subjects", f"check '{check.function}' reads the subjects of "
              f"{', '.join(sorted(contract.subjects))}, not of '{rule.subjects}'")
    for key, value in check.params.items():
        where = f"check.params.{shown(key)}"
        kind = contract.params.get(key)
        if kind is None:
            takes = f"it takes {', '.join(contract.params)}" if contract.params else "it takes none"
            _fail(file, where, f"check '{check.function}' has no param '{shown(key)}'"
                  f"{did_you_mean(key, contract.params)} ({takes})")
        problem = param_problem(kind, value)
        if problem:
            _fail(file, where, problem)
        if kind is Param.sections:
            for position, section in enumerate(value):
                if not is_snapshot_path(section):
                    _fail(file, f"{where}[{position}]",
                          f"'{shown(section)}' is not a snapshot section (see `mcaudit schema`)")
    if rule.manual is not None and rule.manual.attribute is not None:
        _fail(file, "manual.attribute", "only a declarative check compares attributes; a check function "
              "looks its attestation up by `fact`")


# -- what rules run other rules: each reference exists, fits, and no rule runs itself -----------

def _rules_run_by(rule: RuleSpec, file: Path, loaded: Mapping[str, tuple[RuleSpec, Path]]) -> list[str]:
    """The ids of the rules a rule's check runs; each one checked to exist and to fit."""
    check = rule.check
    if not isinstance(check, FunctionCheck):
        return []
    contract = CONTRACTS[check.function]
    ran: list[str] = []
    for key, kind in contract.params.items():
        if kind not in (Param.rules, Param.user_rules):
            continue
        for position, rule_id in enumerate(check.params.get(key, [])):
            where = f"check.params.{key}[{position}]"
            if rule_id not in loaded:
                _fail(file, where, f"unknown rule id '{shown(rule_id)}'{did_you_mean(rule_id, loaded)}")
            if kind is Param.user_rules:
                problem = _salesforce_user_problem(loaded[rule_id][0])
                if problem:
                    _fail(file, where, f"{rule_id} cannot run on another Salesforce user: {problem}")
            ran.append(rule_id)
    if Param.areas in contract.params.values():
        areas = set(check.params.get("areas", contract.defaults.get("areas", ())))
        severities = set(check.params.get("severities", contract.defaults.get("severities", ())))
        ran += [rule_id for rule_id, (other, _) in loaded.items()
                if other.area.value in areas and other.severity.value in severities]
    return ran


def _salesforce_user_problem(rule: RuleSpec) -> str | None:
    if isinstance(rule.check, FunctionCheck):
        return f"it calls the check function '{rule.check.function}'; only a declarative rule can"
    offer = offered(SALESFORCE_USER)
    read = [leaf.attribute for _, leaf in _leaves_at(rule.check, "check")] + list(rule.show)
    read += [rule.manual.attribute] if rule.manual and rule.manual.attribute else []
    missing = [name for name in dict.fromkeys(read) if name not in offer]
    return f"it reads {', '.join(missing)}, which only its own subjects offer" if missing else None


def _check_runs(loaded: Mapping[str, tuple[RuleSpec, Path]]) -> None:
    """Refuse a rule that runs itself, directly or through others: it would recurse forever."""
    runs = {rule_id: _rules_run_by(rule, file, loaded) for rule_id, (rule, file) in loaded.items()}
    finished: set[str] = set()
    for start in runs:
        trail: list[str] = []  # the rules being followed, each running the next
        stack: list[Iterator[str]] = []
        following: str | None = start
        while True:
            if following is not None and following not in finished:
                if following in trail:
                    cycle = [*trail[trail.index(following):], following]
                    _fail(loaded[cycle[0]][1], "check.params",
                          f"{cycle[0]} would run itself ({' -> '.join(cycle)}) and never finish")
                trail.append(following)
                stack.append(iter(runs[following]))
            if not stack:
                break
            following = next(stack[-1], None)
            if following is None:
                finished.add(trail.pop())
                stack.pop()


def load_rules(extra_dirs: Iterable[str | Path] = (), *, include_builtin: bool = True) -> RulePack:
    folders = ([rules_dir()] if include_builtin else []) + [Path(d) for d in extra_dirs]
    seen: dict[str, Path] = {}
    rules: list[RuleSpec] = []
    patterns = _PatternSizes()
    for folder in folders:
        if not folder.is_dir():
            raise RuleError("rules directory not found", path=str(folder))
        builtin = include_builtin and folder == folders[0]
        for file in sorted(folder.rglob("*.yaml")):
            rule = _builtin_rule(file) if builtin else load_rule_file(file)
            if rule.id in seen:
                raise RuleError(f"rule id '{rule.id}' is already defined in {seen[rule.id]}",
                                path=str(file))
            seen[rule.id] = file
            rules.append(rule)
            for pattern in sorted(_patterns(rule)):
                patterns.add(pattern, file, "check", "the loaded rules'")
    _check_runs({rule.id: (rule, seen[rule.id]) for rule in rules})
    areas = list(Area)
    # catalog order: by area, then in the order a rule's mode comes up (a preflight before a verify)
    rules.sort(key=lambda rule: (areas.index(rule.area), min(MODES.index(m) for m in rule.modes), rule.id))
    return RulePack(tuple(rules))
