"""collect(request) -> Snapshot: run each selected collector and assemble one live snapshot."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone

from mcaudit import __version__
from mcaudit.collectors.base import Collector, Progress
from mcaudit.collectors.credentials import MarketingCloudCredentials, SalesforceCredentials
from mcaudit.collectors.http import GuardedSession, HttpSettings
from mcaudit.collectors.marketing_cloud import MarketingCloudCollector
from mcaudit.collectors.merge import MergeFile, merge
from mcaudit.collectors.salesforce import SalesforceCollector
from mcaudit.collectors.secrets import Redactor
from mcaudit.snapshot import SCHEMA_VERSION, Snapshot, SnapshotSource
from mcaudit.snapshot.marketing_cloud import MarketingCloud
from mcaudit.snapshot.meta import Collection, CollectorRun, CollectorStatus
from mcaudit.snapshot.salesforce import Salesforce


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class CollectRequest:
    salesforce: SalesforceCredentials | None  # None: not asked for (--only mc)
    marketing_cloud: MarketingCloudCredentials | None
    sf_system_user: str | None = None  # the System User's username, as a person gave it (no API holds it)
    http: HttpSettings = field(default_factory=HttpSettings)
    mc_wsdl: str | None = None  # a file or URL; None: the packaged WSDL
    journey_detail_limit: int = 200
    mc_page_size: int = 50
    mc_package_name: str | None = None  # None: the collector's default name for its own package
    name: str | None = None
    merges: tuple[MergeFile, ...] = ()  # hand-maintained parts (--merge, --attestations), merged in order
    clock: Callable[[], datetime] = utc_now


def _salesforce(request: CollectRequest, session: GuardedSession) -> Collector | None:
    if request.salesforce is None:
        return None
    return SalesforceCollector(request.salesforce, session, system_user=request.sf_system_user)


def _marketing_cloud(request: CollectRequest, session: GuardedSession) -> Collector | None:
    if request.marketing_cloud is None:
        return None
    return MarketingCloudCollector(request.marketing_cloud, session, wsdl=request.mc_wsdl,
                                   journey_detail_limit=request.journey_detail_limit,
                                   page_size=request.mc_page_size, package_name=request.mc_package_name)


# the explicit registry: snapshot section -> how to build its collector
COLLECTORS: dict[str, Callable[[CollectRequest, GuardedSession], Collector | None]] = {
    "salesforce": _salesforce,
    "marketing_cloud": _marketing_cloud,
}


def collect(request: CollectRequest, redactor: Redactor, progress: Progress) -> Snapshot:
    """Both sides at once (they are different hosts and share nothing), each with its own session."""
    collected_at = request.clock()
    sections: dict[str, object | None] = {}
    runs: list[CollectorRun] = []
    collectors = {name: build(request, GuardedSession(request.http, redactor)) for name, build in COLLECTORS.items()}
    with ThreadPoolExecutor(max_workers=len(collectors), thread_name_prefix="mcaudit-side") as pool:
        started = {name: pool.submit(collector.collect, progress)
                   for name, collector in collectors.items() if collector is not None}
        for name in collectors:  # in registry order, so the record reads the same every run
            if name not in started:
                runs.append(CollectorRun(name=name, status=CollectorStatus.skipped, sections=[name]))
                continue
            output = started[name].result()
            sections[name] = output.section
            runs.append(output.run)
    salesforce = sections.get("salesforce")
    marketing_cloud = sections.get("marketing_cloud")
    collected = Snapshot(
        schema_version=SCHEMA_VERSION, collected_at=collected_at, source=SnapshotSource.live, name=request.name,
        collection=Collection(tool_version=__version__, collectors=runs),
        salesforce=salesforce if isinstance(salesforce, Salesforce) else None,
        marketing_cloud=marketing_cloud if isinstance(marketing_cloud, MarketingCloud) else None,
    )
    return merge(collected, request.merges)


def is_complete(snapshot: Snapshot) -> bool:
    runs = snapshot.collection.collectors if snapshot.collection else []
    return all(run.status in (CollectorStatus.ok, CollectorStatus.skipped) for run in runs)
