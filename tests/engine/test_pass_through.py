"""A view passes its snapshot model's fields through, and the registry offers them with their kind.

So a declarative rule on a field the model already has needs a rule file and nothing else: no view
property, no registry entry. Computed attributes stay the view's own properties, listed by hand.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from enum import Enum
from pathlib import Path

import pytest

from mcaudit import cli
from mcaudit.engine.attributes import OFFERS, kind_of_annotation, passed_through
from mcaudit.engine.base import Missing, ModelView, PassThrough
from mcaudit.engine.operators import Kind
from mcaudit.snapshot.salesforce import SalesforceUser
from mcaudit.snapshot.types import Bool, Int, Model, NonEmptyStr, OpenEnum, Str, Timestamp

from ..conftest import SAMPLES

HEALTHY = SAMPLES / "healthy.yaml"


class Colour(str, Enum):
    red = "red"


class Weather(OpenEnum):
    sunny = "Sunny"


class Nested(Model):
    name: Str | None = None


class Thing(Model):
    key: NonEmptyStr
    label: Str | None = None
    enabled: Bool | None = None
    count: Int | None = None
    ratio: float | None = None
    colour: Colour | None = None
    weather: Weather | None = None
    tags: list[Str] | None = None
    sizes: list[Int] | None = None
    colours: list[Colour] | None = None
    seen_at: Timestamp | None = None
    nested: Nested | None = None
    nested_list: list[Nested] | None = None


class ThingView(ModelView, model=Thing):
    def __init__(self, thing: Thing) -> None:
        super().__init__(thing, "things[0]")
        self.location = "things[0]"

    @property
    def count(self) -> int:
        """Replaces the field: a computed attribute of the same name wins, and is not derived."""
        return 42


def test_the_kind_comes_from_the_field_annotation() -> None:
    kinds = {name: kind_of_annotation(field.annotation) for name, field in Thing.model_fields.items()}
    assert kinds == {
        "key": Kind.text, "label": Kind.text, "enabled": Kind.flag, "count": Kind.number, "ratio": Kind.number,
        "colour": Kind.text, "weather": Kind.text, "tags": Kind.texts, "sizes": Kind.numbers,
        "colours": Kind.texts, "seen_at": None, "nested": None, "nested_list": None,
    }


def test_a_view_offers_its_models_comparable_fields_but_not_the_ones_it_replaces() -> None:
    assert passed_through(ThingView) == {
        "key": Kind.text, "label": Kind.text, "enabled": Kind.flag, "ratio": Kind.number, "colour": Kind.text,
        "weather": Kind.text, "tags": Kind.texts, "sizes": Kind.numbers, "colours": Kind.texts,
    }
    assert isinstance(ThingView.__dict__["label"], PassThrough)
    assert not isinstance(ThingView.__dict__["count"], PassThrough)


def test_a_field_reads_as_the_model_holds_it_with_enums_as_their_value() -> None:
    view = ThingView(Thing(key="k", enabled=True, count=1, colour=Colour.red, weather=Weather("Sunny"),
                           colours=[Colour.red], seen_at=datetime(2026, 1, 1)))
    assert (view.key, view.enabled, view.count, view.colour, view.weather, view.colours) == (
        "k", True, 42, "red", "Sunny", ["red"])
    assert view.label is None  # null: the evaluator reports it not collected at <location>.label


def test_an_open_enum_value_mcaudit_does_not_know_is_missing_not_compared() -> None:
    view = ThingView(Thing(key="k", weather=Weather("Hail")))
    with pytest.raises(Missing, match=r"things\[0\]\.weather \('Hail'"):
        _ = view.weather


def test_only_model_fields_pass_through() -> None:
    view = ThingView(Thing(key="k"))
    with pytest.raises(AttributeError):
        _ = view.model_dump  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        _ = view.anything  # type: ignore[attr-defined]


def test_a_field_added_to_a_model_is_offered_with_no_engine_edit() -> None:
    class UserWithNickname(SalesforceUser):
        nickname: Str | None = None

    class NicknameView(ModelView, model=UserWithNickname):
        def __init__(self, user: UserWithNickname) -> None:
            super().__init__(user, "salesforce.users[0]")

    offered = passed_through(NicknameView)
    assert offered["nickname"] is Kind.text
    assert offered["is_active"] is Kind.flag
    assert NicknameView(UserWithNickname(id="005", username="u@x.example", nickname="Ace")).nickname == "Ace"


def test_the_salesforce_user_subjects_offer_every_comparable_user_field() -> None:
    for selector in ("sf.system_user", "sf.impacted_users", "sf.mcc_permission_holders"):
        offered = OFFERS[selector].attributes
        assert {"id", "username", "email", "is_active", "marketing_user", "user_id", "app_access"} <= set(offered)


RULE = """id: XC901
name: connector-package-version
title: The MCC package is the version we certified
severity: low
area: salesforce
modes: [audit]
needs: [salesforce.mcc_connector]
subjects: sf.connector
check: {{attribute: package_version, operator: equals, value: "{version}"}}
rationale: House rule.
remediation: Upgrade the package.
source: {{document: ACME runbook, title: Certified versions}}
"""


def _audit(tmp_path: Path, capsys: pytest.CaptureFixture[str], version: str,
           snapshot: Path = HEALTHY) -> dict[str, str]:
    """Run a rule on MccConnector.package_version, a model field no built-in rule reads, from a
    rule folder in tmp_path, and return its one finding."""
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "XC901.yaml").write_text(RULE.format(version=version), encoding="utf-8")
    with contextlib.suppress(SystemExit):  # a failing or unknown finding exits non-zero
        cli.main(["audit", str(snapshot), "--rules-dir", str(rules), "--select", "XC9", "--format", "json"])
    [finding] = json.loads(capsys.readouterr().out)["results"][0]["findings"]
    assert finding["rule_id"] == "XC901"
    return dict(finding)


def test_a_rule_on_an_existing_model_field_needs_only_a_rule_file(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert "package_version" not in "".join(path.read_text(encoding="utf-8")
                                            for path in (SAMPLES.parent / "rules").rglob("*.yaml"))
    assert _audit(tmp_path, capsys, "250.2")["status"] == "pass"
    failed = _audit(tmp_path, capsys, "251.0")
    assert failed["status"] == "fail"
    # a rule without messages says what was found, never its title (which names the passing state)
    assert failed["message"] == "MCC connector configuration: package version: 250.2 (expected 251.0)"


def test_a_null_field_makes_the_rule_unknown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snapshot = tmp_path / "no-version.yaml"
    text = HEALTHY.read_text(encoding="utf-8")
    assert '    package_version: "250.2"\n' in text
    snapshot.write_text(text.replace('    package_version: "250.2"\n', ""), encoding="utf-8")
    finding = _audit(tmp_path, capsys, "250.2", snapshot)
    assert finding["status"] == "unknown"
    assert "salesforce.mcc_connector.package_version" in finding["message"]
