"""`mcaudit triage`: a symptom ("sends stopped") turned into ranked causes with evidence."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from mcaudit import __version__
from mcaudit.cli.evaluation import Shown, evaluate_shown, load_shown
from mcaudit.cli.options import EXPECTATIONS_META
from mcaudit.cli.output import (
    pair_outputs,
    refuse_overwriting_inputs,
    report_outputs,
    terminal_width,
    want_color,
    write_file,
    write_stdout,
)
from mcaudit.diagnosis import TriageReport
from mcaudit.engine import EvaluationConfig, load_rules
from mcaudit.engine.waivers import load_waivers
from mcaudit.errors import InputError
from mcaudit.expectations import load_expectations, merged
from mcaudit.report.triage_format import render_triage
from mcaudit.safetext import visible, without_surrogates
from mcaudit.snapshot.loader import DEFAULT_MAX_BYTES
from mcaudit.suggest import did_you_mean
from mcaudit.symptoms import symptom, symptom_names, symptoms
from mcaudit.triage import diagnose

FORMATS = ("console", "markdown", "html", "json")


@click.command()
@click.argument("snapshots", nargs=-1, type=click.Path(path_type=Path))
@click.option("--symptom", "symptom_name", metavar="NAME", help="what is wrong, e.g. sends-stopped (see --list)")
@click.option("--list", "list_symptoms", is_flag=True, help="list the symptoms, one a line, name first")
@click.option("--format", "-f", "formats", multiple=True, metavar="FORMAT",
              help=f"{', '.join(FORMATS)} (repeatable; as for audit, each takes an -o or goes to stdout)")
@click.option("--output", "-o", "outputs", multiple=True, type=click.Path(path_type=Path),
              help="write the answer to PATH (format from the extension when no --format is given)")
@click.option("--rules-dir", multiple=True, type=click.Path(path_type=Path),
              help="extra folder of rule files (repeatable); their `symptoms:` count too")
@click.option("--waivers", "waivers_file", type=click.Path(path_type=Path),
              help="YAML file of accepted findings (a waived failure is still a possible cause)")
@click.option("--expectations", "expectations_file", type=click.Path(path_type=Path), metavar="FILE",
              help="YAML/JSON of what the connection should be (production org ids and MIDs, tenant, System "
              "User, business units); its keys win over the configuration file's [expectations]")
@click.option("--attestations", "attestations_files", multiple=True, type=click.Path(path_type=Path),
              metavar="FILE", help="facts no API shows, confirmed by a person (a filled `mcaudit attest` template)")
@click.option("--max-snapshot-size", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES // 2**20,
              show_default=True, help="size limit in MiB of a JSON snapshot (YAML: an eighth of it)")
@click.option("--no-color", is_flag=True, help="no colour in console output")
def triage(snapshots: tuple[Path, ...], symptom_name: str | None, list_symptoms: bool, formats: tuple[str, ...],
           outputs: tuple[Path, ...], rules_dir: tuple[Path, ...], waivers_file: Path | None,
           expectations_file: Path | None, attestations_files: tuple[Path, ...], max_snapshot_size: int,
           no_color: bool) -> None:
    """Rank the causes of a symptom from what a snapshot shows.

    Likely causes are the rules that explain the symptom and fail on the snapshot, most severe
    and most specific first, each with its evidence and fix; "can't tell yet" lists those whose
    data was not collected or that a person must check; "ruled out" those that pass. Every answer
    ends with what the symptom can also come from that no configuration shows.

    \b
    Exit codes:
      0  every cause a configuration shows is ruled out
      1  a likely cause was found
      2  bad input: unknown symptom, invalid snapshot, rule or waiver file
      4  nothing failed, but a possible cause could not be told
    """
    if list_symptoms:
        _print_list(formats)
        return
    if symptom_name is None or not snapshots:
        raise InputError("give a snapshot and --symptom NAME (`mcaudit triage --list` lists the symptoms)")
    known = symptom(symptom_name)
    if known is None:
        hint = did_you_mean(symptom_name, symptom_names()) or f" (known: {', '.join(symptom_names())})"
        raise InputError(f"--symptom: unknown symptom '{visible(symptom_name)}'{hint}")
    pairs = pair_outputs(list(formats), list(outputs), known=FORMATS)
    inputs = [("snapshot", path) for path in snapshots]
    inputs += [("--waivers file", waivers_file)] if waivers_file is not None else []
    inputs += [("--expectations file", expectations_file)] if expectations_file is not None else []
    inputs += [("--attestations file", path) for path in attestations_files]
    refuse_overwriting_inputs(report_outputs(pairs), inputs)
    pack = load_rules(rules_dir)
    table = click.get_current_context().meta.get(EXPECTATIONS_META)
    expected = merged(table, load_expectations(expectations_file) if expectations_file is not None else None)
    config = EvaluationConfig(mode="audit", fail_on=None, now=datetime.now(timezone.utc), expectations=expected,
                              waivers=load_waivers(waivers_file) if waivers_file else ())
    shown = Shown(max_bytes=max_snapshot_size * 2**20, attestations_files=attestations_files, no_color=no_color)
    diagnoses = tuple(diagnose(evaluate_shown(load_shown(path, shown), pack, config, shown), known)
                      for path in snapshots)
    report = TriageReport(tool_version=__version__, diagnoses=diagnoses)
    for fmt, output in pairs:
        if output is None:
            write_stdout(without_surrogates(render_triage(report, fmt, color=want_color(no_color),
                                                          width=terminal_width())))
        else:
            write_file(output, without_surrogates(render_triage(report, fmt)), what="the triage")
            sys.stderr.write(f"mcaudit: wrote {fmt} triage to {visible(output)}\n")
    sys.exit(report.exit_code)


def _print_list(formats: tuple[str, ...]) -> None:
    if formats and formats != ("json",):
        raise InputError("--list takes --format json or no --format")
    if formats:
        write_stdout(json.dumps([{"name": s.name, "title": s.title} for s in symptoms()], indent=2) + "\n")
        return
    width = max(len(s.name) for s in symptoms())
    write_stdout("".join(f"{s.name:<{width}}  {s.title}\n" for s in symptoms()))
