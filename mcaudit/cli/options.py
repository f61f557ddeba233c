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
from mcaudit.findings import Severity
from mcaudit.report import FORMATS
from mcaudit.snapshot.loader import DEFAULT_MAX_BYTES
from mcaudit.suggest import suggest_rule_id  # look-alikes first: SF1O6 is SF106

FAIL_ON_CHOICES = ("critical", "high", "medium", "low", "info", "never")
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

    @property
    def max_bytes(self) -> int:
        """--max-snapshot-size in bytes: the limit for snapshots, baselines and plans."""
        return self.max_snapshot_size * 2**20

    def input_files(self) -> list[tuple[str, Path]]:
        """The files these options make the run read, which no output may overwrite."""
        return [("--waivers file", self.waivers_file)] if self.waivers_file is not None else []

    def evaluation_config(self, mode: str, *, strict: bool,
                          baseline: RotationBaseline | None = None) -> EvaluationConfig:
        """The engine's config; loads the waivers file, so an invalid one fails here."""
        return EvaluationConfig(
            mode=mode, fail_on=fail_on_severity(self.fail_on), strict=strict,
            select=split_ids(self.select), ignore=split_ids(self.ignore),
            attestation_max_age_days=self.attestation_max_age,
            waivers=load_waivers(self.waivers_file) if self.waivers_file else (),
            now=datetime.now(timezone.utc), baseline=baseline,
        )


_FIELDS = tuple(field.name for field in fields(ReportOptions))
_OPTIONS: tuple[Callable[[Callable[..., Any]], Callable[..., Any]], ...] = (
    click.option("--format", "-f", "formats", multiple=True, metavar="FORMAT",
                 help=f"{', '.join(FORMATS)} (repeatable; each takes the -o whose extension names "
                 "it, else the next -o in order; one may go to stdout)"),
    click.option("--output", "-o", "outputs", multiple=True, type=click.Path(path_type=Path),
                 help="write a report to PATH (format inferred from the extension when no "
                 "--format is given)"),
    click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="high",
                 show_default=True, help="exit 1 when a finding is at or above this severity"),
    click.option("--select", multiple=True, metavar="IDS",
                 help="only these rule ids or prefixes (comma-separated, repeatable)"),
    click.option("--ignore", multiple=True, metavar="IDS",
                 help="skip these rule ids or prefixes (comma-separated, repeatable)"),
    click.option("--rules-dir", multiple=True, type=click.Path(path_type=Path),
                 help="extra folder of rule files (repeatable)"),
    click.option("--waivers", "waivers_file", type=click.Path(path_type=Path),
                 help="YAML file of accepted findings (shown as waived, with their reason)"),
    click.option("--strict", is_flag=True,
                 help="also fail (exit 1) on unknown/manual results at or above --fail-on"),
    click.option("--attestation-max-age", type=click.IntRange(min=0, max=MAX_ATTESTATION_AGE_DAYS),
                 default=DEFAULT_ATTESTATION_MAX_AGE_DAYS, show_default=True,
                 help="days an attestation counts, measured from the snapshot's collected_at "
                 f"(at most {MAX_ATTESTATION_AGE_DAYS})"),
    click.option("--max-snapshot-size", type=click.IntRange(min=1),
                 default=DEFAULT_MAX_BYTES // 2**20, show_default=True,
                 help="size limit in MiB of a JSON snapshot, baseline or plan (YAML: an eighth of it, since "
                 "it costs far more to read); the counts of values a file may hold scale with it"),
    click.option("--no-color", is_flag=True, help="no colour in console output"),
    click.option("--quiet", "-q", is_flag=True, help="only the summary and verdict"),
    click.option("--verbose", "-v", is_flag=True, help="also list passed and n/a results"),
)


def report_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add the shared options to `command`, which receives them as `options: ReportOptions`.

    Apply it below the command's own arguments and options, so those come first in --help.
    """
    @functools.wraps(command)
    def with_options(**params: Any) -> None:
        options = ReportOptions(**{name: params.pop(name) for name in _FIELDS})
        command(options=options, **params)

    wrapped: Callable[..., None] = with_options
    for add_option in reversed(_OPTIONS):
        wrapped = add_option(wrapped)
    return wrapped


def check_known_ids(pack: RulePack, config: EvaluationConfig) -> None:
    """A --select/--ignore prefix or a waiver's rule that matches no rule is almost always a typo."""
    for option, prefixes in (("--select", config.select), ("--ignore", config.ignore)):
        for prefix in prefixes:
            if not any(rule_id.upper().startswith(prefix.upper()) for rule_id in pack.ids):
                raise InputError(f"{option}: '{prefix}' matches no rule id{suggest_rule_id(prefix, pack.ids)} "
                                 "(see `mcaudit rules`)")
    check_waiver_rules(config.waivers, pack.ids)
