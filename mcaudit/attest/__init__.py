"""`mcaudit attest`: a fill-in template of the facts no API shows, and reading it back."""

from mcaudit.attest.template import Needed, needed_facts, template_text
from mcaudit.snapshot.attestation_file import load_filled, with_attestations

__all__ = ["Needed", "load_filled", "needed_facts", "template_text", "with_attestations"]
