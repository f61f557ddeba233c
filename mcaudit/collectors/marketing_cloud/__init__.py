"""The Marketing Cloud collector: REST (requests) and SOAP Retrieve (zeep), never a write."""

from __future__ import annotations

from mcaudit.collectors.marketing_cloud.collector import MarketingCloudCollector

__all__ = ["MarketingCloudCollector"]
