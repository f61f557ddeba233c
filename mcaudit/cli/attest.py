"""`mcaudit attest`: write the fill-in template of every fact a snapshot lacks that no API shows."""

from __future__ import annotations

import sys
from datetime import date, datetime, timezone
from pathlib import Path

import click

from mcaudit.attest import needed_facts, template_text
from mcaudit.cli.evaluation import attested
from mcaudit.cli.options import EXPECTATIONS_META
from mcaudit.cli.output import refuse_overwriting_inputs, write_file, write_stdout
from mcaudit.engine import EvaluationConfig, load_rules
from mcaudit.engine.context import DEFAULT_ATTESTATION_MAX_AGE_DAYS
from mcaudit.safetext import visible
from mcaudit.snapshot import load_snapshot
from mcaudit.snapshot.loader import DEFAULT_MAX_BYTES


@click.command()
@click.argument("snapshot", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="write the template to PATH (YAML); without it, to standard output")
@click.option("--attestations", "attestations_files", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="attestations already made (a filled template): their facts are not asked again (repeatable)")
@click.option("--rules-dir", multiple=True, type=click.Path(path_type=Path), help="extra folder of rule files")
@click.option("--attestation-max-age", type=click.IntRange(min=0), default=DEFAULT_ATTESTATION_MAX_AGE_DAYS,
              show_default=True, help="days an attestation counts; an older one is asked again")
@click.option("--max-snapshot-size", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES // 2**20,
              show_default=True, help="size limit in MiB of a JSON snapshot (YAML: an eighth of it)")
def attest(snapshot: Path, output: Path | None, attestations_files: tuple[Path, ...], rules_dir: tuple[Path, ...],
           attestation_max_age: int, max_snapshot_size: int) -> None:
    """Write a template of the facts SNAPSHOT lacks that no API shows.

    Each entry names the rules that need it, where to look in Setup and the values accepted. Fill
    in value, attested_by and attested_at, then pass the file to any command with --attestations:
    the `manual` results it covers become pass or fail, "attested by ... on ...".
    """
    inputs = [("snapshot", snapshot), *(("--attestations file", path) for path in attestations_files)]
    if output is not None:
        refuse_overwriting_inputs([("-o", output)], inputs)
    loaded = load_snapshot(snapshot, max_bytes=max_snapshot_size * 2**20)
    facts = attested(loaded.snapshot, attestations_files, quiet=True)
    pack = load_rules(rules_dir)
    config = EvaluationConfig(fail_on=None, attestation_max_age_days=attestation_max_age,
                              now=datetime.now(timezone.utc),
                              expectations=click.get_current_context().meta.get(EXPECTATIONS_META))
    needed = needed_facts(facts, pack, config, path=loaded.path)
    text = template_text(needed, snapshot_path=loaded.path, today=date.today())
    if output is None:
        write_stdout(text)
        return
    write_file(output, text, what="the template")
    sys.stderr.write(f"mcaudit: wrote {len(needed)} fact{'s' if len(needed) != 1 else ''} to attest to "
                     f"{visible(str(output))}\n")
