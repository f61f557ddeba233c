"""`mcaudit check-payload`: an integration's request body checked against a snapshot before it is sent."""

from mcaudit.payloads.check import PAYLOAD_RULE, Target, check_payloads
from mcaudit.payloads.read import Payload, read_payloads

__all__ = ["PAYLOAD_RULE", "Payload", "Target", "check_payloads", "read_payloads"]
