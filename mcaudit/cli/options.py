"""The options every report-writing command (audit, preflight, verify) shares, as one typed object.

`@report_options` adds the click options and hands the command a single frozen `ReportOptions`
instead of thirteen loose parameters; what the options mean for a run (the evaluation config, the
size limit, the files they make the run read) is asked of that object.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from mcaudit.engine import EvaluationConfig, RulePack
from mcaudit.engine.context import DEFAULT_ATTESTATION_MAX_AGE_DAYS
from mcaudit.engine.rotation_assets import RotationBaseline
from mcaudit.engine.waivers import check_waiver_rules, load_waivers
from mcaudit.errors import InputError
from mcaudit.expectations import Expectations, load_expectations, merged
from mcaudit.findings import Severity
from mcaudit.report import FORMATS
from mcaudit.snapshot.loader import DEFAULT_MAX_BYTES
from mcaudit.suggest import suggest_rule_id  # look-alikes first: SF1O6 is SF106

FAIL_ON_CHOICES = ("critical", "high", "medium", "low", "info", "never")
# where the group leaves the configuration file's [expectations] table for the command it runs
EXPECTATIONS_META = "mcaudit.expectations"
# a century: more is no limit at all, and far more overflows the date arithmetic
MAX_ATTESTATION_AGE_DAYS = 36_500


def split_ids(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def fail_on_severity(value: str) -> Severity | None:
    return None if value == "never" else Severity(value)


@dataclass(frozen=True)
class ReportOptions:
    """What the shared options were given, as click parsed them (--select/--ignore not yet split)."""

    formats: tuple[str, ...]
    outputs: tuple[Path, ...]
    fail_on: str
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    rules_dir: tuple[Path, ...]
    waivers_file: Path | None
    strict: bool
    attestation_max_age: int
    max_snapshot_size: int
    no_color: bool
    quiet: bool
    verbose: bool
    expectations_file: Path | None
    attestations_files: tuple[Path, ...]
    # the configuration file's [expectations] table; not an option, so not parsed by click
    expectations_table: Expectations | None = None

    @property
    def max_bytes(self) -> int:
        """--max-snapshot-size in bytes: the limit for snapshots, baselines and plans."""
        return self.max_snapshot_size * 2**20

    def input_files(self) -> list[tuple[str, Path]]:
        """The files these options make the run read, which no output may overwrite."""
        files = [("--waivers file", self.waivers_file)] if self.waivers_file is not None else []
        files += [("--attestations file", path) for path in self.attestations_files]
        return files + ([("--expectations file", self.expectations_file)] if self.expectations_file else [])

    def expectations(self) -> Expectations | None:
        """The configuration file's [expectations], with the --expectations file's keys over them."""
        given = load_expectations(self.expectations_file) if self.expectations_file is not None else None
        return merged(self.expectations_table, given)

    def evaluation_config(self, mode: str, *, strict: bool, baseline: RotationBaseline | None = None,
                          ack_eject_all: bool = False, ack_eject: tuple[str, ...] = ()) -> EvaluationConfig:
        """The engine's config; loads the waivers and expectations files, so an invalid one fails here."""
        return EvaluationConfig(
            mode=mode, fail_on=fail_on_severity(self.fail_on), strict=strict,
            select=split_ids(self.select), ignore=split_ids(self.ignore),
            attestation_max_age_days=self.attestation_max_age,
            waivers=load_waivers(self.waivers_file) if self.waivers_file else (),
            now=datetime.now(timezone.utc), baseline=baseline, expectations=self.expectations(),
            ack_eject_all=ack_eject_all, ack_eject=split_ids(ack_eject),
        )


_FIELDS = tuple(field.name for field in fields(ReportOptions) if field.name != "expectations_table")
# what an option a command does not offer stands for (check-payload runs a fixed set of rules)
_ABSENT: dict[str, Any] = {
    "fail_on": "high", "select": (), "ignore": (), "rules_dir": (), "waivers_file": None, "strict": False,
    "attestation_max_age": DEFAULT_ATTESTATION_MAX_AGE_DAYS, "expectations_file": None, "attestations_files": (),
    "quiet": False, "verbose": False,
}


def _formats(names: tuple[str, ...]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--format", "-f", "formats", multiple=True, metavar="FORMAT",
                        help=f"{', '.join(names)} (repeatable; each takes the -o whose extension names "
                        "it, else the next -o in order; one may go to stdout)")


def _fail_on(default: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default=default, show_default=True,
                        help="exit 1 when a finding is at or above this severity")


_OPTIONS: tuple[tuple[str, Callable[[Callable[..., Any]], Callable[..., Any]]], ...] = (
    ("formats", _formats(tuple(FORMATS))),
    ("outputs", click.option("--output", "-o", "outputs", multiple=True, type=click.Path(path_type=Path),
                             help="write a report to PATH (format inferred from the extension when no "
                             "--format is given)")),
    ("fail_on", _fail_on("high")),
    ("select", click.option("--select", multiple=True, metavar="IDS",
                            help="only these rule ids or prefixes (comma-separated, repeatable)")),
    ("ignore", click.option("--ignore", multiple=True, metavar="IDS",
                            help="skip these rule ids or prefixes (comma-separated, repeatable)")),
    ("rules_dir", click.option("--rules-dir", multiple=True, type=click.Path(path_type=Path),
                               help="extra folder of rule files (repeatable)")),
    ("waivers_file", click.option("--waivers", "waivers_file", type=click.Path(path_type=Path),
                                  help="YAML file of accepted findings (shown as waived, with their reason)")),
    ("strict", click.option("--strict", is_flag=True,
                            help="also fail (exit 1) on unknown/manual results at or above --fail-on")),
    ("attestation_max_age", click.option(
        "--attestation-max-age", type=click.IntRange(min=0, max=MAX_ATTESTATION_AGE_DAYS),
        default=DEFAULT_ATTESTATION_MAX_AGE_DAYS, show_default=True,
        help="days an attestation counts, measured from the snapshot's collected_at "
        f"(at most {MAX_ATTESTATION_AGE_DAYS})")),
    ("max_snapshot_size", click.option(
        "--max-snapshot-size", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES // 2**20, show_default=True,
        help="size limit in MiB of a JSON snapshot, baseline or plan (YAML: an eighth of it, since "
        "it costs far more to read); the counts of values a file may hold scale with it")),
    ("no_color", click.option("--no-color", is_flag=True, help="no colour in console output")),
    ("quiet", click.option("--quiet", "-q", is_flag=True, help="only the summary and verdict")),
    ("verbose", click.option("--verbose", "-v", is_flag=True, help="also list passed and n/a results")),
    ("expectations_file", click.option(
        "--expectations", "expectations_file", type=click.Path(path_type=Path), metavar="FILE",
        help="YAML or JSON file of what the connection should be (production org ids and MIDs, tenant, "
        "System User, business units); its keys win over the configuration file's [expectations]")),
    ("attestations_files", click.option(
        "--attestations", "attestations_files", multiple=True, type=click.Path(path_type=Path),
        metavar="FILE", help="facts no API shows, confirmed by a person (a filled `mcaudit attest` "
        "template, a list, or a snapshot); added to the snapshot's own (repeatable)")),
)


def report_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add the shared options to `command`, which receives them as `options: ReportOptions`.

    Apply it below the command's own arguments and options, so those come first in --help.
    """
    return some_report_options()(command)


def some_report_options(*, omit: frozenset[str] = frozenset(), fail_on: str = "high",
                        formats: tuple[str, ...] = tuple(FORMATS)
                        ) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """report_options for a command that cannot honour some of them: it leaves those out (`omit`,
    by field name), so no flag is accepted and then ignored, and their fields hold what the absent
    option stands for. `formats` are the report formats it writes, for --help."""
    unknown = omit - _ABSENT.keys()
    if unknown:
        raise ValueError(f"these options cannot be left out: {sorted(unknown)}")

    def decorate(function: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(function)
        def with_options(**params: Any) -> None:
            table = click.get_current_context().meta.get(EXPECTATIONS_META)
            given = {name: params.pop(name) if name not in omit else _ABSENT[name] for name in _FIELDS}
            function(options=ReportOptions(**given, expectations_table=table), **params)

        wrapped: Callable[..., None] = with_options
        for name, add_option in reversed(_OPTIONS):
            if name not in omit:
                own = {"fail_on": _fail_on(fail_on), "formats": _formats(formats)}.get(name, add_option)
                wrapped = own(wrapped)
        return wrapped

    return decorate


def check_known_ids(pack: RulePack, config: EvaluationConfig) -> None:
    """A --select/--ignore prefix or a waiver's rule that matches no rule is almost always a typo."""
    for option, prefixes in (("--select", config.select), ("--ignore", config.ignore)):
        for prefix in prefixes:
            if not any(rule_id.upper().startswith(prefix.upper()) for rule_id in pack.ids):
                raise InputError(f"{option}: '{prefix}' matches no rule id{suggest_rule_id(prefix, pack.ids)} "
                                 "(see `mcaudit rules`)")
    check_waiver_rules(config.waivers, pack.ids)
