"""Per-rule test cases, data-driven: one file tests/rules/cases/<RULE_ID>.yaml per rule.

`pytest -k SF111` runs that rule's cases (test ids are `<RULE_ID>-<case-name-slug>`).

Case file format::

    rule: SF111                       # must equal the file stem
    cases:
      - name: frozen but active System User fails      # unique within the file
        base: healthy                 # samples/<base>.yaml or tests/rules/bases/<base>.yaml
                                      # (optional, default healthy)
        mode: audit                   # optional: audit (default), preflight, verify
        attestation_max_age_days: 90  # optional (default: the engine's default)
        expectations:                 # optional: what the connection should be (mcaudit.expectations),
          production_mids: [510000001]   # as in mcaudit.toml's [expectations] or --expectations FILE
        ack_eject: true               # optional, preflight: --ack-eject (true) or --ack-eject-journey KEYS (a list)
        set:                          # optional: path -> value, applied in order; missing
          salesforce.users[0].is_frozen: true         # mappings on the way are created
        append:                       # optional: path of a list -> one item, or a list of items
          salesforce.users: {id: 005..., username: x@y.example}
        repeat:                       # optional: path of a list -> {count, item}; appends `count`
          marketing_cloud.attribute_sets[1].attributes:   # copies of item with "{n}" in its strings
            {count: 1995, item: {name: "field_{n}"}}      # replaced by 1..count (long lists, compactly)
        delete:                       # optional: paths removed after set/append/repeat (must exist)
          - marketing_cloud.security
        before:                       # verify mode only: the BEFORE snapshot, built the same way
          base: healthy               # (base/set/append/delete); `rotated_at` (optional) is the
          set: {...}                  # rotation time, else BEFORE's collected_at
        expect:                       # the exact multiset of THIS rule's results, any order
          - status: fail              # fail / unknown / manual / waived / pass / n/a
            subject: System User mcc.system@acme.example
            message_contains: frozen  # optional: a substring (or list) of the message
            evidence_contains: Frozen # optional: a substring (or list) of the joined evidence
            attested_by: dana@x.example   # optional: the result rests on this person's attestation

Paths are dotted, with list items selected by position or by a field's value:
`salesforce.users[0].is_active`, `salesforce.users[username=mcc.system@acme.example].is_active`,
`attestations[fact=salesforce.connected_app.ip_relaxation]`. A selector must match exactly one
item. The edited document is validated with `Snapshot.model_validate`, so a case cannot use a
field the model does not have.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from mcaudit.engine import EvaluationConfig, RulePack, evaluate, load_rules
from mcaudit.expectations import Expectations
from mcaudit.findings import Finding
from mcaudit.snapshot import Snapshot
from mcaudit.yamlio import YamlProblem, load_yaml

ROOT = Path(__file__).resolve().parents[2]
CASES_DIR = Path(__file__).resolve().parent / "cases"
BASE_DIRS = (ROOT / "samples", Path(__file__).resolve().parent / "bases")

CASE_FILE_KEYS = {"rule", "cases"}
CASE_KEYS = {"name", "base", "mode", "attestation_max_age_days", "set", "append", "repeat", "delete", "expect",
             "before", "rotated_at", "expectations", "ack_eject"}
EDIT_KEYS = {"base", "set", "append", "repeat", "delete"}
EXPECT_KEYS = {"status", "subject", "message_contains", "evidence_contains", "attested_by"}
STATUSES = {"fail", "unknown", "manual", "waived", "pass", "n/a"}

_TOKEN = re.compile(r"\[([^\]]*)\]|([^.\[\]]+)")


# -- reading cases -------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleCase:
    rule: str
    file: Path
    data: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def test_id(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")
        return f"{self.rule}-{slug}"


def read_case_file(file: Path) -> dict[str, Any]:
    """Read and check the shape of one case file (typos fail loudly, never silently pass)."""
    try:
        data = load_yaml(file.read_text(encoding="utf-8"))
    except YamlProblem as error:
        raise ValueError(f"{file}: invalid YAML: {error}") from None
    if not isinstance(data, dict) or set(data) - CASE_FILE_KEYS or "rule" not in data:
        raise ValueError(f"{file}: expected a mapping with keys {sorted(CASE_FILE_KEYS)}")
    if data["rule"] != file.stem:
        raise ValueError(f"{file}: rule {data['rule']!r} must equal the file stem")
    cases = data.get("cases")
    if not isinstance(cases, list) or not cases:
        raise ValueError(f"{file}: 'cases' must be a non-empty list")
    names = [case.get("name") for case in cases if isinstance(case, dict)]
    if len(names) != len(cases) or len(set(names)) != len(names) or not all(names):
        raise ValueError(f"{file}: every case needs a unique non-empty name")
    for case in cases:
        unknown = set(case) - CASE_KEYS
        if unknown or "expect" not in case:
            raise ValueError(f"{file}: case {case['name']!r}: unknown keys {sorted(unknown)} or no expect")
        before = case.get("before")
        if isinstance(before, str):
            case["before"] = {"base": before}
        elif before is not None and (not isinstance(before, dict) or set(before) - EDIT_KEYS):
            raise ValueError(f"{file}: case {case['name']!r}: before is a base name or takes only "
                             f"{sorted(EDIT_KEYS)}")
        if not isinstance(case["expect"], list):
            raise ValueError(f"{file}: case {case['name']!r}: expect must be a list")
        for item in case["expect"]:
            if not isinstance(item, dict) or set(item) - EXPECT_KEYS or item.get("status") not in STATUSES \
                    or not item.get("subject"):
                raise ValueError(f"{file}: case {case['name']!r}: bad expectation {item!r}")
    return data


def collect_cases(cases_dir: Path = CASES_DIR) -> list[RuleCase]:
    found = []
    for file in sorted(cases_dir.glob("*.yaml")):
        data = read_case_file(file)
        found.extend(RuleCase(data["rule"], file, case) for case in data["cases"])
    return found


# -- editing a document --------------------------------------------------------------------

def parse_path(path: str) -> list[str | int | tuple[str, str]]:
    """'a.b[2].c[k=v]' -> ['a', 'b', 2, 'c', ('k', 'v')]."""
    parts: list[str | int | tuple[str, str]] = []
    rebuilt = ""
    for match in _TOKEN.finditer(path):
        bracket, name = match.groups()
        if name is not None:
            rebuilt += ("." if rebuilt else "") + name
            parts.append(name)
        else:
            rebuilt += f"[{bracket}]"
            if re.fullmatch(r"-?\d+", bracket):
                parts.append(int(bracket))
            elif "=" in bracket:
                field, _, value = bracket.partition("=")
                parts.append((field.strip(), value.strip()))
            else:
                raise ValueError(f"bad selector [{bracket}] in {path!r}")
    if rebuilt != path or not parts:
        raise ValueError(f"cannot parse path {path!r}")
    return parts


def _step(node: Any, part: str | int | tuple[str, str], path: str, *, create: bool) -> Any:
    if isinstance(part, str):
        if not isinstance(node, dict):
            raise KeyError(f"{path}: {part!r} is not inside a mapping")
        if part not in node or node[part] is None:
            if not create:
                raise KeyError(f"{path}: no key {part!r}")
            node[part] = {}
        return node[part]
    if not isinstance(node, list):
        raise KeyError(f"{path}: {part!r} selects from something that is not a list")
    return node[_position(node, part, path)]


def _position(items: list[Any], part: int | tuple[str, str], path: str) -> int:
    if isinstance(part, int):
        if not -len(items) <= part < len(items):
            raise KeyError(f"{path}: index {part} out of range")
        return part
    field, value = part
    hits = [i for i, item in enumerate(items) if isinstance(item, dict) and str(item.get(field)) == value]
    if len(hits) != 1:
        raise KeyError(f"{path}: [{field}={value}] matches {len(hits)} items, expected exactly one")
    return hits[0]


def _parent(document: dict[str, Any], path: str, *, create: bool) -> tuple[Any, str | int | tuple[str, str]]:
    parts = parse_path(path)
    node: Any = document
    for part in parts[:-1]:
        node = _step(node, part, path, create=create)
    return node, parts[-1]


def set_path(document: dict[str, Any], path: str, value: Any) -> None:
    node, last = _parent(document, path, create=True)
    if isinstance(last, str):
        if not isinstance(node, dict):
            raise KeyError(f"{path}: cannot set a key on a non-mapping")
        node[last] = copy.deepcopy(value)
    else:
        node[_position(node, last, path)] = copy.deepcopy(value)


def append_path(document: dict[str, Any], path: str, items: Any) -> None:
    node, last = _parent(document, path, create=True)
    if isinstance(last, str):
        target = node.setdefault(last, [])
        if target is None:
            target = node[last] = []
    else:
        target = node[_position(node, last, path)]
    if not isinstance(target, list):
        raise KeyError(f"{path}: append needs a list")
    target.extend(copy.deepcopy(items if isinstance(items, list) else [items]))


def _numbered(item: Any, number: int) -> Any:
    """A copy of `item` with "{n}" in every string replaced by `number`."""
    if isinstance(item, str):
        return item.replace("{n}", str(number))
    if isinstance(item, dict):
        return {key: _numbered(value, number) for key, value in item.items()}
    if isinstance(item, list):
        return [_numbered(value, number) for value in item]
    return item


def repeat_path(document: dict[str, Any], path: str, spec: Any) -> None:
    """Append `count` numbered copies of `item`: a case can hold 2001 attributes in one line."""
    if not isinstance(spec, dict) or set(spec) != {"count", "item"} or not isinstance(spec["count"], int):
        raise ValueError(f"repeat {path!r}: expected {{count: N, item: ...}}, got {spec!r}")
    append_path(document, path, [_numbered(spec["item"], n) for n in range(1, spec["count"] + 1)])


def delete_path(document: dict[str, Any], path: str) -> None:
    node, last = _parent(document, path, create=False)
    if isinstance(last, str):
        if not isinstance(node, dict) or last not in node:
            raise KeyError(f"{path}: nothing to delete")
        del node[last]
    else:
        del node[_position(node, last, path)]


@cache
def _base_document(name: str) -> dict[str, Any]:
    found = [folder / f"{name}.yaml" for folder in BASE_DIRS if (folder / f"{name}.yaml").is_file()]
    if not found:
        raise FileNotFoundError(f"base {name!r} not found in {', '.join(str(d) for d in BASE_DIRS)}")
    # a sample and a test base of the same name would silently shadow one another
    assert len(found) == 1, f"base {name!r} is ambiguous: {', '.join(map(str, found))}"
    data = load_yaml(found[0].read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{found[0]}: expected a mapping"
    return data


def build_snapshot(case: dict[str, Any]) -> Snapshot:
    """The base document with the case's edits applied, validated as a snapshot."""
    document = copy.deepcopy(_base_document(case.get("base", "healthy")))
    for path, value in (case.get("set") or {}).items():
        set_path(document, path, value)
    for path, items in (case.get("append") or {}).items():
        append_path(document, path, items)
    for path, spec in (case.get("repeat") or {}).items():
        repeat_path(document, path, spec)
    for path in case.get("delete") or []:
        delete_path(document, path)
    return Snapshot.model_validate(document)


# -- running -------------------------------------------------------------------------------

@cache
def rule_pack() -> RulePack:
    return load_rules()


def run_rule(rule_id: str, case: dict[str, Any], pack: RulePack | None = None) -> list[Finding]:
    options: dict[str, Any] = {"mode": case.get("mode", "audit"), "select": (rule_id,)}
    if "attestation_max_age_days" in case:
        options["attestation_max_age_days"] = case["attestation_max_age_days"]
    if "expectations" in case:
        options["expectations"] = Expectations.model_validate(case["expectations"])
    ack = case.get("ack_eject")
    if ack is True:
        options["ack_eject_all"] = True
    elif ack:
        options["ack_eject"] = tuple(str(key) for key in ack)
    snapshot = build_snapshot(case)
    if "before" in case:
        options["baseline"] = _baseline(build_snapshot(case["before"]), snapshot, case.get("rotated_at"))
    result = evaluate(snapshot, pack or rule_pack(), EvaluationConfig(**options))
    return [finding for finding in result.findings if finding.rule_id == rule_id]


def _baseline(before: Snapshot, after: Snapshot, rotated_at: Any) -> Any:
    """What `mcaudit verify BEFORE AFTER` compares with (imported late: only verify cases need it)."""
    from mcaudit.rotation.baseline import before_from_snapshot, build_baseline, parse_moment

    moment = None if rotated_at is None else parse_moment(str(rotated_at))
    return build_baseline(before_from_snapshot(before, "before"), after, "after", moment)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _satisfies(finding: Finding, expected: dict[str, Any]) -> bool:
    evidence = "\n".join(finding.evidence)
    return (
        all(text in finding.message for text in _as_list(expected.get("message_contains")))
        and all(text in evidence for text in _as_list(expected.get("evidence_contains")))
        and ("attested_by" not in expected
             or (finding.attested is not None and finding.attested.by == expected["attested_by"]))
    )


def _describe(findings: list[Finding]) -> str:
    return "\n".join(f"  {f.status.value:8} {f.subject}: {f.message} | evidence: {list(f.evidence)}"
                     + (f" | {f.attested.label()}" if f.attested else "") for f in findings) or "  (none)"


CASES = collect_cases()


def check_rule_case(rule_case: RuleCase, pack: RulePack | None = None) -> None:
    """Run one case against `pack` (the built-in rules by default) and compare with its expect."""
    findings = run_rule(rule_case.rule, rule_case.data, pack)
    expected = rule_case.data["expect"]
    got = Counter((f.status.value, f.subject) for f in findings)
    want = Counter((item["status"], item["subject"]) for item in expected)
    assert got == want, (f"{rule_case.file.name}: {rule_case.name!r}: results differ\n"
                         f"expected: {sorted(want.elements())}\ngot:\n{_describe(findings)}")
    for item in expected:
        candidates = [f for f in findings if (f.status.value, f.subject) == (item["status"], item["subject"])]
        assert any(_satisfies(f, item) for f in candidates), (
            f"{rule_case.file.name}: {rule_case.name!r}: no {item['status']} result for {item['subject']!r} "
            f"matches {item}\ngot:\n{_describe(candidates)}")


@pytest.mark.parametrize("rule_case", CASES, ids=[case.test_id for case in CASES])
def test_rule_case(rule_case: RuleCase) -> None:
    check_rule_case(rule_case)


# -- the runner's own helpers --------------------------------------------------------------

def test_parse_path_handles_dots_inside_selectors() -> None:
    assert parse_path("salesforce.users[username=a.b@c.example].is_active") == [
        "salesforce", "users", ("username", "a.b@c.example"), "is_active"]
    assert parse_path("attestations[-1]") == ["attestations", -1]
    with pytest.raises(ValueError, match="cannot parse"):
        parse_path("salesforce..users")


def test_selector_must_match_exactly_one_item() -> None:
    document = {"users": [{"username": "a"}, {"username": "a"}]}
    with pytest.raises(KeyError, match="matches 2 items"):
        set_path(document, "users[username=a].active", True)
    with pytest.raises(KeyError, match="nothing to delete"):
        delete_path({"a": {}}, "a.b")


def test_repeat_appends_numbered_copies() -> None:
    document: dict[str, Any] = {"sets": [{"attributes": [{"name": "a"}]}]}
    repeat_path(document, "sets[0].attributes", {"count": 2, "item": {"name": "f_{n}", "tags": ["t{n}"], "size": 1}})
    assert document["sets"][0]["attributes"] == [
        {"name": "a"}, {"name": "f_1", "tags": ["t1"], "size": 1}, {"name": "f_2", "tags": ["t2"], "size": 1}]
    with pytest.raises(ValueError, match="expected"):
        repeat_path(document, "sets[0].attributes", {"count": "2"})
