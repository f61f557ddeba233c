"""`mcaudit triage`: a symptom turned into ranked causes, from an audit's findings."""

from mcaudit.triage.diagnose import diagnose, order_key, symptom_info

__all__ = ["diagnose", "order_key", "symptom_info"]
