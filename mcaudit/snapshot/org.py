"""The Salesforce org itself: what kind of org it is, its daily API headroom and the OAuth grants
its users hold for the Marketing Cloud connected app.

Organization fields: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/
object_reference/sforce_api_objects_organization.htm (sfdx-core: a sandbox is IsSandbox true with
TrialExpirationDate null; a scratch org has TrialExpirationDate set). Limits: REST `/limits`
(dome-limits). OAuth grants: OauthToken, five approvals per user per connected app (KB 000205876).
"""

from __future__ import annotations

from pydantic import Field

from mcaudit.snapshot.types import Bool, Int, Model, NonEmptyStr, Str, Timestamp


class Organization(Model):
    id: NonEmptyStr = Field(description="Organization.Id")
    name: Str | None = Field(default=None, description="Organization.Name")
    is_sandbox: Bool | None = Field(default=None, description="Organization.IsSandbox")
    trial_expiration_date: Timestamp | None = Field(
        default=None, description="Organization.TrialExpirationDate (set for scratch and trial orgs)"
    )
    organization_type: Str | None = Field(default=None, description="Organization.OrganizationType")
    instance_name: Str | None = Field(default=None, description="Organization.InstanceName")


class ApiLimit(Model):
    """One entry of REST `/limits`: e.g. DailyApiRequests {Max, Remaining}."""

    name: NonEmptyStr = Field(description="the key in /limits, e.g. DailyApiRequests")
    max: Int = Field(ge=0, description="Max")
    remaining: Int = Field(description="Remaining (can be negative when a limit was overrun)")


class OauthGrants(Model):
    """How many OAuth tokens (approvals) one user holds for one connected app."""

    user_id: NonEmptyStr = Field(description="OauthToken.UserId")
    app_name: NonEmptyStr = Field(description="OauthToken.AppName")
    tokens: Int = Field(ge=0, description="count of OauthToken rows for this user and app")
    last_used: Timestamp | None = Field(default=None, description="latest OauthToken.LastUsedDate")
