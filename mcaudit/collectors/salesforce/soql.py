"""Run one SOQL statement and follow its queryMore pages to the end."""

from __future__ import annotations

from typing import Any

from simple_salesforce.api import Salesforce

from mcaudit.collectors.base import Progress
from mcaudit.collectors.problems import ApiError

Record = dict[str, Any]
MAX_PAGES = 100_000  # a server that never says done must not keep us here forever


def query_all(sf: Salesforce, soql: str, progress: Progress, what: str) -> list[Record]:
    progress.step("salesforce", what)
    count: int | None = None
    try:
        records = _query_pages(sf, soql, progress, what)
        count = len(records)
        return records
    finally:
        progress.done("salesforce", what, count)


def _query_pages(sf: Salesforce, soql: str, progress: Progress, what: str) -> list[Record]:
    result = sf.query(soql)
    records = _records(result)
    for _ in range(MAX_PAGES):
        if result.get("done", True):
            break
        next_url = result.get("nextRecordsUrl")
        if not isinstance(next_url, str) or not next_url:
            raise ApiError(f"{what}: the query result is not done but has no nextRecordsUrl")
        progress.records("salesforce", what, len(records))
        # pass the locator, not the URL: simple-salesforce would rebuild that URL with https
        result = sf.query_more(next_url.rstrip("/").rsplit("/", 1)[-1])
        records.extend(_records(result))
    else:
        raise ApiError(f"{what}: more than {MAX_PAGES} pages")
    return records


def tooling_query(sf: Salesforce, soql: str) -> list[Record]:
    return _records(sf.restful("tooling/query/", params={"q": soql}))


def _records(result: Any) -> list[Record]:
    if not isinstance(result, dict) or not isinstance(result.get("records"), list):
        raise ApiError("a query answered without a records list")
    return [dict(record) for record in result["records"] if isinstance(record, dict)]
