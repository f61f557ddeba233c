"""Sending assets and sync paths: what a credential rotation can break (KB 005228128).

Triggered send definitions and journeys come from Marketing Cloud; CRM-initiated scheduled sends
come from the MCC package's objects in Salesforce; Synchronized Data Extensions and Individual
Email Results (IER) sync are the data paths to verify after a rotation.
"""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from mcaudit.snapshot.types import Bool, Int, Model, NonEmptyStr, OpenEnum, Str, Timestamp


class TriggeredSendStatus(OpenEnum):
    """TriggeredSendDefinition.TriggeredSendStatus (TriggeredSendStatusEnum in the SOAP WSDL).
    Only Active sends; Inactive is paused; Canceled cannot return to Active."""

    new = "New"
    inactive = "Inactive"
    active = "Active"
    canceled = "Canceled"
    deleted = "Deleted"
    moved = "Moved"


class TriggeredSend(Model):
    key: NonEmptyStr = Field(description="TriggeredSendDefinition.CustomerKey (external key)")
    object_id: Str | None = Field(default=None, description="TriggeredSendDefinition.ObjectID")
    id: Int | None = Field(default=None, description="TriggeredSendDefinition.ID")
    name: Str | None = None
    status: TriggeredSendStatus
    business_unit_mid: Int | None = None
    email_name: Str | None = None


class JourneyStatus(OpenEnum):
    """Journey version status as the REST API reports it (/interaction/v1/interactions)."""

    draft = "Draft"
    published = "Published"  # running: takes new entries
    scheduled_to_publish = "ScheduledToPublish"  # goes live by itself at its scheduled time
    paused = "Paused"  # resumes by itself when its pause ends
    stopped = "Stopped"
    unpublished = "Unpublished"  # Journey Builder shows "Finishing": no new entries, contacts still in it
    deleted = "Deleted"
    scheduled_to_send = "ScheduledToSend"  # single-send journeys
    sent = "Sent"  # single-send journeys


class EntrySourceType(OpenEnum):
    """Event definition types; SalesforceObjectTriggerV2 is the Salesforce Data entry source.
    "Other" is what an older snapshot wrote for a type it did not know; today the type is kept."""

    salesforce_data = "SalesforceObjectTriggerV2"
    salesforce_data_legacy = "SalesforceObjectTrigger"
    api_event = "APIEvent"
    email_audience = "EmailAudience"
    automation_audience = "AutomationAudience"
    contact_audience = "ContactAudience"
    other = "Other"


class EntrySource(Model):
    type: EntrySourceType
    event_definition_key: Str | None = Field(
        default=None, description="the entry event's key (not the journey key)"
    )
    salesforce_object: Str | None = Field(
        default=None, description="for Salesforce Data entries: the object that triggers entry"
    )
    schema_fields: list[Str] | None = Field(
        default=None, description="entry source field names, case-sensitive"
    )


class Journey(Model):
    id: Str | None = Field(default=None, description="interaction id of this version")
    key: NonEmptyStr = Field(description="journey (interaction) key, shared by its versions")
    name: Str | None = None
    version: Int = Field(default=1, ge=1)
    status: JourneyStatus
    entry_source: EntrySource | None = Field(
        default=None, description="null if the entry source was not collected"
    )
    population: Int | None = Field(
        default=None, description="contacts currently in this version (stats), if known"
    )


class ScheduledSendStatus(str, Enum):
    """What a CRM send is doing, read from et4ae5__SendDefinition__c.et4ae5__SendStatus__c (13
    picklist values, kept as `status_value`) or et4ae5__Automated_Send__c.et4ae5__Active__c."""

    new = "new"  # New: a draft, not scheduled
    scheduled = "scheduled"
    in_progress = "in_progress"  # Send Queued, Submitted, Processing, Processing Data, Sending
    paused = "paused"
    completed = "completed"  # Completed, and Pending Tracking Subscription (sent; tracking pending)
    canceled = "canceled"
    failed = "failed"
    deleted = "deleted"
    unknown = "unknown"  # empty, or a value this mcaudit does not know (see status_value)


class ScheduledSend(Model):
    """A send scheduled from the CRM side (et4ae5__SendDefinition__c / et4ae5__Automated_Send__c)."""

    id: NonEmptyStr = Field(description="Salesforce record Id")
    name: Str | None = None
    kind: Str | None = Field(default=None, description="'send_definition' or 'automated_send'")
    status: ScheduledSendStatus
    status_value: Str | None = Field(
        default=None, description="the status as Salesforce shows it (et4ae5__SendStatus__c picklist value)"
    )
    scheduled_at: Timestamp | None = None


class SyncStatus(str, Enum):
    active = "active"
    paused = "paused"
    error = "error"
    disabled = "disabled"


class SynchronizedDataExtension(Model):
    object_name: NonEmptyStr = Field(description="Salesforce object synchronized, e.g. Contact")
    status: SyncStatus
    last_successful_sync: Timestamp | None = None
    last_error: Str | None = None


class IerSync(Model):
    """Individual Email Results written back to Salesforce."""

    enabled: Bool | None = None
    status: SyncStatus | None = None
    last_successful_run: Timestamp | None = None
    last_error: Str | None = None
