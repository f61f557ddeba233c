"""Every SOQL statement the Salesforce collector runs. Their number is fixed: it does not grow with
users, permission sets or rules (large results only add queryMore pages).

Every object, field and value named here is in the API catalog (mcaudit/apicatalog/) with
its public source; a test fails when a statement names anything else. The MCC package (namespace
et4ae5) does not document its objects, so its field names come from public metadata dumps of the
package. It stores no System User and no scope-by-user setting (both are chosen in Marketing Cloud),
and its stored password (et4ae5__Password__c) is never selected.
"""

from __future__ import annotations

MCC_NAMESPACE = "et4ae5"
MCC_APP_NAME = "Salesforce Marketing Cloud"  # the connected app the package installs

ORGANIZATION = ("SELECT Id, Name, InstanceName, IsSandbox, TrialExpirationDate, OrganizationType "
                "FROM Organization")
CONNECTED_APPS = ("SELECT Id, Name, OptionsAllowAdminApprovedUsersOnly, OptionsRefreshTokenValidityMetric, "
                  "RefreshTokenValidityPeriod FROM ConnectedApplication")
APP_ACCESS = ("SELECT ParentId, SetupEntityId FROM SetupEntityAccess "
              "WHERE SetupEntityType = 'ConnectedApplication'")
PERMISSION_SETS = ("SELECT Id, Name, Label, NamespacePrefix, IsOwnedByProfile, Profile.Name "
                   "FROM PermissionSet")
PERMISSION_SET_GROUPS = "SELECT Id, DeveloperName FROM PermissionSetGroup"
PERMISSION_SET_GROUP_MEMBERS = "SELECT PermissionSetGroupId, PermissionSetId FROM PermissionSetGroupComponent"
ASSIGNMENTS = ("SELECT AssigneeId, PermissionSetId, PermissionSetGroupId, ExpirationDate "
               "FROM PermissionSetAssignment")
FROZEN_LOGINS = "SELECT UserId, IsFrozen FROM UserLogin WHERE IsFrozen = true"
# who holds OAuth tokens for the connector's app: evidence of the System User (needs Customize Application)
MCC_APP_TOKENS = f"SELECT UserId, UseCount, LastUsedDate FROM OauthToken WHERE AppName = '{MCC_APP_NAME}'"

USER_FIELDS = ("Id", "Username", "Name", "Email", "IsActive", "Profile.Name", "Profile.UserLicense.Name",
               "UserPermissionsMarketingUser")
MCC_USER_FIELD = "et4ae5__ExactTargetForAppExchangeUser__c"  # Marketing Cloud for AppExchange User
MCC_ADMIN_FIELD = "et4ae5__ExactTargetForAppExchangeAdmin__c"  # Marketing Cloud for AppExchange Admin
# the package's permission set that its setup guide assigns to the System User
SYSTEM_USER_PERMISSION_SET = "Marketing_Cloud_System_User"


def users(*, with_package_fields: bool) -> str:
    fields = USER_FIELDS + ((MCC_USER_FIELD, MCC_ADMIN_FIELD) if with_package_fields else ())
    return f"SELECT {', '.join(fields)} FROM User"


# -- the MCC package's objects --------------------------------------------------------------------
CONFIG_OBJECT = "et4ae5__Configuration__c"
CONFIG_PARENT_MID = "et4ae5__Parent_Account_MID__c"
CONFIG_AUTH_URL = "et4ae5__Auth_API_URL__c"
CONFIG_REST_URL = "et4ae5__Root_Rest_API_URL__c"
CONFIG_SOAP_URL = "et4ae5__Root_SOAP_API_URL__c"
CONFIG_AUTOMATION_OBJECTS = "et4ae5__automationObjects__c"  # ';'-joined objects enabled for triggered sends
CONNECTOR_CONFIG = (f"SELECT Id, {CONFIG_PARENT_MID}, {CONFIG_AUTH_URL}, {CONFIG_REST_URL}, {CONFIG_SOAP_URL}, "
                    f"{CONFIG_AUTOMATION_OBJECTS} FROM {CONFIG_OBJECT}")

BUSINESS_UNIT_OBJECT = "et4ae5__Business_Unit__c"
BUSINESS_UNIT_MID = "et4ae5__Business_Unit_ID__c"
BUSINESS_UNIT_ENABLED = "et4ae5__Enabled__c"
BUSINESS_UNIT_IS_PARENT = "et4ae5__IsParentAccountMID__c"
CONNECTOR_BUSINESS_UNITS = (f"SELECT Id, Name, {BUSINESS_UNIT_MID}, {BUSINESS_UNIT_ENABLED}, {BUSINESS_UNIT_IS_PARENT} "
                            f"FROM {BUSINESS_UNIT_OBJECT}")

SEND_DEFINITION_OBJECT = "et4ae5__SendDefinition__c"  # "Email Send": a send started from Salesforce
SEND_STATUS = "et4ae5__SendStatus__c"
SEND_SCHEDULED_AT = "et4ae5__Scheduled_Date_Time__c"
SEND_DEFINITIONS = f"SELECT Id, Name, {SEND_STATUS}, {SEND_SCHEDULED_AT} FROM {SEND_DEFINITION_OBJECT}"

AUTOMATED_SEND_OBJECT = "et4ae5__Automated_Send__c"  # "Triggered Send": fired by an Apex trigger
AUTOMATED_SEND_ACTIVE = "et4ae5__Active__c"
AUTOMATED_SEND_OBJECT_NAME = "et4ae5__Object__c"  # the object the send is based on
AUTOMATED_SEND_ACTION = "et4ae5__Action__c"
AUTOMATED_SEND_UNIT = "et4ae5__Business_Unit__c"
AUTOMATED_SEND_DEFINITION = "et4ae5__etTriggeredSendDefId__c"
AUTOMATED_SEND_EMAIL = "et4ae5__EmailName__c"
AUTOMATED_SEND_DELAY = "et4ae5__Hours_Delayed__c"
# one read serves both the scheduled sends and the automated-send records
AUTOMATED_SENDS = (f"SELECT Id, Name, {AUTOMATED_SEND_OBJECT_NAME}, {AUTOMATED_SEND_ACTION}, {AUTOMATED_SEND_ACTIVE}, "
                   f"{AUTOMATED_SEND_UNIT}, {AUTOMATED_SEND_DEFINITION}, {AUTOMATED_SEND_EMAIL}, "
                   f"{AUTOMATED_SEND_DELAY} FROM {AUTOMATED_SEND_OBJECT}")

# -- how records reach Marketing Cloud (mcc-api-reference.md section 3) -----------------------------
# Every trigger, with its body: the body is read only to tell whether it calls the package's
# trigger utility and is dropped at once, never stored or logged. Not filtered by object in SOQL:
# TableEnumOrId holds a custom object's Id rather than its name, so the collector filters after.
APEX_TRIGGERS = ("SELECT Id, Name, TableEnumOrId, Status, NamespacePrefix, UsageAfterInsert, UsageAfterUpdate, Body "
                 "FROM ApexTrigger")
# the flows Journey Builder generates for a Salesforce Data entry source are named JBSystem...
JOURNEY_FLOWS = ("SELECT ApiName, Label, IsActive, ProcessType, ActiveVersionId FROM FlowDefinitionView "
                 "WHERE ApiName LIKE 'JBSystem%'")
# REST: the org's limits, {"DailyApiRequests": {"Max": ..., "Remaining": ...}, ...} (needs View Setup
# and Configuration)
LIMITS_RESOURCE = "limits"

# Tooling API: the installed MCC package's version
INSTALLED_PACKAGES = ("SELECT SubscriberPackage.NamespacePrefix, SubscriberPackageVersion.MajorVersion, "
                      "SubscriberPackageVersion.MinorVersion FROM InstalledSubscriberPackage")
