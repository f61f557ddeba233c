"""How Salesforce records reach Marketing Cloud: the Apex triggers behind MCC triggered sends, the
flows Journey Builder generates for Salesforce Data entries, and the package's triggered-send
records (mcc-api-reference.md section 3).

A trigger's body is never stored: the collector records only whether it calls the package's
trigger utility (`et4ae5.triggerUtility.automate`). Package triggers have the body "(hidden)",
so for them that is unknown (null).
"""

from __future__ import annotations

from pydantic import Field

from mcaudit.snapshot.types import Bool, Int, Model, NonEmptyStr, OpenEnum, Str


class ApexTriggerStatus(OpenEnum):
    """ApexTrigger.Status."""

    active = "Active"
    inactive = "Inactive"
    deleted = "Deleted"


class ApexTrigger(Model):
    id: Str | None = Field(default=None, description="ApexTrigger.Id")
    name: NonEmptyStr = Field(description="ApexTrigger.Name")
    object: NonEmptyStr = Field(description="ApexTrigger.TableEnumOrId (the object's API name or Id)")
    status: ApexTriggerStatus = Field(description="ApexTrigger.Status")
    namespace_prefix: Str | None = Field(default=None, description="ApexTrigger.NamespacePrefix")
    after_insert: Bool | None = Field(default=None, description="ApexTrigger.UsageAfterInsert")
    after_update: Bool | None = Field(default=None, description="ApexTrigger.UsageAfterUpdate")
    calls_trigger_utility: Bool | None = Field(
        default=None,
        description="whether ApexTrigger.Body calls et4ae5.triggerUtility.automate; null when the body "
                    "is hidden (a managed package's) or was not read. The body itself is never stored",
    )


class JourneyFlow(Model):
    """A flow Journey Builder generates for a Salesforce Data entry source (ApiName JBSystem...)."""

    api_name: NonEmptyStr = Field(description="FlowDefinitionView.ApiName, e.g. JBSystemFlow_Contact")
    label: Str | None = Field(default=None, description="FlowDefinitionView.Label")
    is_active: Bool | None = Field(default=None, description="FlowDefinitionView.IsActive")
    process_type: Str | None = Field(default=None, description="FlowDefinitionView.ProcessType")
    active_version_id: Str | None = Field(default=None, description="FlowDefinitionView.ActiveVersionId")


class AutomatedSend(Model):
    """An MCC triggered send as the package records it in Salesforce (et4ae5__Automated_Send__c)."""

    id: NonEmptyStr = Field(description="Id")
    name: Str | None = Field(default=None, description="Name")
    object: Str | None = Field(default=None, description="et4ae5__Object__c: the object the send is based on")
    action: Str | None = Field(default=None, description="et4ae5__Action__c: Insert, Update, Either, ...")
    active: Bool | None = Field(default=None, description="et4ae5__Active__c")
    business_unit_id: Str | None = Field(
        default=None, description="et4ae5__Business_Unit__c (the record Id of the package's business unit)"
    )
    definition_id: Str | None = Field(
        default=None,
        description="et4ae5__etTriggeredSendDefId__c: the Marketing Cloud triggered send definition it "
                    "stands for (its format is not documented; matched against ObjectID, ID and key)",
    )
    email_name: Str | None = Field(default=None, description="et4ae5__EmailName__c")
    hours_delayed: Int | None = Field(default=None, description="et4ae5__Hours_Delayed__c")
