"""`mcaudit triage`: a symptom ("sends stopped") turned into ranked causes with evidence."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import click

from mcaudit import __version__
from mcaudit.cli.evaluation import evaluate_shown, load_shown
from mcaudit.cli.options import ReportOptions, check_known_ids, some_report_options
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
from mcaudit.engine import load_rules
from mcaudit.errors import InputError
from mcaudit.report.triage_format import render_triage
from mcaudit.safetext import visible, without_surrogates
from mcaudit.suggest import did_you_mean
from mcaudit.symptoms import symptom, symptom_names, symptoms
from mcaudit.triage import diagnose

FORMATS = ("console", "markdown", "html", "json")


@click.command()
@click.argument("snapshots", nargs=-1, type=click.Path(path_type=Path))
@click.option("--symptom", "symptom_name", metavar="NAME", help="what is wrong, e.g. sends-stopped (see --list)")
@click.option("--list", "list_symptoms", is_flag=True, help="list the symptoms, one a line, name first")
@some_report_options(omit=frozenset({"fail_on", "select", "ignore", "strict", "quiet", "verbose"}), formats=FORMATS)
def triage(snapshots: tuple[Path, ...], symptom_name: str | None, list_symptoms: bool,
           options: ReportOptions) -> None:
    """Rank the causes of a symptom from what a snapshot shows.

    Likely causes are the rules that explain the symptom and fail on the snapshot, most severe
    and most specific first, each with its evidence and fix; "can't tell yet" lists those whose
    data was not collected or that a person must check; "ruled out" those that pass. Every answer
    ends with what the symptom can also come from that no configuration shows. A waived failure
    is still a likely cause; the rules of --rules-dir count with their `symptoms:`.

    \b
    Exit codes:
      0  every cause a configuration shows is ruled out
      1  a likely cause was found
      2  bad input: unknown symptom, invalid snapshot, rule or waiver file
      4  nothing failed, but a possible cause could not be told
    """
    if list_symptoms:
        _print_list(options.formats)
        return
    if symptom_name is None or not snapshots:
        raise InputError("give a snapshot and --symptom NAME (`mcaudit triage --list` lists the symptoms)")
    known = symptom(symptom_name)
    if known is None:
        hint = did_you_mean(symptom_name, symptom_names()) or f" (known: {', '.join(symptom_names())})"
        raise InputError(f"--symptom: unknown symptom '{visible(symptom_name)}'{hint}")
    pairs = pair_outputs(list(options.formats), list(options.outputs), known=FORMATS)
    refuse_overwriting_inputs(report_outputs(pairs), [("snapshot", path) for path in snapshots]
                              + options.input_files())
    pack = load_rules(options.rules_dir)
    # every cause counts whatever its severity; a waived failure stays a possible cause
    config = replace(options.evaluation_config("audit", strict=False), fail_on=None)
    check_known_ids(pack, config)
    diagnoses = tuple(diagnose(evaluate_shown(load_shown(path, options), pack, config, options), known)
                      for path in snapshots)
    report = TriageReport(tool_version=__version__, diagnoses=diagnoses)
    for fmt, output in pairs:
        if output is None:
            write_stdout(without_surrogates(render_triage(report, fmt, color=want_color(options.no_color),
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
