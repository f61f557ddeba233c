"""Carry a person's attestations into a collected snapshot (`collect --attestations FILE`).

No API shows some facts (the MC user's "Salesforce.com Status", often the connected app's IP
relaxation). A team keeps its confirmations in a file, or in an earlier snapshot, and merges them
into every collection so that the audit can use them while they are current.
"""

from __future__ import annotations

from pathlib import Path

from mcaudit.snapshot import Attestation
from mcaudit.snapshot.attestation_file import load_filled


def load_attestations(path: Path) -> tuple[Attestation, ...]:
    """The attestations of a file (mcaudit.snapshot.attestation_file reads every kind, the
    entries of a template left blank skipped); any problem is an error with its line."""
    return load_filled(path)[0]
