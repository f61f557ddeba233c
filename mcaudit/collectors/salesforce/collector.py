"""The Salesforce collector: log in, run a fixed set of queries, fill snapshot.salesforce."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from simple_salesforce.api import Salesforce as SalesforceClient

from mcaudit.collectors.base import CollectorOutput, Progress, SectionLog
from mcaudit.collectors.credentials import SalesforceCredentials
from mcaudit.collectors.http import GuardedSession
from mcaudit.collectors.problems import ApiError, describe, error_code
from mcaudit.collectors.salesforce import auth, records
from mcaudit.collectors.salesforce import queries as q
from mcaudit.collectors.salesforce.metadata import MetadataRefused, read_policies
from mcaudit.collectors.salesforce.soql import Record, query_all, tooling_query
from mcaudit.snapshot.salesforce import (
    ConnectedApp,
    MccConnector,
    PermissionSetGroup,
    Salesforce,
    SalesforceUser,
    UserRef,
)
from mcaudit.snapshot.sending import ScheduledSend

log = logging.getLogger("mcaudit.collect.salesforce")
NAME = "salesforce"
SECTIONS = ["salesforce", "salesforce.connected_apps", "salesforce.permission_sets",
            "salesforce.permission_set_groups", "salesforce.permission_set_assignments", "salesforce.users",
            "salesforce.mcc_connector", "salesforce.scheduled_sends"]
MCC_APP_NAME = "salesforce marketing cloud"
PACKAGE_MISSING = {"INVALID_TYPE", "INVALID_FIELD"}


@dataclass
class SalesforceCollector:
    credentials: SalesforceCredentials
    session: GuardedSession
    api_version: str = auth.API_VERSION
    name: str = NAME

    def collect(self, progress: Progress) -> CollectorOutput:
        sections = SectionLog(NAME, SECTIONS, self.session.redactor)
        try:
            progress.step(NAME, "login")
            login = auth.log_in(self.credentials, self.session, self.api_version)
            sf = auth.client(login, self.session, self.api_version)
            org = query_all(sf, q.ORGANIZATION, progress, "Organization")
        except Exception as error:  # no session or no org: nothing else can be read
            fatal = describe(error, self.session.redactor)
            log.warning("salesforce: collection failed: %s", fatal)
            return CollectorOutput(None, sections.run(self.session.total_calls, fatal=fatal))
        users = sections.read("salesforce.users", lambda: self._users(sf, progress, sections))
        section = Salesforce(
            org_id=records.text(org[0].get("Id")) if org else None,
            instance_url=login.instance_url,
            connected_apps=sections.read("salesforce.connected_apps",
                                         lambda: self._connected_apps(sf, login, progress, sections)),
            permission_sets=sections.read("salesforce.permission_sets", lambda: records.permission_sets(
                query_all(sf, q.PERMISSION_SETS, progress, "PermissionSet"))),
            permission_set_groups=sections.read("salesforce.permission_set_groups",
                                                lambda: self._groups(sf, progress)),
            permission_set_assignments=sections.read("salesforce.permission_set_assignments",
                                                     lambda: records.assignments(query_all(
                                                         sf, q.ASSIGNMENTS, progress, "PermissionSetAssignment"))),
            users=users,
            mcc_connector=sections.read("salesforce.mcc_connector",
                                        lambda: self._connector(sf, progress, users)),
            scheduled_sends=sections.read("salesforce.scheduled_sends", lambda: self._scheduled_sends(sf, progress)),
        )
        return CollectorOutput(section, sections.run(self.session.total_calls))

    def _groups(self, sf: SalesforceClient, progress: Progress) -> list[PermissionSetGroup]:
        return records.permission_set_groups(
            query_all(sf, q.PERMISSION_SET_GROUPS, progress, "PermissionSetGroup"),
            query_all(sf, q.PERMISSION_SET_GROUP_MEMBERS, progress, "PermissionSetGroupComponent"))

    def _users(self, sf: SalesforceClient, progress: Progress, sections: SectionLog) -> list[SalesforceUser]:
        try:
            rows = query_all(sf, q.users(with_package_fields=True), progress, "User")
        except Exception as error:
            if error_code(error) != "INVALID_FIELD":
                raise
            # no MCC package (or its fields are hidden): the permission flags stay not collected
            sections.fail("salesforce.users", "the MCC package's user fields (Marketing Cloud for AppExchange "
                          "User/Admin) are not available; is Marketing Cloud Connect installed?")
            rows = query_all(sf, q.users(with_package_fields=False), progress, "User")
        try:
            frozen: set[str] | None = {row["UserId"] for row in query_all(sf, q.FROZEN_LOGINS, progress, "UserLogin")
                                       if records.text(row.get("UserId"))}
        except Exception as error:
            sections.fail("salesforce.users", f"UserLogin (frozen state) not collected: "
                          f"{describe(error, self.session.redactor)}")
            frozen = None
        return records.users(rows, frozen)

    def _connected_apps(self, sf: SalesforceClient, login: auth.SalesforceSession, progress: Progress,
                        sections: SectionLog) -> list[ConnectedApp]:
        apps = query_all(sf, q.CONNECTED_APPS, progress, "ConnectedApplication")
        grants = sections.read("salesforce.connected_apps",
                               lambda: query_all(sf, q.APP_ACCESS, progress, "SetupEntityAccess"))
        result = records.connected_apps(apps, grants)
        mcc = {app.id: app.name for app in result if app.id and app.name.strip().casefold() == MCC_APP_NAME}
        if not mcc:
            return result
        progress.step(NAME, "ConnectedApp metadata")
        try:
            policies = read_policies(login, self.session, self.api_version, mcc)
        except MetadataRefused as refusal:
            log.info("salesforce: the Metadata API read of the connected app was refused (%s); "
                     "IP relaxation and refresh token policy stay not collected",
                     self.session.redactor.redact(str(refusal)))
            return result
        except Exception as error:
            reason = describe(error, self.session.redactor)
            sections.fail("salesforce.connected_apps", f"Metadata API read failed: {reason}")
            return result
        return [app.model_copy(update={"ip_relaxation": policies[app.id].ip_relaxation,
                                       "refresh_token_policy": policies[app.id].refresh_token_policy})
                if app.id in policies else app for app in result]

    def _connector(self, sf: SalesforceClient, progress: Progress,
                   users: list[SalesforceUser] | None) -> MccConnector:
        config = self._package_query(sf, q.CONNECTOR_CONFIG, progress, q.CONFIG_OBJECT)
        units = self._package_query(sf, q.CONNECTOR_BUSINESS_UNITS, progress, q.BUSINESS_UNIT_OBJECT)
        try:
            version = records.package_version(tooling_query(sf, q.INSTALLED_PACKAGES))
        except Exception as error:  # the version is a nicety; its absence is not a failed section
            log.info("salesforce: package version not read: %s", describe(error, self.session.redactor))
            version = None
        first: Record = config[0] if config else {}
        return MccConnector(
            package_version=version,
            system_user=_system_user(records.text(first.get(q.CONFIG_SYSTEM_USER)), users),
            scope_by_user=records.flag(first.get(q.CONFIG_SCOPE_BY_USER)),
            business_units=records.connector_business_units(units),
        )

    def _scheduled_sends(self, sf: SalesforceClient, progress: Progress) -> list[ScheduledSend]:
        definitions = self._package_query(sf, q.SEND_DEFINITIONS, progress, q.SEND_DEFINITION_OBJECT)
        automated = self._package_query(sf, q.AUTOMATED_SENDS, progress, q.AUTOMATED_SEND_OBJECT)
        return records.scheduled_sends(definitions, automated)

    def _package_query(self, sf: SalesforceClient, soql: str, progress: Progress, what: str) -> list[Record]:
        try:
            return query_all(sf, soql, progress, what)
        except Exception as error:
            if error_code(error) in PACKAGE_MISSING:
                raise MissingPackage(what) from None
            raise


def _system_user(value: str | None, users: list[SalesforceUser] | None) -> UserRef | None:
    """The configured System User, joined to the users read, by Id (or by username, should the
    package store one: the field is an assumption)."""
    if value is None:
        return None
    if "@" not in value:  # Salesforce usernames have the form of an email address; Ids never do
        found = next((user for user in users or [] if value in (user.id, user.id[:15])), None)
        return UserRef(id=found.id if found else value, username=found.username if found else None)
    found = next((user for user in users or [] if user.username.casefold() == value.casefold()), None)
    return UserRef(id=found.id if found else None, username=value)


class MissingPackage(ApiError):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} is not available (is the Marketing Cloud Connect package installed, "
                         "and may this user read its objects?)")
