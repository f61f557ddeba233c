"""The Salesforce collector: log in, run a fixed set of queries (several at once), fill snapshot.salesforce."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from simple_salesforce.api import Salesforce as SalesforceClient
from simple_salesforce.exceptions import SalesforceError, SalesforceExpiredSession

from mcaudit.collectors.base import CollectorOutput, Progress, SectionLog
from mcaudit.collectors.credentials import SalesforceCredentials
from mcaudit.collectors.http import GuardedSession, safe_url
from mcaudit.collectors.parallel import Reads
from mcaudit.collectors.problems import ApiError, describe, error_code
from mcaudit.collectors.salesforce import assemble, auth, records
from mcaudit.collectors.salesforce import queries as q
from mcaudit.collectors.salesforce.metadata import MetadataRefused, read_policies
from mcaudit.collectors.salesforce.soql import Record, query_all, tooling_query
from mcaudit.snapshot.salesforce import (
    ConnectedApp,
    Salesforce,
)

log = logging.getLogger("mcaudit.collect.salesforce")
NAME = assemble.NAME
SECTIONS = assemble.SECTIONS
PACKAGE_MISSING = {"INVALID_TYPE"}  # the package's objects do not exist: it is not installed
# how an org refuses a read: the object does not exist for this user, or access is denied
REFUSED = {"INVALID_TYPE", "INSUFFICIENT_ACCESS"}
VIEW_SETUP = "View Setup and Configuration"  # REST /limits is for users with it (dome-limits, API 29.0 page)
CUSTOMIZE_APPLICATION = assemble.CUSTOMIZE_APPLICATION


@dataclass
class SalesforceCollector:
    credentials: SalesforceCredentials
    session: GuardedSession
    api_version: str = auth.API_VERSION
    system_user: str | None = None  # a username a person gave (--sf-system-user); no API holds it
    name: str = NAME

    def collect(self, progress: Progress) -> CollectorOutput:
        sections = SectionLog(NAME, SECTIONS, self.session.redactor)
        try:
            progress.step(NAME, "login")
            login = auth.log_in(self.credentials, self.session, self.api_version)
            progress.done(NAME, "login", None)
            sf = auth.client(login, self.session, self.api_version)
        except Exception as error:  # no session: nothing can be read
            return self._failed(error, sections)
        with Reads(NAME) as reads:
            org = reads.start(lambda: query_all(sf, q.ORGANIZATION, progress, "Organization"))
            section = self._read_all(sf, login, progress, sections, reads)
            try:
                rows = org.result()
            except Exception as error:
                others = set(sections.sections) - {"salesforce", "salesforce.organization"}
                if isinstance(error, SalesforceExpiredSession) or others <= set(sections.failed):
                    # the session died, or nothing else could be read with it either: no session at all
                    return self._failed(error, sections)
                # the rest was read: only the org's own facts are missing
                sections.fail("salesforce.organization", f"Organization not readable: {self._explain(error)}")
                return CollectorOutput(section, sections.run(self.session.total_calls))
        return CollectorOutput(section.model_copy(update=assemble.organization_fields(rows, sections)),
                               sections.run(self.session.total_calls))

    def _failed(self, error: Exception, sections: SectionLog) -> CollectorOutput:
        fatal = describe(error, self.session.redactor)
        log.warning("salesforce: collection failed: %s", fatal)
        return CollectorOutput(None, sections.run(self.session.total_calls, fatal=fatal))

    def _read_all(self, sf: SalesforceClient, login: auth.SalesforceSession, progress: Progress,
                  sections: SectionLog, reads: Reads) -> Salesforce:
        """Start every independent read, then assemble: the connector's System User evidence joins
        users, permission sets and assignments, so it is built last, from what was read."""
        # started before the read that waits for it, so it is always running or done by then
        grants = reads.start(lambda: query_all(sf, q.APP_ACCESS, progress, "SetupEntityAccess"))
        apps = reads.start(lambda: self._connected_apps(sf, login, progress, sections, grants))
        permission_sets = reads.start(lambda: records.permission_sets(
            query_all(sf, q.PERMISSION_SETS, progress, "PermissionSet")))
        group_rows = reads.start(lambda: query_all(sf, q.PERMISSION_SET_GROUPS, progress, "PermissionSetGroup"))
        member_rows = reads.start(lambda: query_all(sf, q.PERMISSION_SET_GROUP_MEMBERS, progress,
                                                    "PermissionSetGroupComponent"))
        assignments = reads.start(lambda: records.assignments(
            query_all(sf, q.ASSIGNMENTS, progress, "PermissionSetAssignment")))
        user_rows = reads.start(lambda: self._user_rows(sf, progress, sections))
        frozen = reads.start(lambda: records.frozen_user_ids(query_all(sf, q.FROZEN_LOGINS, progress, "UserLogin")))
        tokens = reads.start(lambda: query_all(sf, q.MCC_APP_TOKENS, progress, "OauthToken"))
        config = reads.start(lambda: self._package_query(sf, q.CONNECTOR_CONFIG, progress, q.CONFIG_OBJECT))
        units = reads.start(lambda: self._package_query(sf, q.CONNECTOR_BUSINESS_UNITS, progress,
                                                        q.BUSINESS_UNIT_OBJECT))
        version = reads.start(lambda: self._package_version(sf, progress))
        definitions = reads.start(lambda: self._package_query(sf, q.SEND_DEFINITIONS, progress,
                                                              q.SEND_DEFINITION_OBJECT))
        automated = reads.start(lambda: self._package_query(sf, q.AUTOMATED_SENDS, progress,
                                                            q.AUTOMATED_SEND_OBJECT))
        # no read depends on another: triggers are filtered to the MCC objects once those are known
        triggers = reads.start(lambda: self._setup_query(sf, q.APEX_TRIGGERS, progress, "ApexTrigger",
                                                         needs=VIEW_SETUP))
        flows = reads.start(lambda: self._setup_query(sf, q.JOURNEY_FLOWS, progress, "FlowDefinitionView"))
        limits = reads.start(lambda: self._limits(sf, progress))

        return assemble.assemble(assemble.Reads(
            connected_apps=apps.result, permission_sets=permission_sets.result, group_rows=group_rows.result,
            member_rows=member_rows.result, assignments=assignments.result, user_rows=user_rows.result,
            frozen=frozen.result, tokens=tokens.result, config=config.result, units=units.result,
            version=version.result, definitions=definitions.result, automated=automated.result,
            triggers=triggers.result, flows=flows.result, limits=limits.result,
        ), sections, self._explain, instance_url=safe_url(login.instance_url), system_user=self.system_user)

    def _explain(self, error: BaseException) -> str:
        return describe(error, self.session.redactor)

    def _user_rows(self, sf: SalesforceClient, progress: Progress, sections: SectionLog) -> list[Record]:
        try:
            return query_all(sf, q.users(with_package_fields=True), progress, "User")
        except Exception as error:
            if error_code(error) != "INVALID_FIELD":
                raise
            # the package's user fields are missing (not installed, or hidden from this user by
            # field-level security): its permission flags stay not collected, the users still count
            sections.fail("salesforce.users", "the MCC package's user fields (Marketing Cloud for AppExchange "
                          "User/Admin) are not available: is Marketing Cloud Connect installed, and may this "
                          "user read those fields?")
            return query_all(sf, q.users(with_package_fields=False), progress, "User")

    def _connected_apps(self, sf: SalesforceClient, login: auth.SalesforceSession, progress: Progress,
                        sections: SectionLog, grants: Future[list[Record]]) -> list[ConnectedApp]:
        apps = query_all(sf, q.CONNECTED_APPS, progress, "ConnectedApplication")
        result = records.connected_apps(apps, sections.read("salesforce.connected_apps", grants.result))
        mcc = assemble.mcc_apps(result)
        if not mcc:
            return result
        progress.step(NAME, "ConnectedApp metadata")
        try:
            policies = read_policies(login, self.session, self.api_version, mcc)
        except MetadataRefused as refusal:
            log.info("salesforce: the Metadata API refused to read the connected app (%s); its IP relaxation "
                     "stays not collected", self.session.redactor.redact(str(refusal)))
            return result
        except Exception as error:
            sections.fail("salesforce.connected_apps",
                          f"Metadata API read failed (not a refusal): {describe(error, self.session.redactor)}")
            return result
        finally:
            progress.done(NAME, "ConnectedApp metadata", None)
        return [assemble.with_policy(app, policies[app.id]) if app.id in policies else app for app in result]

    def _package_version(self, sf: SalesforceClient, progress: Progress) -> str | None:
        progress.step(NAME, "InstalledSubscriberPackage")
        try:
            return records.package_version(tooling_query(sf, q.INSTALLED_PACKAGES))
        except Exception as error:  # the version is a nicety; its absence is not a failed section
            log.info("salesforce: package version not read: %s", describe(error, self.session.redactor))
            return None
        finally:
            progress.done(NAME, "InstalledSubscriberPackage", None)

    def _setup_query(self, sf: SalesforceClient, soql: str, progress: Progress, what: str,
                     needs: str | None = None) -> list[Record]:
        """A query of setup metadata; a refusal names the permission where Salesforce documents one
        (Apex triggers: View Setup and Configuration, SF-HELP-APEX-VIEW in the API catalog)."""
        try:
            return query_all(sf, soql, progress, what)
        except Exception as error:
            if error_code(error) in REFUSED:
                said = describe(error, self.session.redactor)
                if needs:
                    raise ApiError(f"{what} is not visible to this user ({said}): needs the {needs} "
                                   "permission") from None
                raise ApiError(f"{what} is not visible to this user ({said}); Salesforce documents no "
                               "permission for reading it, so ask the org's admin which one this org "
                               "requires") from None
            raise

    def _limits(self, sf: SalesforceClient, progress: Progress) -> Any:
        progress.step(NAME, "limits")
        try:
            return sf.restful(q.LIMITS_RESOURCE)
        except SalesforceError as error:
            if error.status in (401, 403):
                raise ApiError(f"REST /limits refused ({describe(error, self.session.redactor)}): needs the "
                               f"{VIEW_SETUP} permission") from None
            raise
        finally:
            progress.done(NAME, "limits", None)

    def _package_query(self, sf: SalesforceClient, soql: str, progress: Progress, what: str) -> list[Record]:
        try:
            return query_all(sf, soql, progress, what)
        except Exception as error:
            if error_code(error) in PACKAGE_MISSING:
                raise MissingPackage(what) from None
            raise


class MissingPackage(ApiError):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} does not exist in this org: is the Marketing Cloud Connect package installed, "
                         "and may this user see its objects?")

