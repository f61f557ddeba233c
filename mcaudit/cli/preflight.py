"""`mcaudit preflight`: credential-rotation readiness, GO / NO-GO, and the runbook.

Unknown and manual results always count against GO (as with --strict): the command exists to
prove something.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mcaudit.cli.evaluation import evaluate_shown, finish, load_shown, rules_for_mode
from mcaudit.cli.options import ReportOptions, report_options
from mcaudit.cli.output import pair_outputs, refuse_overwriting_inputs, report_outputs
from mcaudit.errors import InputError
from mcaudit.rotation.run import with_runbook, write_preflight_plan
from mcaudit.safetext import visible


@click.command()
@click.argument("snapshot", type=click.Path(path_type=Path))
@click.option("--save-plan", type=click.Path(path_type=Path), metavar="PLAN.json",
              help="also write the runbook as a JSON plan, for `mcaudit verify --plan PLAN AFTER`; save it "
              "from the preflight taken BEFORE you pause anything")
@click.option("--ack-eject", is_flag=True,
              help="acknowledge that stopping every Salesforce Data journey version the runbook stops ejects the "
              "contacts in it (RT305); without an acknowledgement the preflight is NO-GO")
@click.option("--ack-eject-journey", multiple=True, metavar="KEY[@VERSION]",
              help="acknowledge the ejection for this journey only (all its versions, or one with @VERSION; "
              "comma-separated, repeatable)")
@report_options
def preflight(snapshot: Path, save_plan: Path | None, ack_eject: bool, ack_eject_journey: tuple[str, ...],
              options: ReportOptions) -> None:
    """Credential-rotation readiness (RT300-RT305): GO / NO-GO, the impact, and the runbook.

    Run it before resetting or re-authenticating the MC API user. Exit 0 on GO, 1 on NO-GO:
    anything still running, any section not collected, or any check that cannot be proven is
    NO-GO.
    """
    if options.fail_on in ("critical", "never"):
        # every preflight check gates the rotation; a higher bar would let an unproven check say GO
        raise InputError(f"--fail-on {options.fail_on}: a preflight blocks on every RT check, so "
                         "--fail-on must be high or lower")
    pairs = pair_outputs(list(options.formats), list(options.outputs))
    outputs = report_outputs(pairs) + ([("--save-plan", save_plan)] if save_plan is not None else [])
    refuse_overwriting_inputs(outputs, [("snapshot", snapshot), *options.input_files()])
    config = options.evaluation_config("preflight", strict=True, ack_eject_all=ack_eject,
                                       ack_eject=ack_eject_journey)
    pack = rules_for_mode("preflight", options, config)
    loaded = load_shown(snapshot, options)
    result = evaluate_shown(loaded, pack, config, options)
    result = with_runbook(result, loaded, config, save_plan)
    if save_plan is not None:
        write_preflight_plan(loaded, result, save_plan)
        if not options.quiet:
            sys.stderr.write(f"mcaudit: wrote the rotation plan to {visible(save_plan)}\n")
    finish("preflight", (result,), options, pairs)
