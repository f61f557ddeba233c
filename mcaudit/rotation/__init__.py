"""Credential rotation (KB 005228128): the preflight's runbook and plan, and post-rotation verify.

Built on the engine: the RT3xx/PV4xx rules do the checking; this package adds the runbook, the
saved plan, the baseline verify compares with, and the steps the preflight and verify commands
(mcaudit/cli/) run.
"""
