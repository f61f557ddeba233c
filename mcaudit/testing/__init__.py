"""Test support: an emulator of the Salesforce and Marketing Cloud APIs, served from a snapshot.

Importable by tests (and by anyone who wants to try `mcaudit collect` without a live org). It
builds on the snapshot model, not on the collectors.
"""

from __future__ import annotations

from mcaudit.testing.emulator import Call, Emulator, EmulatorConfig, emulate
from mcaudit.testing.faults import PERMANENT, Fault, FaultKind
from mcaudit.testing.marketing_cloud_api import MarketingCloudLogin
from mcaudit.testing.salesforce_api import SalesforceLogin

__all__ = ["PERMANENT", "Call", "Emulator", "EmulatorConfig", "Fault", "FaultKind", "MarketingCloudLogin",
           "SalesforceLogin", "emulate"]
