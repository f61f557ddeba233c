"""The Salesforce collector: SOQL (simple-salesforce) and a Metadata API read, never a write."""

from __future__ import annotations

from mcaudit.collectors.salesforce.collector import SalesforceCollector

__all__ = ["SalesforceCollector"]
