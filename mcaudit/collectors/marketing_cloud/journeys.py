"""Journeys (one entry per version) and their entry sources, in as few calls as the API allows.

The interactions list does not carry the entry source (`triggers`); one detail call per journey
would turn 10,000 journeys into 10,000 calls. So: list the event definitions once; take each
version's entry event key from the list item itself where Journey Builder wrote it into the
defaults (`{{Event.<eventDefinitionKey>."Email"}}`); and only for running versions still unresolved
make a detail call, at most `detail_limit` of them, on the collector's pool of reads.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import Any

from mcaudit.collectors.marketing_cloud.rest import RestClient
from mcaudit.snapshot.sending import EntrySource, EntrySourceType, Journey, JourneyStatus

log = logging.getLogger("mcaudit.collect.marketing_cloud")
INTERACTIONS = "interaction/v1/interactions"
EVENT_DEFINITIONS = "interaction/v1/eventDefinitions"
PAGE_SIZE = 50  # the documented maximum for both lists
RUNNING = frozenset({JourneyStatus.published, JourneyStatus.scheduled_to_publish, JourneyStatus.paused})
EVENT_REFERENCE = re.compile(r"\{\{\s*Event\.([^.\s\"}]+)\.")
ENTRY_TYPES = {member.value.casefold(): member for member in EntrySourceType}


@dataclass(frozen=True)
class JourneyResult:
    journeys: list[Journey]
    unresolved: int  # running versions whose entry source stays not collected (detail limit reached)


@dataclass(frozen=True)
class EventSources:
    """The account's entry event definitions, by id and by key. A journey names its entry event by
    both; the id is what Journey Builder keeps current (a key can be stale), so it is tried first."""

    by_id: dict[str, EntrySource]
    by_key: dict[str, EntrySource]

    def find(self, definition_id: Any, key: Any) -> EntrySource | None:
        if isinstance(definition_id, str) and definition_id in self.by_id:
            return self.by_id[definition_id]
        return self.by_key.get(key) if isinstance(key, str) else None


def event_definitions(rest: RestClient, page_size: int = PAGE_SIZE) -> EventSources:
    by_id: dict[str, EntrySource] = {}
    by_key: dict[str, EntrySource] = {}
    # extras=all: without it the list may leave out each definition's schema and configuration
    for items in rest.pages(EVENT_DEFINITIONS, page_size, {"extras": "all"}):
        for item in items:
            key = item.get("eventDefinitionKey") if isinstance(item, dict) else None
            if not isinstance(key, str) or not key:
                continue
            source = _entry_source(item.get("type"), key, item)
            by_key[key] = source
            if isinstance(item.get("id"), str) and item["id"]:
                by_id[item["id"]] = source
    return EventSources(by_id, by_key)


def journey_items(rest: RestClient, page_size: int = PAGE_SIZE,
                  on_page: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
    """Every version of every journey (one list item each), with its population (extras=stats)."""
    items: list[dict[str, Any]] = []
    params: dict[str, str | int] = {"mostRecentVersionOnly": "false", "extras": "stats"}
    for page in rest.pages(INTERACTIONS, page_size, params):
        items.extend(item for item in page if isinstance(item, dict))
        if on_page is not None:
            on_page(len(items))
    return items


def journeys(rest: RestClient, items: list[dict[str, Any]], sources: EventSources, *,
             detail_limit: int, start: Callable[[Callable[[], EntrySource | None]], Future[EntrySource | None]],
             ) -> JourneyResult:
    """Journey versions with their entry sources; `start` runs a detail call (Reads.start), and is
    only ever called from the collector's orchestrating thread, never from a read."""
    versions = [_journey(item, sources) for item in items]
    for journey in versions:
        if not journey.status.recognised:
            log.warning("marketing_cloud: journey %s version %d has a status this mcaudit does not know (%r): "
                        "kept as it is; rules treat it as unknown", journey.key, journey.version, journey.status.value)
    pending = [index for index, journey in enumerate(versions)
               if journey.entry_source is None and _may_run(journey) and journey.id]
    chosen = pending[:detail_limit]
    # on the collector's own pool, so the detail calls count against its bound on reads in flight
    started = [start(partial(_detail_source, rest, versions[index], sources)) for index in chosen]
    found = [future.result() for future in started]
    for index, source in zip(chosen, found, strict=True):
        versions[index] = versions[index].model_copy(update={"entry_source": source})
    return JourneyResult(versions, unresolved=len(pending) - len(chosen))


def _may_run(journey: Journey) -> bool:
    """Versions whose entry source matters: running or about to, or a status nobody knows yet."""
    return journey.status in RUNNING or not journey.status.recognised


def _journey(item: dict[str, Any], sources: EventSources) -> Journey:
    stats = _mapping(item.get("stats"))
    population = stats.get("currentPopulation")
    version = item.get("version")
    return Journey(
        id=item.get("id") if isinstance(item.get("id"), str) else None,
        key=item["key"], name=item.get("name") if isinstance(item.get("name"), str) else None,
        version=version if isinstance(version, int) and version >= 1 else 1,
        status=JourneyStatus(item["status"]),  # an unknown status is kept as it came, for rules to report
        entry_source=_hinted_source(item, sources),
        population=population if isinstance(population, int) and not isinstance(population, bool) else None,
    )


def _hinted_source(item: dict[str, Any], sources: EventSources) -> EntrySource | None:
    references = _mapping(item.get("defaults")).get("email")
    for reference in references if isinstance(references, list) else []:
        match = EVENT_REFERENCE.search(reference) if isinstance(reference, str) else None
        found = sources.find(None, match.group(1)) if match else None
        if found is not None:
            return found
    return None


def _detail_source(rest: RestClient, journey: Journey, sources: EventSources) -> EntrySource | None:
    detail = rest.get(f"{INTERACTIONS}/{journey.id}")
    triggers = detail.get("triggers") if isinstance(detail, dict) else None
    if not isinstance(triggers, list) or not triggers or not isinstance(triggers[0], dict):
        return None
    trigger = triggers[0]
    # Journey Builder writes the entry event into the trigger's metaData (or, in some, its arguments)
    for part in (_mapping(trigger.get("metaData")), _mapping(trigger.get("arguments"))):
        found = sources.find(part.get("eventDefinitionId"), part.get("eventDefinitionKey"))
        if found is not None:
            return found
    key = _mapping(trigger.get("metaData")).get("eventDefinitionKey") or _mapping(
        trigger.get("arguments")).get("eventDefinitionKey")
    return _entry_source(trigger.get("type"), key if isinstance(key, str) else None, {})


def _entry_source(kind: Any, key: str | None, definition: dict[str, Any]) -> EntrySource:
    fields = _mapping(definition.get("schema")).get("fields")
    names = [field["name"] for field in fields if isinstance(field, dict) and isinstance(field.get("name"), str)] \
        if isinstance(fields, list) else None
    # a Salesforce Data entry (SalesforceObjectTriggerV2) names its object in configurationArguments.
    # objectAPIName, one of the arguments Marketing Cloud's own DevTools require of that type (API catalog)
    sf_object = _mapping(definition.get("configurationArguments")).get("objectAPIName")
    return EntrySource(
        type=_entry_type(kind),
        event_definition_key=key, schema_fields=names,
        salesforce_object=sf_object if isinstance(sf_object, str) and sf_object else None,
    )


def _entry_type(kind: Any) -> EntrySourceType:
    """The event definition's type as the API spells it (matched ignoring case); a type this mcaudit
    does not know is kept as it came, and rules treat it as possibly Salesforce Data."""
    if not isinstance(kind, str) or not kind.strip():
        return EntrySourceType.other
    return ENTRY_TYPES.get(kind.casefold()) or EntrySourceType(kind)


def _mapping(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (JSON from an API is not trusted to be shaped)."""
    return value if isinstance(value, dict) else {}
