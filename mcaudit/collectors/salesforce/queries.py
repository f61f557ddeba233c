"""Every SOQL statement the Salesforce collector runs. Their number is fixed: it does not grow with
users, permission sets or rules (large results only add queryMore pages).

Standard objects and fields are documented. The MCC managed package (namespace et4ae5) does not
document its objects' fields; the names marked ASSUMED below are our best reading of the package
and are kept here, in one place, so they are easy to correct.
"""

from __future__ import annotations

MCC_NAMESPACE = "et4ae5"

ORGANIZATION = "SELECT Id, Name, InstanceName FROM Organization"
CONNECTED_APPS = "SELECT Id, Name, OptionsAllowAdminApprovedUsersOnly FROM ConnectedApplication"
APP_ACCESS = ("SELECT ParentId, SetupEntityId FROM SetupEntityAccess "
              "WHERE SetupEntityType = 'ConnectedApplication'")
PERMISSION_SETS = ("SELECT Id, Name, Label, NamespacePrefix, IsOwnedByProfile, Profile.Name "
                   "FROM PermissionSet")
PERMISSION_SET_GROUPS = "SELECT Id, DeveloperName FROM PermissionSetGroup"
PERMISSION_SET_GROUP_MEMBERS = "SELECT PermissionSetGroupId, PermissionSetId FROM PermissionSetGroupComponent"
ASSIGNMENTS = ("SELECT AssigneeId, PermissionSetId, PermissionSetGroupId, ExpirationDate "
               "FROM PermissionSetAssignment")
FROZEN_LOGINS = "SELECT UserId, IsFrozen FROM UserLogin WHERE IsFrozen = true"

USER_FIELDS = ("Id", "Username", "Name", "Email", "IsActive", "Profile.Name", "Profile.UserLicense.Name",
               "UserPermissionsMarketingUser")
MCC_USER_FIELD = "et4ae5__ExactTargetForAppExchangeUser__c"  # Marketing Cloud for AppExchange User
MCC_ADMIN_FIELD = "et4ae5__ExactTargetForAppExchangeAdmin__c"  # Marketing Cloud for AppExchange Admin


def users(*, with_package_fields: bool) -> str:
    fields = USER_FIELDS + ((MCC_USER_FIELD, MCC_ADMIN_FIELD) if with_package_fields else ())
    return f"SELECT {', '.join(fields)} FROM User"


# -- the MCC package's objects --------------------------------------------------------------------
CONFIG_OBJECT = "et4ae5__Configuration__c"
CONFIG_SYSTEM_USER = "et4ae5__System_User__c"  # ASSUMED: lookup(User) holding the Salesforce System User
CONFIG_SCOPE_BY_USER = "et4ae5__Scope_By_User__c"  # ASSUMED: checkbox, scope by user on/off
CONNECTOR_CONFIG = f"SELECT Id, {CONFIG_SYSTEM_USER}, {CONFIG_SCOPE_BY_USER} FROM {CONFIG_OBJECT}"

BUSINESS_UNIT_OBJECT = "et4ae5__Business_Unit__c"
BUSINESS_UNIT_MID = "et4ae5__Business_Unit_ID__c"  # the MID (seen in public reporting code)
CONNECTOR_BUSINESS_UNITS = f"SELECT Id, Name, {BUSINESS_UNIT_MID} FROM {BUSINESS_UNIT_OBJECT}"

SEND_DEFINITION_OBJECT = "et4ae5__SendDefinition__c"
SEND_STATUS = "et4ae5__SendStatus__c"  # ASSUMED on this object (the package's SMS definition has it)
SEND_SCHEDULED_AT = "et4ae5__Scheduled_Date_Time__c"  # ASSUMED: when the send is scheduled for
SEND_DEFINITIONS = f"SELECT Id, Name, {SEND_STATUS}, {SEND_SCHEDULED_AT} FROM {SEND_DEFINITION_OBJECT}"

AUTOMATED_SEND_OBJECT = "et4ae5__Automated_Send__c"
AUTOMATED_SEND_ACTIVE = "et4ae5__Active__c"  # ASSUMED: checkbox, the triggered send is on
AUTOMATED_SENDS = f"SELECT Id, Name, {AUTOMATED_SEND_ACTIVE} FROM {AUTOMATED_SEND_OBJECT}"

# Tooling API: the installed MCC package's version (documented object)
INSTALLED_PACKAGES = ("SELECT SubscriberPackage.NamespacePrefix, SubscriberPackageVersion.MajorVersion, "
                      "SubscriberPackageVersion.MinorVersion FROM InstalledSubscriberPackage")
