"""Journeys (one entry per version) and their entry sources, in as few calls as the API allows.

The interactions list does not carry the entry source (`triggers`); one detail call per journey
would turn 10,000 journeys into 10,000 calls. So: list the event definitions once; take each
version's entry event key from the list item itself where Journey Builder wrote it into the
defaults (`{{Event.<eventDefinitionKey>."Email"}}`); and only for running versions still unresolved
make a detail call, at most `detail_limit` of them, a few at a time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from mcaudit.collectors.marketing_cloud.rest import RestClient
from mcaudit.snapshot.sending import EntrySource, EntrySourceType, Journey, JourneyStatus

INTERACTIONS = "interaction/v1/interactions"
EVENT_DEFINITIONS = "interaction/v1/eventDefinitions"
PAGE_SIZE = 50  # the documented maximum for both lists
DETAIL_CONCURRENCY = 4
RUNNING = frozenset({JourneyStatus.published, JourneyStatus.scheduled_to_publish, JourneyStatus.paused})
EVENT_REFERENCE = re.compile(r"\{\{\s*Event\.([^.\s\"}]+)\.")
ENTRY_TYPES = {member.value.casefold(): member for member in EntrySourceType}


@dataclass(frozen=True)
class JourneyResult:
    journeys: list[Journey]
    unresolved: int  # running versions whose entry source stays not collected (detail limit reached)


def event_definitions(rest: RestClient, page_size: int = PAGE_SIZE) -> dict[str, EntrySource]:
    sources: dict[str, EntrySource] = {}
    for items in rest.pages(EVENT_DEFINITIONS, page_size):
        for item in items:
            key = item.get("eventDefinitionKey") if isinstance(item, dict) else None
            if isinstance(key, str) and key:
                sources[key] = _entry_source(item.get("type"), key, item)
    return sources


def journeys(rest: RestClient, sources: dict[str, EntrySource], *, detail_limit: int,
             page_size: int = PAGE_SIZE, on_page: Callable[[int], None] | None = None) -> JourneyResult:
    items: list[dict[str, Any]] = []
    params: dict[str, str | int] = {"mostRecentVersionOnly": "false", "extras": "stats"}
    for page in rest.pages(INTERACTIONS, page_size, params):
        items.extend(item for item in page if isinstance(item, dict))
        if on_page is not None:
            on_page(len(items))
    versions = [_journey(item, sources) for item in items]
    pending = [index for index, journey in enumerate(versions)
               if journey.entry_source is None and journey.status in RUNNING and journey.id]
    chosen = pending[:detail_limit]
    with ThreadPoolExecutor(max_workers=DETAIL_CONCURRENCY) as pool:
        found = list(pool.map(lambda index: _detail_source(rest, versions[index], sources), chosen))
    for index, source in zip(chosen, found, strict=True):
        versions[index] = versions[index].model_copy(update={"entry_source": source})
    return JourneyResult(versions, unresolved=len(pending) - len(chosen))


def _journey(item: dict[str, Any], sources: dict[str, EntrySource]) -> Journey:
    stats = _mapping(item.get("stats"))
    population = stats.get("currentPopulation")
    version = item.get("version")
    return Journey(
        id=item.get("id") if isinstance(item.get("id"), str) else None,
        key=item["key"], name=item.get("name") if isinstance(item.get("name"), str) else None,
        version=version if isinstance(version, int) and version >= 1 else 1,
        status=JourneyStatus(item["status"]),  # an unknown status fails the section rather than guess
        entry_source=_hinted_source(item, sources),
        population=population if isinstance(population, int) and not isinstance(population, bool) else None,
    )


def _hinted_source(item: dict[str, Any], sources: dict[str, EntrySource]) -> EntrySource | None:
    references = _mapping(item.get("defaults")).get("email")
    for reference in references if isinstance(references, list) else []:
        match = EVENT_REFERENCE.search(reference) if isinstance(reference, str) else None
        if match and match.group(1) in sources:
            return sources[match.group(1)]
    return None


def _detail_source(rest: RestClient, journey: Journey, sources: dict[str, EntrySource]) -> EntrySource | None:
    detail = rest.get(f"{INTERACTIONS}/{journey.id}")
    triggers = detail.get("triggers") if isinstance(detail, dict) else None
    if not isinstance(triggers, list) or not triggers or not isinstance(triggers[0], dict):
        return None
    trigger = triggers[0]
    key = _mapping(trigger.get("metaData")).get("eventDefinitionKey")
    if isinstance(key, str) and key in sources:
        return sources[key]
    return _entry_source(trigger.get("type"), key if isinstance(key, str) else None, {})


def _entry_source(kind: Any, key: str | None, definition: dict[str, Any]) -> EntrySource:
    fields = _mapping(definition.get("schema")).get("fields")
    names = [field["name"] for field in fields if isinstance(field, dict) and isinstance(field.get("name"), str)] \
        if isinstance(fields, list) else None
    # ASSUMED: a Salesforce Data entry names its object in configurationArguments.objectAPIName
    sf_object = _mapping(definition.get("configurationArguments")).get("objectAPIName")
    return EntrySource(
        type=ENTRY_TYPES.get(str(kind).casefold(), EntrySourceType.other) if kind else EntrySourceType.other,
        event_definition_key=key, schema_fields=names,
        salesforce_object=sf_object if isinstance(sf_object, str) and sf_object else None,
    )


def _mapping(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (JSON from an API is not trusted to be shaped)."""
    return value if isinstance(value, dict) else {}
