"""`mcaudit rules`: list the rule catalog, or explain one rule.

Rule files may come from --rules-dir, so every value printed is a Text (no markup) made visible.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from mcaudit.cli.output import stdout_is_terminal, terminal_width, want_color, write_stdout
from mcaudit.engine import load_rules
from mcaudit.engine.rule import RuleSpec
from mcaudit.safetext import visible


@click.command()
@click.argument("rule_id", required=False)
@click.option("--rules-dir", multiple=True, type=click.Path(path_type=Path),
              help="extra folder of rule files (repeatable)")
@click.option("--format", "-f", "fmt", type=click.Choice(["console", "json"]), default="console",
              show_default=True)
@click.option("--no-color", is_flag=True, help="no colour")
def rules(rule_id: str | None, rules_dir: tuple[Path, ...], fmt: str, no_color: bool) -> None:
    """List the rule catalog, or explain RULE_ID."""
    pack = load_rules(rules_dir)
    chosen = [pack.get(rule_id)] if rule_id else list(pack.rules)
    if fmt == "json":
        payload = [_rule_json(rule) for rule in chosen]
        write_stdout(json.dumps(payload[0] if rule_id else payload, indent=2) + "\n", what="the rule catalog")
        return
    on_terminal = stdout_is_terminal()
    console = Console(no_color=not want_color(no_color), highlight=False,
                      width=terminal_width(), soft_wrap=not on_terminal)
    with console.capture() as captured:
        if rule_id:
            _explain(console, chosen[0])
        else:
            _catalog(console, chosen)
    text = captured.get()
    if not on_terminal:  # the table pads every row to the full width; files and logs don't need that
        text = visible("\n".join(line.rstrip() for line in text.splitlines()) + "\n", newlines=True)
    write_stdout(text, what="the rule catalog")


def _catalog(console: Console, chosen: list[RuleSpec]) -> None:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in ("id", "severity", "area", "modes", "title"):
        table.add_column(column, no_wrap=column != "title")
    for rule in chosen:
        table.add_row(*(Text(visible(value)) for value in (
            rule.id, rule.severity.value, rule.area.value, ",".join(rule.modes), rule.title)))
    console.print(table)
    console.print(Text(f"{len(chosen)} rules. `mcaudit rules ID` explains one.", style="dim"))


def _rule_json(rule: RuleSpec) -> dict[str, object]:
    data = rule.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["check"] = rule.check.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


def _prose(text: str) -> Text:
    """A paragraph from a rule file: its own line breaks kept, anything else made visible."""
    return Text(visible(text.strip(), newlines=True))


def _explain(console: Console, rule: RuleSpec) -> None:
    info = rule.info()
    console.print(Text(visible(f"{rule.id} {rule.name}"), style="bold"))
    console.print(_prose(rule.title))
    console.print()
    for label, value in (
        ("severity", rule.severity.value),
        ("area", rule.area.label),
        ("modes", ", ".join(rule.modes)),
        ("needs", ", ".join(rule.needs)),
        ("source", f"{info.source.cite()}: {info.source.title}"),
        ("address", info.source.url or "-"),
        ("setup", rule.setup_path or "-"),
    ):
        console.print(Text(f"{label:>9}: ", style="dim") + Text(visible(value)))
    for heading, body in (("Why it matters", info.rationale), ("How to fix", info.remediation)):
        console.print()
        console.print(Text(heading, style="bold"))
        console.print(_prose(body))
    if rule.manual:
        _explain_manual(console, rule)


def _explain_manual(console: Console, rule: RuleSpec) -> None:
    """How to check by hand what no API shows, and how to record it as an attestation."""
    assert rule.manual is not None
    fact = visible(rule.manual.fact)
    console.print()
    console.print(Text("When no API shows it", style="bold"))
    console.print(_prose(f"Check by hand: {rule.manual.instructions.strip()}"))
    console.print(Text(f"Then record what you saw in the snapshot as an attestation of fact "
                       f"'{fact}' (it counts for --attestation-max-age days):"))
    console.print(Text(f"  attestations:\n    - fact: {fact}\n      value: ...\n"
                       "      attested_by: you@example.com\n      attested_at: YYYY-MM-DD"))
    if rule.manual.labels:
        console.print(Text("The value may be what Setup shows or the value it stands for:"))
        for seen, meant in rule.manual.labels.items():
            console.print(Text(visible(f"  {seen!r} = {meant}")))
