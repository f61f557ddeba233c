"""The rule engine: load the declarative catalog, evaluate it against a snapshot."""

from __future__ import annotations

from mcaudit.engine.context import EvaluationConfig
from mcaudit.engine.evaluate import evaluate, identify
from mcaudit.engine.loader import RulePack, load_rules

__all__ = ["EvaluationConfig", "RulePack", "evaluate", "identify", "load_rules"]
