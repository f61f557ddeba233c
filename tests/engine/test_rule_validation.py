"""A rule file is validated completely when it is loaded: every mistake is one RuleError naming the
file, the line and the field, before any audit runs.

Each case writes a rule file whose `subjects:`, `check:` and extra lines are given, loads it, and
asserts the field, the line and a part of the message.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mcaudit.engine import load_rules
from mcaudit.engine.attributes import OFFERS
from mcaudit.engine.loader import load_rule_file
from mcaudit.engine.operators import OPERATIONS, Kind, PatternError, compile_pattern, value_problem
from mcaudit.errors import RuleError

HEAD = """id: XC901
name: custom
title: A custom rule
severity: high
area: {area}
modes: [audit]
needs: [salesforce.users]
subjects: {subjects}
"""
TAIL = """rationale: Why.
remediation: What.
source: {document: ACME runbook, title: House rules}
"""
CHECK_LINE = 9  # the first line after the head


def write_rule(folder: Path, check: str, *, subjects: str = "sf.system_user", extra: str = "",
               rule_id: str = "XC901", area: str = "salesforce", severity: str = "high") -> Path:
    text = HEAD.format(subjects=subjects, area=area).replace("XC901", rule_id).replace("high", severity)
    file = folder / f"{rule_id}.yaml"
    file.write_text(text + check.strip("\n") + "\n" + extra + TAIL, encoding="utf-8")
    return file


def refusal(tmp_path: Path, check: str, **options: str) -> RuleError:
    file = write_rule(tmp_path, check, **options)
    with pytest.raises(RuleError) as raised:
        load_rule_file(file)
    error = raised.value
    assert error.path == str(file)
    assert "\n" not in str(error)
    return error


# -- attributes -------------------------------------------------------------------------------

def test_a_misspelt_attribute_gets_a_did_you_mean(tmp_path: Path) -> None:
    error = refusal(tmp_path, "check: {attribute: usrname, operator: equals, value: x}")
    assert (error.field, error.line) == ("check.attribute", CHECK_LINE)
    assert "unknown attribute 'usrname' for subjects sf.system_user; did you mean 'username'?" in error.detail


def test_an_unknown_attribute_lists_what_the_subject_offers(tmp_path: Path) -> None:
    check = "check:\n  all:\n    - {attribute: is_active, operator: is_true}\n    - {attribute: zzz, operator: is_true}"
    error = refusal(tmp_path, check)
    assert (error.field, error.line) == ("check.all[1].attribute", CHECK_LINE + 3)
    assert "(offered: id, username," in error.detail and " user_id," in error.detail


def test_an_attribute_of_another_subject_is_unknown(tmp_path: Path) -> None:
    error = refusal(tmp_path, "check: {attribute: roles, operator: contains, value: Administrator}")
    assert "unknown attribute 'roles' for subjects sf.system_user" in error.detail


def test_a_nested_not_names_its_path(tmp_path: Path) -> None:
    check = "check:\n  any:\n    - not:\n        attribute: is_frozn\n        operator: is_true"
    error = refusal(tmp_path, check)
    assert (error.field, error.line) == ("check.any[0].not.attribute", CHECK_LINE + 3)
    assert "did you mean 'is_frozen'?" in error.detail


def test_an_unknown_show_attribute_is_refused(tmp_path: Path) -> None:
    error = refusal(tmp_path, "check: {attribute: is_active, operator: is_true}",
                    extra="show: [username, system_usr]\n")
    assert (error.field, error.line) == ("show[1]", CHECK_LINE + 1)
    assert "did you mean 'system_user'?" in error.detail


@pytest.mark.parametrize(("manual", "message"), [
    ("{fact: f, attribute: usernam, instructions: look}", "did you mean 'username'?"),
    ("{fact: f, attribute: is_frozen, instructions: look}", "the check does not compare 'is_frozen'"),
])
def test_a_manual_attribute_must_be_one_the_check_compares(tmp_path: Path, manual: str, message: str) -> None:
    error = refusal(tmp_path, "check: {attribute: is_active, operator: is_true}", extra=f"manual: {manual}\n")
    assert error.field == "manual.attribute" and message in error.detail


def test_a_subject_without_attributes_takes_no_declarative_check(tmp_path: Path) -> None:
    error = refusal(tmp_path, "check: {attribute: name, operator: equals, value: Sync}",
                    subjects="integrations.declared")
    assert error.field == "subjects" and "offers no attributes to compare" in error.detail


def test_an_unknown_subject_gets_a_did_you_mean(tmp_path: Path) -> None:
    error = refusal(tmp_path, "check: {attribute: username, operator: equals, value: x}", subjects="sf.sytem_user")
    assert (error.field, error.line) == ("subjects", CHECK_LINE - 1)
    assert "did you mean 'sf.system_user'?" in error.detail


# -- operators and values ---------------------------------------------------------------------

def test_a_misspelt_operator_gets_a_did_you_mean(tmp_path: Path) -> None:
    error = refusal(tmp_path, "check: {attribute: username, operator: equal, value: x}")
    assert error.field == "check.operator" and "did you mean 'equals'?" in error.detail


@pytest.mark.parametrize(("check", "message"), [
    ("{attribute: username, operator: gte, value: 5}", "'gte' does not apply to 'username', which is text"),
    ("{attribute: is_active, operator: matches, value: 'tr.*'}", "which is true/false; for true/false use"),
    ("{attribute: app_access, operator: equals, value: x}", "which is list of text; for list of text use"),
    ("{attribute: username, operator: contains, value: x}", "'contains' does not apply to 'username'"),
    ("{attribute: username, operator: is_true}", "'is_true' does not apply to 'username'"),
])
def test_an_operator_that_does_not_fit_the_attribute_is_refused(tmp_path: Path, check: str, message: str) -> None:
    error = refusal(tmp_path, f"check: {check}")
    assert error.field == "check.operator" and message in error.detail


@pytest.mark.parametrize(("subjects", "check", "message"), [
    ("aep.segment_attributes", "{attribute: length, operator: gte, value: abc}",
     "'gte' needs a number here, not text 'abc'"),
    ("aep.segment_attributes", "{attribute: length, operator: lte, value: true}",
     "'lte' needs a number here, not true/false"),
    ("aep.segment_attributes", "{attribute: length, operator: lte}", "'lte' needs a value: a number"),
    ("sf.system_user", "{attribute: username, operator: equals, value: 5}", "'equals' needs text here, not number 5"),
    ("sf.system_user", "{attribute: username, operator: equals, value: [a]}", "not a list"),
    ("sf.system_user", "{attribute: username, operator: equals, value: {a: 1}}", "not a mapping"),
    ("sf.system_user", "{attribute: username, operator: equals, value: 2026-01-01}", "not date 2026-01-01"),
    ("sf.system_user", "{attribute: is_active, operator: equals, value: 'yes'}", "needs true or false here"),
    ("sf.system_user", "{attribute: username, operator: in, value: 5}", "'in' needs a non-empty list of text"),
    ("sf.system_user", "{attribute: username, operator: not_in, value: []}", "'not_in' needs a non-empty list"),
    ("sf.system_user", "{attribute: username, operator: in, value: [a, 1]}", "item 2 is number 1"),
    ("sf.system_user", "{attribute: username, operator: in, value: [a, [b]]}", "item 2 is a list"),
    ("sf.system_user", "{attribute: is_active, operator: is_true, value: false}", "'is_true' takes no value"),
    ("sf.system_user", "{attribute: app_access, operator: not_empty, value: x}", "'not_empty' takes no value"),
    ("sf.system_user", "{attribute: app_access, operator: contains, value: [x]}", "'contains' needs text here"),
    ("mc.api_user", "{attribute: business_unit_mids, operator: contains, value: '123'}", "needs a number here"),
    ("mc.api_user", "{attribute: roles, operator: contains_any, value: Administrator}", "needs a non-empty list"),
    ("sf.system_user", "{attribute: username, operator: matches, value: 5}", "needs a regular expression (text)"),
])
def test_a_value_of_the_wrong_type_is_refused(tmp_path: Path, subjects: str, check: str, message: str) -> None:
    error = refusal(tmp_path, f"check: {check}", subjects=subjects)
    assert (error.field, error.line) == ("check.value", CHECK_LINE)
    assert message in error.detail


@pytest.mark.parametrize(("pattern", "message"), [
    ("admin[", "invalid regular expression (RE2 syntax): missing ]: ["),
    ("(admin", "invalid regular expression (RE2 syntax): missing ): (admin"),
    ("a{2,1}", "invalid regular expression (RE2 syntax): invalid repetition size"),
    ("(?=admin).*", "RE2 syntax: lookahead (?=...) is not supported"),
    ("(?!admin).*", "RE2 syntax: negative lookahead (?!...) is not supported"),
    ("(?<=a)dmin", "RE2 syntax: lookbehind (?<=...) is not supported"),
    ("(?<!a)dmin", "RE2 syntax: negative lookbehind (?<!...) is not supported"),
    (r"(a)\1", "RE2 syntax: a backreference (\\1) is not supported"),
    ("(?P<x>a)(?P=x)", "RE2 syntax: a named backreference (?P=name) is not supported"),
    ("(?>a+)b", "RE2 syntax: an atomic group (?>...) is not supported"),
    ("a++b", "RE2 syntax: a possessive quantifier"),
    ("(?(1)a|b)", "RE2 syntax: a conditional"),
    (r"admin\Z", "RE2 syntax: \\Z (use \\z or $) is not supported"),
])
def test_a_regular_expression_re2_cannot_run_is_refused(tmp_path: Path, pattern: str, message: str) -> None:
    quoted = pattern.replace("'", "''")
    error = refusal(tmp_path, f"check: {{attribute: username, operator: matches, value: '{quoted}'}}")
    assert (error.field, error.line) == ("check.value", CHECK_LINE)
    assert message in error.detail


def test_a_pattern_with_a_lone_surrogate_is_refused(tmp_path: Path) -> None:
    error = refusal(tmp_path, 'check: {attribute: username, operator: matches, value: "a\\ud800"}')
    assert error.field == "check.value" and "lone surrogate" in error.detail


@pytest.mark.parametrize(("pattern", "message"), [
    ("(?u)a", "RE2 syntax: the flag (?u is not supported (flags: i, m, s, U)"),
    ("(?Px)", "RE2 syntax: the group (?P is not supported"),
])
def test_an_unsupported_group_or_flag_is_named(tmp_path: Path, pattern: str, message: str) -> None:
    error = refusal(tmp_path, f"check: {{attribute: username, operator: matches, value: '{pattern}'}}")
    assert message in error.detail


HEAVY = r"[\p{L}\p{N}]{300}"  # 20 characters that compile to about 400,000 RE2 instructions


def test_a_rule_whose_patterns_are_too_large_together_is_refused(tmp_path: Path) -> None:
    leaves = "".join(f"\n    - {{attribute: username, operator: matches, value: '{HEAVY}{n}'}}" for n in range(50))
    started = time.monotonic()
    error = refusal(tmp_path, f"check:\n  any:{leaves}")
    assert time.monotonic() - started < 3
    assert (error.field, error.line) == ("check.any[2].value", CHECK_LINE + 4)
    assert "the rule's regular expressions compile to more than 1,000,000 RE2 instructions together" in error.detail


def test_rules_whose_patterns_are_too_large_together_are_refused(tmp_path: Path) -> None:
    for number in range(901, 950):
        write_rule(tmp_path, f"check: {{attribute: username, operator: matches, value: '{HEAVY}{number}'}}",
                   rule_id=f"XC{number}")
    error = _load_custom(tmp_path)
    assert error.path == str(tmp_path / "XC903.yaml") and error.field == "check"
    assert "the loaded rules' regular expressions compile to more than 1,000,000" in error.detail


def test_an_error_shows_no_raw_control_character(tmp_path: Path) -> None:
    error = refusal(tmp_path, 'check: {attribute: "user\\x1b[31mname", operator: equals, value: x}')
    assert "\x1b" not in str(error) and "\\x1b" in str(error)


# -- the schema: unknown and missing fields name the field and its line -----------------------

def test_a_misspelt_field_gets_a_did_you_mean(tmp_path: Path) -> None:
    error = refusal(tmp_path, "check: {attribute: username, operator: equals, valu: x}")
    assert (error.field, error.line, error.detail) == ("check.valu", CHECK_LINE, "unknown field; did you mean 'value'?")


def test_a_missing_operator_names_the_check(tmp_path: Path) -> None:
    error = refusal(tmp_path, "check:\n  all:\n    - attribute: username")
    assert (error.field, error.line, error.detail) == ("check.all[0].operator", CHECK_LINE + 2,
                                                       "required field is missing")


def test_an_empty_group_is_refused(tmp_path: Path) -> None:
    error = refusal(tmp_path, "check: {all: []}")
    assert error.field == "check.all" and "at least 1 item" in error.detail


def test_a_check_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    error = refusal(tmp_path, "check: username equals x")
    assert error.field == "check" and "expected a mapping" in error.detail


# -- check functions --------------------------------------------------------------------------

@pytest.mark.parametrize(("subjects", "check", "field", "message"), [
    ("sf.org", "{function: attribute_page_limit}", "subjects",
     "check 'attribute_page_limit' reads the subjects of aep.email_demographics, not of 'sf.org'"),
    ("aep.email_demographics", "{function: attribute_page_limit, params: {page_size: abc}}",
     "check.params.page_size", "needs a whole number of at least 1, not abc"),
    ("aep.email_demographics", "{function: attribute_page_limit, params: {page_size: 0}}",
     "check.params.page_size", "at least 1"),
    ("aep.email_demographics", "{function: custom_attribute_headroom, params: {threshold_percent: 150}}",
     "check.params.threshold_percent", "a whole number from 1 to 100"),
    ("aep.email_demographics", "{function: attribute_page_limit, params: {pagesize: 5}}",
     "check.params.pagesize", "has no param 'pagesize'; did you mean 'page_size'?"),
    ("sf.connector", "{function: system_user_identified, params: {x: 1}}",
     "check.params.x", "(it takes none)"),
    ("sf.system_user", "{function: package_permission_sets_held, params: {labels: Marketing Cloud Connector}}",
     "check.params.labels", "needs a non-empty list of text"),
    ("rotation.connection", "{function: checklist_criticals_pass, params: {areas: [salesforse]}}",
     "check.params.areas", "unknown area 'salesforse' (known: salesforce,"),
    ("rotation.connection", "{function: checklist_criticals_pass, params: {severities: 5}}",
     "check.params.severities", "needs a non-empty list of severities"),
    ("rotation.snapshot", "{function: rotation_sections_present, params: {sections: [marketing_cloud.jorneys]}}",
     "check.params.sections[0]", "'marketing_cloud.jorneys' is not a snapshot section"),
    ("sf.connector", "{function: system_user_identifed}", "check.function",
     "unknown check 'system_user_identifed'; did you mean 'system_user_identified'?"),
])
def test_a_check_function_is_held_to_its_contract(tmp_path: Path, subjects: str, check: str, field: str,
                                                  message: str) -> None:
    error = refusal(tmp_path, f"check: {check}", subjects=subjects)
    assert error.field == field and message in error.detail


def test_a_check_function_takes_no_manual_attribute(tmp_path: Path) -> None:
    error = refusal(tmp_path, "check: {function: system_user_identified}", subjects="sf.connector",
                    extra="manual: {fact: f, attribute: connected, instructions: look}\n")
    assert error.field == "manual.attribute"


# -- rules that run other rules ---------------------------------------------------------------

def _load_custom(folder: Path) -> RuleError:
    with pytest.raises(RuleError) as raised:
        load_rules([folder])
    return raised.value


def test_a_rule_id_a_check_runs_must_exist(tmp_path: Path) -> None:
    file = write_rule(tmp_path, "check: {function: reauthenticated, params: {rules: [MC201, MC2O2]}}",
                      subjects="rotation.connection", area="rotation")
    error = _load_custom(tmp_path)
    assert (error.path, error.field) == (str(file), "check.params.rules[1]")
    assert "unknown rule id 'MC2O2'; did you mean" in error.detail


def test_a_rule_run_on_another_salesforce_user_must_read_only_user_attributes(tmp_path: Path) -> None:
    write_rule(tmp_path, "check: {function: api_user_integrated_with_valid_user, params: {requirements: "
               "[SF111, MC201, SF110]}}", subjects="mc.api_user", area="marketing_cloud")
    error = _load_custom(tmp_path)
    assert error.field == "check.params.requirements[1]"
    assert "MC201 cannot run on another Salesforce user: it reads mcc_api_user_found" in error.detail


def test_a_rule_that_selects_itself_is_refused(tmp_path: Path) -> None:
    write_rule(tmp_path, "check: {function: checklist_criticals_pass, params: {areas: [salesforce]}}",
               subjects="rotation.connection", severity="critical")
    error = _load_custom(tmp_path)
    assert error.field == "check.params" and "XC901 would run itself (XC901 -> XC901)" in error.detail


def test_two_rules_that_run_each_other_are_refused(tmp_path: Path) -> None:
    write_rule(tmp_path, "check: {function: reauthenticated, params: {rules: [XC902]}}",
               subjects="rotation.connection", area="rotation")
    write_rule(tmp_path, "check: {function: reauthenticated, params: {rules: [MC201, XC901]}}",
               subjects="rotation.connection", area="rotation", rule_id="XC902")
    error = _load_custom(tmp_path)
    assert "would run itself (XC901 -> XC902 -> XC901)" in error.detail


def test_a_long_chain_of_rules_is_fine(tmp_path: Path) -> None:
    for number in range(901, 999):
        write_rule(tmp_path, f"check: {{function: reauthenticated, params: {{rules: [XC{number + 1}]}}}}",
                   subjects="rotation.connection", area="rotation", rule_id=f"XC{number}")
    write_rule(tmp_path, "check: {attribute: is_active, operator: is_true}", rule_id="XC999")
    assert len(load_rules([tmp_path], include_builtin=False).rules) == 99


# -- the built-in rules, and what a valid custom rule may do ----------------------------------

def test_every_offered_attribute_can_be_compared(tmp_path: Path) -> None:
    """A rule on each attribute each subject offers loads, with an operator and value of its kind."""
    values = {Kind.text: "'x'", Kind.number: "1", Kind.flag: "true", Kind.texts: "'x'", Kind.numbers: "1"}
    for selector, offer in OFFERS.items():
        for attribute, kind in offer.attributes.items():
            operator = next(name for name, op in OPERATIONS.items() if kind in op.compares and op.takes.name == "one")
            file = write_rule(tmp_path, f"check: {{attribute: {attribute}, operator: {operator}, "
                              f"value: {values[kind]}}}", subjects=selector, extra=f"show: [{attribute}]\n")
            assert load_rule_file(file).subjects == selector


def test_case_insensitive_patterns_and_unicode_are_accepted(tmp_path: Path) -> None:
    file = write_rule(tmp_path, r"check: {attribute: username, operator: matches, value: '(?i)INTEGRATION\.\p{L}+@.*'}")
    assert load_rule_file(file).id == "XC901"


# -- operators --------------------------------------------------------------------------------

def test_matching_takes_linear_time() -> None:
    started = time.monotonic()
    assert OPERATIONS["matches"].test("a" * 54 + "b", "^(a+)+$") is False
    assert OPERATIONS["matches"].test("a" * 100_000 + "b", "(a|aa)*c") is False
    assert time.monotonic() - started < 1


def test_matches_is_a_full_match_case_sensitive_unless_asked() -> None:
    matches = OPERATIONS["matches"].test
    assert matches("integration.sync@acme.example", r"integration\..*")
    assert not matches("xintegration.sync", r"integration\..*")
    assert not matches("Integration.sync", r"integration\..*")
    assert matches("Integration.sync", r"(?i)integration\..*")


def test_matching_text_with_a_lone_surrogate_does_not_raise() -> None:
    assert OPERATIONS["matches"].test("a\ud800b", "a.b") is True


def test_a_pattern_error_is_one_line() -> None:
    with pytest.raises(PatternError) as raised:
        compile_pattern("(" * 200)
    assert "\n" not in str(raised.value) and len(str(raised.value)) < 200


@pytest.mark.parametrize(("actual", "result"), [(4000, True), (4001, False), ("12", True), ("abc", False),
                                                (None, False), (True, False), (10**400, False)])
def test_a_number_comparison_never_raises_on_an_attested_value(actual: object, result: bool) -> None:
    assert OPERATIONS["lte"].test(actual, 4000) is result


def test_a_value_that_fits_has_no_problem() -> None:
    assert value_problem("in", Kind.text, ["a", "b"]) is None
    assert value_problem("contains_any", Kind.numbers, [1, 2.5]) is None
    assert value_problem("gte", Kind.number, 1.5) is None
    assert value_problem("is_true", Kind.flag, None) is None
