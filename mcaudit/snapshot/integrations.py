"""Marketing Cloud API integrations: installed packages, and what an integration declares it calls.

Installed packages come from Marketing Cloud Setup; the declared integrations are written by the
team that owns an integration (which journeys it injects into, which triggered sends it fires,
which Data Extensions it writes and how), so their practices can be checked before they fail.
"""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from mcaudit.snapshot.types import Bool, Int, Model, NonEmptyStr, Str


class IntegrationType(str, Enum):
    server_to_server = "server_to_server"
    web_app = "web_app"
    public_app = "public_app"


class ApiIntegrationComponent(Model):
    """An installed package's API Integration component (never its client secret)."""

    name: Str | None = None
    client_id: Str | None = Field(default=None, description="identifies the component; not a secret")
    integration_type: IntegrationType | None = None
    scopes: list[Str] | None = Field(default=None, description="granted scopes, e.g. data_extensions_read")


class InstalledPackage(Model):
    name: NonEmptyStr
    legacy: Bool | None = Field(
        default=None, description="a legacy (pre-enhanced, App Center / Fuel) package"
    )
    api_integrations: list[ApiIntegrationComponent] = Field(default_factory=list)


class Endpoints(Model):
    """Base URLs: tenant-specific ones look like https://SUBDOMAIN.rest.marketingcloudapis.com."""

    auth: Str | None = None
    rest: Str | None = None
    soap: Str | None = None


class JourneyInjection(Model):
    """A call to POST /interaction/v1/events."""

    event_definition_key: Str | None = Field(
        default=None, description="the EventDefinitionKey the integration sends"
    )
    fields: list[Str] | None = Field(
        default=None, description="field names the integration puts in Data, case-sensitive"
    )


class TriggeredSendCall(Model):
    key: NonEmptyStr = Field(description="the triggered send's external key the integration fires")


class DataExtensionWrite(Model):
    key: NonEmptyStr = Field(description="the Data Extension's external key")
    batch_size: Int | None = Field(default=None, ge=1, description="largest number of rows per call")
    endpoint: Str | None = Field(
        default=None, description="the path it posts to, e.g. /hub/v1/dataeventsasync/key:X/rowset"
    )


class DeclaredIntegration(Model):
    name: NonEmptyStr
    installed_package: Str | None = Field(default=None, description="the installed package it authenticates with")
    read_only: Bool | None = Field(default=None, description="it only reads (an auditor, a reporting job)")
    endpoints: Endpoints | None = Field(default=None, description="base URLs it is configured with")
    journey_injections: list[JourneyInjection] = Field(default_factory=list)
    triggered_sends: list[TriggeredSendCall] = Field(default_factory=list)
    data_extension_writes: list[DataExtensionWrite] = Field(default_factory=list)
