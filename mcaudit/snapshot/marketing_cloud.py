"""The Marketing Cloud side of a snapshot: account, business units, users, roles, security.

Field names follow the SOAP objects they come from (AccountUser, Role, BusinessUnit) in
snake_case. A value of null means "not collected", never "false".
"""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from mcaudit.snapshot.contacts import AttributeSet
from mcaudit.snapshot.integrations import Endpoints, InstalledPackage
from mcaudit.snapshot.sending import (
    IerSync,
    Journey,
    SynchronizedDataExtension,
    TriggeredSend,
)
from mcaudit.snapshot.types import Bool, Int, Model, NonEmptyStr, Str, Timestamp


class SalesforceIntegrationStatus(str, Enum):
    """The user's "Salesforce.com Status" in MC Setup (no documented API field)."""

    integrated = "integrated"
    not_integrated = "not_integrated"


class BusinessUnit(Model):
    mid: Int = Field(description="BusinessUnit.ID (the MID)")
    name: Str | None = None
    parent_mid: Int | None = Field(default=None, description="BusinessUnit.ParentID")
    is_top_level: Bool | None = Field(
        default=None, description="the enterprise (parent) business unit; derived if null"
    )
    is_active: Bool | None = Field(default=None, description="BusinessUnit.IsActive (xsd:int, 1 = active)")


class SalesforceIntegration(Model):
    """What MC Setup > Users > (user) shows under "Salesforce.com Status"."""

    status: SalesforceIntegrationStatus | None = None
    salesforce_username: Str | None = Field(
        default=None, description="the Salesforce user this MC user is integrated with"
    )


class MarketingCloudUser(Model):
    account_user_id: Int | None = Field(default=None, description="AccountUser.AccountUserID")
    username: NonEmptyStr = Field(description="AccountUser.UserID (the login name)")
    name: Str | None = None
    email: Str | None = None
    active: Bool | None = Field(default=None, description="AccountUser.ActiveFlag")
    is_locked: Bool | None = Field(default=None, description="AccountUser.IsLocked")
    is_api_user: Bool | None = Field(default=None, description="AccountUser.IsAPIUser")
    must_change_password: Bool | None = Field(
        default=None, description="AccountUser.MustChangePassword"
    )
    last_successful_login: Timestamp | None = None
    roles: list[Str] | None = Field(
        default=None, description="role names or keys (AccountUser.Roles); null if not collected"
    )
    business_unit_mids: list[Int] | None = Field(
        default=None, description="business units the user can access (AccountUserAccount)"
    )
    default_business_unit: Int | None = Field(
        default=None, description="AccountUser.DefaultBusinessUnit"
    )
    salesforce_integration: SalesforceIntegration | None = None


class Role(Model):
    key: Str | None = Field(default=None, description="Role.CustomerKey, e.g. SYS_DEF_IMHADMIN")
    name: NonEmptyStr = Field(description="Role.Name")
    is_system_defined: Bool | None = None
    attribute_set_access: list[Str] | None = Field(
        default=None, description="Contact Builder attribute sets the role may use, e.g. Email"
    )


class SecuritySettings(Model):
    """Setup > Security Settings."""

    api_users_excluded_from_password_expiration: Bool | None = Field(
        default=None,
        description="'Exclude API users from password expiration'; not exposed by an API",
    )
    ip_allowlist_restricted: Bool | None = None
    ip_allowlist: list[Str] | None = Field(default=None, description="allowed ranges, CIDR")


class MarketingCloud(Model):
    subdomain: Str | None = Field(
        default=None, description="tenant-specific subdomain (the part before .auth...)"
    )
    endpoints: Endpoints | None = None
    mid: Int | None = Field(default=None, description="account MID (top-level business unit)")
    multi_org: Bool | None = Field(
        default=None, description="Enterprise 2.0 / multi-org; derived from business units if null"
    )
    mcc_api_user: NonEmptyStr | None = Field(
        default=None, description="username of the MC user the connector authenticates as"
    )
    business_units: list[BusinessUnit] | None = None
    users: list[MarketingCloudUser] | None = None
    roles: list[Role] | None = None
    security: SecuritySettings | None = None
    triggered_sends: list[TriggeredSend] | None = None
    journeys: list[Journey] | None = Field(
        default=None, description="one entry per journey version"
    )
    synchronized_data_extensions: list[SynchronizedDataExtension] | None = None
    ier_sync: IerSync | None = None
    attribute_sets: list[AttributeSet] | None = None
    custom_attribute_limit: Int | None = Field(
        default=None, description="the edition's limit on custom fields per object (for AEP509)"
    )
    installed_packages: list[InstalledPackage] | None = None
