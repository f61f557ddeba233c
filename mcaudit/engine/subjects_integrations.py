"""Subjects of the API-integration rules (API601-API607).

Installed packages come from Marketing Cloud Setup; declared integrations say which package an
integration authenticates with, which endpoints it is configured with, and what it calls: journey
injections, triggered sends and Data Extension writes. Each of those calls is a subject of its own,
so a report names the one injection or write that is wrong. Merged into SUBJECTS by
engine.subjects, which imports this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from mcaudit.engine.base import Missing, Subject
from mcaudit.engine.context import Context
from mcaudit.engine.index_integrations import IntegrationIndex
from mcaudit.snapshot.integrations import (
    DataExtensionWrite,
    DeclaredIntegration,
    InstalledPackage,
    JourneyInjection,
    TriggeredSendCall,
)

Call = TypeVar("Call", JourneyInjection, TriggeredSendCall, DataExtensionWrite)


@dataclass(frozen=True)
class PackageView:
    package: InstalledPackage | None  # None: the account lists no package, though integrations need one
    location: str
    lookups: IntegrationIndex


@dataclass(frozen=True)
class IntegrationView:
    integration: DeclaredIntegration
    location: str
    lookups: IntegrationIndex


@dataclass(frozen=True)
class CallView(Generic[Call]):
    """One call a declared integration makes, with the integration that makes it."""

    call: Call
    integration: DeclaredIntegration
    location: str
    lookups: IntegrationIndex


def _installed_packages(ctx: Context) -> list[Subject]:
    """Each listed package. Packages matter once the snapshot lists them (a live collection records
    mcaudit's own) or declares integrations that authenticate with them; with neither, there are no
    subjects and the rule is n/a, so a connection-only snapshot is not left incomplete."""
    lookups = ctx.index.integrations
    section = "marketing_cloud.installed_packages"
    if lookups.packages is None:
        if ctx.snapshot.integrations:
            raise Missing(section)
        return []
    if not lookups.packages and lookups.integrations:
        return [Subject("installed_packages", "installed packages", section, PackageView(None, section, lookups))]
    return [Subject(package.name, f"installed package '{package.name}'", f"{section}[{position}]",
                    PackageView(package, f"{section}[{position}]", lookups))
            for position, package in enumerate(lookups.packages)]


def _declared_integrations(ctx: Context) -> list[Subject]:
    lookups = ctx.index.integrations
    return [Subject(integration.name, f"integration '{integration.name}'", f"integrations[{position}]",
                    IntegrationView(integration, f"integrations[{position}]", lookups))
            for position, integration in enumerate(lookups.integrations)]


def _calls(ctx: Context, field: str, describe: Callable[[DeclaredIntegration, Call], tuple[str, str]]) -> list[Subject]:
    """One subject per item of each integration's `field` list; `describe` gives (key, label)."""
    lookups = ctx.index.integrations
    subjects = []
    for position, integration in enumerate(lookups.integrations):
        calls: list[Call] = getattr(integration, field)
        for number, call in enumerate(calls):
            location = f"integrations[{position}].{field}[{number}]"
            key, label = describe(integration, call)
            subjects.append(Subject(key, label, location, CallView(call, integration, location, lookups)))
    return subjects


def _injection(integration: DeclaredIntegration, call: JourneyInjection) -> tuple[str, str]:
    key = call.event_definition_key
    sent = f"EventDefinitionKey {key}" if key else "no EventDefinitionKey"
    return f"{integration.name}/{key or ''}", f"journey injection by '{integration.name}' ({sent})"


def _send(integration: DeclaredIntegration, call: TriggeredSendCall) -> tuple[str, str]:
    return f"{integration.name}/{call.key}", f"triggered send fired by '{integration.name}' (key {call.key})"


def _write(integration: DeclaredIntegration, call: DataExtensionWrite) -> tuple[str, str]:
    return f"{integration.name}/{call.key}", f"Data Extension write by '{integration.name}' (key {call.key})"


def _journey_injections(ctx: Context) -> list[Subject]:
    return _calls(ctx, "journey_injections", _injection)


def _triggered_sends(ctx: Context) -> list[Subject]:
    return _calls(ctx, "triggered_sends", _send)


def _data_extension_writes(ctx: Context) -> list[Subject]:
    return _calls(ctx, "data_extension_writes", _write)


INTEGRATION_SUBJECTS: dict[str, Callable[[Context], list[Subject]]] = {
    "integrations.installed_packages": _installed_packages,
    "integrations.declared": _declared_integrations,
    "integrations.journey_injections": _journey_injections,
    "integrations.triggered_sends": _triggered_sends,
    "integrations.data_extension_writes": _data_extension_writes,
}
