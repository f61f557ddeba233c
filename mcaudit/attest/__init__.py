"""`mcaudit attest`: a fill-in template of the facts no API shows, and reading it back."""

from mcaudit.attest.filled import load_filled, with_attestations
from mcaudit.attest.template import Needed, needed_facts, template_text

__all__ = ["Needed", "load_filled", "needed_facts", "template_text", "with_attestations"]
