"""The Salesforce side of a snapshot: the org, the MCC connected app, users and permissions.

Field names follow the Salesforce objects they come from (ConnectedApplication,
SetupEntityAccess, PermissionSet, PermissionSetAssignment, User, UserLogin and the MCC managed
package's et4ae5 objects). A value of null means "not collected", never "false".
"""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from mcaudit.snapshot.automation import ApexTrigger, AutomatedSend, JourneyFlow
from mcaudit.snapshot.integrations import Endpoints
from mcaudit.snapshot.org import ApiLimit, OauthGrants, Organization
from mcaudit.snapshot.sending import ScheduledSend
from mcaudit.snapshot.types import Bool, Int, Model, NonEmptyStr, Str, Timestamp


class PermittedUsers(str, Enum):
    """Connected app OAuth policy "Permitted Users" (ConnectedApp oauthConfig.isAdminApproved)."""

    admin_approved = "admin_approved"  # Admin approved users are pre-authorized
    all_users = "all_users"  # All users may self-authorize


class IpRelaxation(str, Enum):
    """Connected app OAuth policy "IP Relaxation" (Metadata API oauthPolicy.ipRelaxation)."""

    enforce = "enforce"  # ENFORCE
    bypass_2fa = "bypass_2fa"  # BYPASS_2FACTOR: relax for second factor
    relax = "relax"  # BYPASS: Relax IP restrictions
    enforce_relax_refresh = "enforce_relax_refresh"  # ENFORCE_RELAXREFRESH


class RefreshTokenPolicy(str, Enum):
    """Connected app "Refresh Token Policy" (Metadata API oauthPolicy.refreshTokenPolicy)."""

    immediately_expire = "immediately_expire"  # zero
    infinite = "infinite"  # valid until revoked
    specific_lifetime = "specific_lifetime"
    specific_inactivity = "specific_inactivity"


class ConnectedApp(Model):
    id: Str | None = Field(default=None, description="ConnectedApplication.Id")
    name: NonEmptyStr = Field(description="ConnectedApplication.Name")
    permitted_users: PermittedUsers | None = None
    ip_relaxation: IpRelaxation | None = Field(
        default=None, description="not queryable by SOQL; often known only by attestation"
    )
    refresh_token_policy: RefreshTokenPolicy | None = None
    permission_set_ids: list[Str] | None = Field(
        default=None,
        description="SetupEntityAccess.ParentId of every permission set (or profile-owned "
        "permission set) granted access to this app; null if not collected",
    )


class PermissionSet(Model):
    id: NonEmptyStr
    name: NonEmptyStr = Field(description="PermissionSet.Name (API name)")
    label: Str | None = None
    namespace_prefix: Str | None = Field(default=None, description="e.g. 'et4ae5' for MCC")
    is_owned_by_profile: Bool = False
    profile_name: Str | None = Field(default=None, description="owning profile, if any")


class PermissionSetGroup(Model):
    id: NonEmptyStr
    name: NonEmptyStr = Field(description="PermissionSetGroup.DeveloperName")
    permission_set_ids: list[Str] = Field(
        default_factory=list, description="member permission sets (PermissionSetGroupComponent)"
    )


class PermissionSetAssignment(Model):
    assignee_id: NonEmptyStr = Field(description="PermissionSetAssignment.AssigneeId (a User Id)")
    permission_set_id: Str | None = None
    permission_set_group_id: Str | None = None
    expiration_date: Timestamp | None = Field(
        default=None, description="an assignment past its ExpirationDate no longer grants access"
    )


class SalesforceUser(Model):
    id: NonEmptyStr = Field(description="User.Id")
    username: NonEmptyStr = Field(description="User.Username")
    name: Str | None = None
    email: Str | None = None
    is_active: Bool | None = Field(default=None, description="User.IsActive")
    is_frozen: Bool | None = Field(default=None, description="UserLogin.IsFrozen")
    user_license: Str | None = Field(default=None, description="Profile.UserLicense.Name")
    profile_name: Str | None = Field(default=None, description="Profile.Name")
    marketing_user: Bool | None = Field(
        default=None, description="User.UserPermissionsMarketingUser"
    )
    mc_appexchange_user: Bool | None = Field(
        default=None,
        description="et4ae5__ExactTargetForAppExchangeUser__c (Marketing Cloud for AppExchange User)",
    )
    mc_appexchange_admin: Bool | None = Field(
        default=None,
        description="et4ae5__ExactTargetForAppExchangeAdmin__c "
        "(Marketing Cloud for AppExchange Admin)",
    )


class UserRef(Model):
    """A reference to a Salesforce user by Id and/or username (either is enough to join)."""

    id: Str | None = None
    username: Str | None = None


class ConnectorBusinessUnit(Model):
    mid: Int = Field(description="et4ae5__Business_Unit__c.et4ae5__Business_Unit_ID__c (the MID)")
    name: Str | None = None
    enabled: Bool | None = Field(
        default=None, description="et4ae5__Enabled__c: a disabled business unit is not used by the connector"
    )
    is_parent: Bool | None = Field(default=None, description="et4ae5__IsParentAccountMID__c")


class SystemUserSource(str, Enum):
    """Where the System User's identity came from. The package does not store it: it is chosen in
    Marketing Cloud (the API user's "Salesforce.com Status" settings), which no API shows."""

    option = "option"  # collect --sf-system-user / MCAUDIT_SF_SYSTEM_USER
    declared = "declared"  # written by a person in a snapshot or a --merge file
    inferred = "inferred"  # the one plausible user the org's evidence points to; to be confirmed


class SystemUserCandidate(Model):
    """A Salesforce user the org's own records tie to the connector: evidence, not identity."""

    user_id: NonEmptyStr = Field(description="User.Id")
    username: Str | None = None
    oauth_tokens: Int | None = Field(
        default=None, description="OAuth tokens this user holds for the Salesforce Marketing Cloud app (OauthToken)"
    )
    oauth_use_count: Int | None = Field(default=None, description="their summed OauthToken.UseCount")
    oauth_last_used: Timestamp | None = Field(default=None, description="their latest OauthToken.LastUsedDate")
    holds_system_user_permission_set: Bool | None = Field(
        default=None, description="assigned the package's Marketing Cloud System User permission set"
    )


class MccConnector(Model):
    """The MCC managed package's configuration in the org (et4ae5__Configuration__c et al.)."""

    package_version: Str | None = None
    system_user: UserRef | None = Field(
        default=None, description="the Salesforce System User; null if not identified"
    )
    system_user_source: SystemUserSource | None = Field(
        default=None, description="how system_user was identified; null means declared by a person"
    )
    system_user_candidates: list[SystemUserCandidate] | None = Field(
        default=None, description="users the org's records tie to the connector; null if not collected"
    )
    scope_by_user: Bool | None = Field(
        default=None, description="set in Marketing Cloud (no API shows it): from a person or an attestation"
    )
    connected: Bool | None = Field(
        default=None,
        description="the connector is connected (the System User sees the send page, not "
        "'Connect to Marketing Cloud'); often known only by attestation",
    )
    parent_account_mid: Int | None = Field(
        default=None, description="et4ae5__Configuration__c.et4ae5__Parent_Account_MID__c"
    )
    endpoints: Endpoints | None = Field(
        default=None, description="the Marketing Cloud endpoints the package is configured with "
        "(et4ae5__Auth_API_URL__c, et4ae5__Root_Rest_API_URL__c, et4ae5__Root_SOAP_API_URL__c)"
    )
    automation_objects: list[Str] | None = Field(
        default=None, description="objects enabled for triggered sends (et4ae5__automationObjects__c)"
    )
    business_units: list[ConnectorBusinessUnit] | None = Field(
        default=None, description="business units the connector knows (enabled or not)"
    )


class Salesforce(Model):
    org_id: Str | None = Field(default=None, description="Organization.Id")
    instance_url: Str | None = None
    connected_apps: list[ConnectedApp] | None = None
    permission_sets: list[PermissionSet] | None = None
    permission_set_groups: list[PermissionSetGroup] | None = None
    permission_set_assignments: list[PermissionSetAssignment] | None = None
    users: list[SalesforceUser] | None = None
    mcc_connector: MccConnector | None = None
    scheduled_sends: list[ScheduledSend] | None = Field(
        default=None, description="CRM-initiated sends (MCC package objects)"
    )
    organization: Organization | None = Field(default=None, description="the Organization record")
    api_limits: list[ApiLimit] | None = Field(default=None, description="REST /limits, one entry per key")
    oauth_grants: list[OauthGrants] | None = Field(
        default=None, description="OAuth tokens per user for the Salesforce Marketing Cloud connected app"
    )
    apex_triggers: list[ApexTrigger] | None = Field(
        default=None, description="Apex triggers on the objects MCC triggered sends are based on"
    )
    journey_flows: list[JourneyFlow] | None = Field(
        default=None, description="flows Journey Builder generated (FlowDefinitionView, ApiName JBSystem...)"
    )
    automated_sends: list[AutomatedSend] | None = Field(
        default=None, description="MCC triggered sends recorded in Salesforce (et4ae5__Automated_Send__c)"
    )
