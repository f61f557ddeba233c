"""`mcaudit check-payload`: lint an integration's request body against a snapshot before it is sent."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click

from mcaudit.cli.evaluation import finish, load_shown
from mcaudit.cli.options import ReportOptions, some_report_options
from mcaudit.cli.output import pair_outputs, refuse_overwriting_inputs, report_outputs
from mcaudit.engine import load_rules
from mcaudit.errors import InputError
from mcaudit.payloads import Target, check_payloads, read_payloads


@click.command("check-payload")
@click.argument("snapshot", type=click.Path(path_type=Path))
@click.argument("payload", type=click.Path(path_type=Path))
@click.option("--journey", metavar="KEY", help="a journey injection (POST /interaction/v1/events) for this journey "
              "(its key or its entry event's key)")
@click.option("--triggered-send", metavar="KEY", help="a triggered send request (POST "
              "/messaging/v1/messageDefinitionSends/key:KEY/send) for this definition")
@click.option("--data-extension", metavar="KEY", help="a rowset write (JSON array of keys/values rows) to this "
              "Data Extension")
@click.option("--endpoint", metavar="PATH", help="with --data-extension: the path the rows are posted to "
              "(default: the synchronous /hub/v1/dataevents/key:KEY/rowset)")
@some_report_options(omit=frozenset({"select", "ignore", "rules_dir", "strict", "attestation_max_age",
                                     "expectations_file", "attestations_files"}), fail_on="info")
def check_payload(snapshot: Path, payload: Path, journey: str | None, triggered_send: str | None,
                  data_extension: str | None, endpoint: str | None, options: ReportOptions) -> None:
    """Check a request body (PAYLOAD, or a folder of *.json bodies) against SNAPSHOT before sending it.

    \b
    With --journey: the EventDefinitionKey is the entry event's (not the journey's key), every
    Data field name is in the entry source schema with the same case, none is left out,
    ContactKey is there, and the journey version is running (API604, API605, REQ100).
    With --triggered-send: the definition is Active and To.Address and To.SubscriberKey are
    there (API606, REQ100). With --data-extension: more than 100 rows per call go to the
    asynchronous endpoint (API607, REQ100).

    Every mistake sets exit 1 unless --fail-on is raised above its severity; a waived one
    (--waivers, rule id and subject as for audit) is shown but does not count.

    \b
    Exit codes:
      0  nothing wrong with the request
      1  a mistake found (each says what and how to fix it)
      2  bad input: an unreadable body, an unknown key (with the nearest one), a bad snapshot
      4  something could not be checked: the snapshot lacks what the check needs
    """
    chosen = [(kind, key) for kind, key in (("journey", journey), ("triggered_send", triggered_send),
                                            ("data_extension", data_extension)) if key is not None]
    if len(chosen) != 1:
        raise InputError("give exactly one of --journey KEY, --triggered-send KEY, --data-extension KEY")
    if endpoint is not None and data_extension is None:
        raise InputError("--endpoint goes with --data-extension")
    kind, key = chosen[0]
    pairs = pair_outputs(list(options.formats), list(options.outputs))
    refuse_overwriting_inputs(report_outputs(pairs), [("snapshot", snapshot), ("request body", payload),
                                                      *options.input_files()])
    bodies = read_payloads(payload)
    loaded = load_shown(snapshot, options)
    target = Target(kind=kind, key=key, endpoint=endpoint)  # type: ignore[arg-type]
    config = options.evaluation_config("audit", strict=False)
    result = check_payloads(loaded.snapshot, loaded.path, load_rules(), target, bodies, now=config.now or
                            datetime.now(timezone.utc), fail_on=config.fail_on, waivers=config.waivers)
    finish("check-payload", (result,), options, pairs)
