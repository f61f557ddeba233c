"""Lookups for the API-integration rules (API601-API607), built once per snapshot.

A declared integration names what it uses: an installed package by name, an entry event, a
triggered send and a Data Extension by key. These dictionaries join those names to what the
snapshot holds without scanning. Keys join exactly first and then ignoring case, so that a rule
can tell a near miss (the same key typed in another case) from a key that matches nothing.
SnapshotIndex.integrations builds one of these lazily; nothing here decides pass or fail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Generic, TypeVar

from mcaudit.engine.base import fold
from mcaudit.snapshot import Snapshot
from mcaudit.snapshot.integrations import DeclaredIntegration, InstalledPackage, IntegrationType
from mcaudit.snapshot.sending import Journey, TriggeredSend

Item = TypeVar("Item")


@dataclass(frozen=True)
class Located(Generic[Item]):
    """A journey version or a triggered send with the path it was read from."""

    item: Item
    location: str


def journey_label(journey: Journey) -> str:
    """How reports name a journey version, the way the rotation rules do."""
    name = f"'{journey.name}' " if journey.name else ""
    return f"journey {name}version {journey.version} (key {journey.key})"


class EventMatch(str, Enum):
    """What an EventDefinitionKey sent to /interaction/v1/events turned out to be."""

    entry_event = "entry_event"  # an entry source's event definition key, exactly
    entry_event_case = "entry_event_case"  # the same key, but only when case is ignored
    journey_key = "journey_key"  # a journey's own key, which the events API does not take
    nothing = "nothing"


@dataclass(frozen=True)
class EventLookup:
    match: EventMatch
    journeys: tuple[Located[Journey], ...] = ()  # the versions it matched, newest first
    # journey versions whose entry source was not collected: a key matching nothing may be theirs
    uncollected: tuple[Located[Journey], ...] = ()

    @property
    def newest(self) -> Located[Journey] | None:
        return self.journeys[0] if self.journeys else None


def _group(items: Iterable[tuple[str, Item]]) -> tuple[dict[str, list[Item]], dict[str, list[Item]]]:
    """(exact key -> items, folded key -> items), in the order given."""
    exact: dict[str, list[Item]] = {}
    folded: dict[str, list[Item]] = {}
    for key, item in items:
        exact.setdefault(key, []).append(item)
        folded.setdefault(fold(key), []).append(item)
    return exact, folded


class IntegrationIndex:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.mc = snapshot.marketing_cloud

    # -- installed packages -----------------------------------------------------------------
    @property
    def packages(self) -> list[InstalledPackage] | None:
        return self.mc.installed_packages if self.mc else None

    @cached_property
    def packages_by_name(self) -> dict[str, tuple[int, InstalledPackage]]:
        """Folded package name -> (position, package); package names are compared ignoring case."""
        found: dict[str, tuple[int, InstalledPackage]] = {}
        for position, package in enumerate(self.packages or []):
            found.setdefault(fold(package.name), (position, package))
        return found

    @cached_property
    def integrations_by_package(self) -> dict[str, list[str]]:
        """Folded package name -> names of the declared integrations that authenticate with it."""
        users: dict[str, list[str]] = {}
        for integration in self.integrations:
            if integration.installed_package:
                users.setdefault(fold(integration.installed_package), []).append(integration.name)
        return users

    @cached_property
    def server_to_server_available(self) -> tuple[bool | None, str | None]:
        """Does some non-legacy package offer a server-to-server API integration?

        (True, its name) when one does; (None, the path of the first undecided fact) when no
        known package does but a package whose legacy flag or component type was not collected
        might; (False, None) otherwise.
        """
        undecided: str | None = None
        for position, package in enumerate(self.packages or []):
            location = f"marketing_cloud.installed_packages[{position}]"
            types = [component.integration_type for component in package.api_integrations]
            if IntegrationType.server_to_server not in types and None not in types:
                continue  # this package cannot be the one, whatever its legacy flag says
            if package.legacy is False and IntegrationType.server_to_server in types:
                return True, package.name
            if package.legacy is None:
                undecided = undecided or f"{location}.legacy"
            elif package.legacy is False:
                undecided = undecided or f"{location}.api_integrations[{types.index(None)}].integration_type"
        return (None, undecided) if undecided else (False, None)

    # -- declared integrations --------------------------------------------------------------
    @property
    def integrations(self) -> list[DeclaredIntegration]:
        return self.snapshot.integrations or []

    # -- journeys and their entry events ----------------------------------------------------
    @cached_property
    def _journeys(self) -> list[Located[Journey]]:
        journeys = (self.mc.journeys if self.mc else None) or []
        located = [Located(journey, f"marketing_cloud.journeys[{position}]")
                   for position, journey in enumerate(journeys)]
        # newest version first, so that a key shared by versions names the current one
        return sorted(located, key=lambda found: -found.item.version)

    @cached_property
    def _by_event_key(self) -> tuple[dict[str, list[Located[Journey]]], dict[str, list[Located[Journey]]]]:
        return _group((found.item.entry_source.event_definition_key, found) for found in self._journeys
                      if found.item.entry_source and found.item.entry_source.event_definition_key)

    @cached_property
    def _by_journey_key(self) -> dict[str, list[Located[Journey]]]:
        return _group((found.item.key, found) for found in self._journeys)[1]

    @cached_property
    def _without_entry_source(self) -> tuple[Located[Journey], ...]:
        return tuple(found for found in self._journeys if found.item.entry_source is None)

    def entry_event(self, key: str) -> EventLookup:
        """Resolve a key sent as EventDefinitionKey. The caller checks that journeys were collected."""
        exact, folded = self._by_event_key
        if key in exact:
            return EventLookup(EventMatch.entry_event, tuple(exact[key]))
        if fold(key) in folded:
            return EventLookup(EventMatch.entry_event_case, tuple(folded[fold(key)]))
        if fold(key) in self._by_journey_key:
            return EventLookup(EventMatch.journey_key, tuple(self._by_journey_key[fold(key)]))
        return EventLookup(EventMatch.nothing, uncollected=self._without_entry_source)

    # -- triggered sends --------------------------------------------------------------------
    @cached_property
    def _sends_by_key(self) -> tuple[dict[str, list[Located[TriggeredSend]]], dict[str, list[Located[TriggeredSend]]]]:
        sends = (self.mc.triggered_sends if self.mc else None) or []
        return _group((send.key, Located(send, f"marketing_cloud.triggered_sends[{position}]"))
                      for position, send in enumerate(sends))

    def triggered_send(self, key: str) -> tuple[Located[TriggeredSend], bool] | None:
        """The definition with this external key (and whether the case matched too), or None."""
        exact, folded = self._sends_by_key
        if key in exact:
            return exact[key][0], True
        if fold(key) in folded:
            return folded[fold(key)][0], False
        return None
