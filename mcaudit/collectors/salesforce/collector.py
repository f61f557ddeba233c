"""The Salesforce collector: log in, run a fixed set of queries (several at once), fill snapshot.salesforce."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from simple_salesforce.api import Salesforce as SalesforceClient
from simple_salesforce.exceptions import SalesforceError

from mcaudit.collectors.base import CollectorOutput, Progress, SectionLog
from mcaudit.collectors.credentials import SalesforceCredentials
from mcaudit.collectors.http import GuardedSession, safe_url
from mcaudit.collectors.parallel import Reads
from mcaudit.collectors.problems import ApiError, describe, error_code
from mcaudit.collectors.salesforce import auth, records
from mcaudit.collectors.salesforce import queries as q
from mcaudit.collectors.salesforce.metadata import MetadataRefused, OAuthPolicy, read_policies
from mcaudit.collectors.salesforce.soql import Record, query_all, tooling_query
from mcaudit.snapshot.org import OauthGrants
from mcaudit.snapshot.salesforce import (
    ConnectedApp,
    MccConnector,
    PermissionSet,
    PermissionSetAssignment,
    Salesforce,
    SalesforceUser,
    SystemUserCandidate,
    SystemUserSource,
    UserRef,
)
from mcaudit.snapshot.sending import ScheduledSend, ScheduledSendStatus

log = logging.getLogger("mcaudit.collect.salesforce")
NAME = "salesforce"
SECTIONS = ["salesforce", "salesforce.connected_apps", "salesforce.permission_sets",
            "salesforce.permission_set_groups", "salesforce.permission_set_assignments", "salesforce.users",
            "salesforce.mcc_connector", "salesforce.scheduled_sends", "salesforce.organization",
            "salesforce.api_limits", "salesforce.oauth_grants", "salesforce.automated_sends",
            "salesforce.apex_triggers", "salesforce.journey_flows"]
PACKAGE_MISSING = {"INVALID_TYPE"}  # the package's objects do not exist: it is not installed
# how an org refuses a read: the object does not exist for this user, or access is denied
REFUSED = {"INVALID_TYPE", "INSUFFICIENT_ACCESS"}
VIEW_SETUP = "View Setup and Configuration"  # REST /limits is for users with it (dome-limits, API 29.0 page)
CUSTOMIZE_APPLICATION = "Customize Application"  # needed to see every user's OauthToken rows


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
            except Exception as error:  # a session that cannot read its own org is no session
                return self._failed(error, sections)
        return CollectorOutput(section.model_copy(update={
            "org_id": records.text(rows[0].get("Id")) if rows else None,
            "organization": sections.read("salesforce.organization", lambda: records.organization(rows)),
        }), sections.run(self.session.total_calls))

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
        frozen = reads.start(lambda: {row["UserId"] for row in query_all(sf, q.FROZEN_LOGINS, progress, "UserLogin")
                                      if records.text(row.get("UserId"))})
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

        users = sections.read("salesforce.users", lambda: records.users(
            user_rows.result(), self._frozen(frozen, sections)))
        read_sets = sections.read("salesforce.permission_sets", permission_sets.result)
        read_assignments = sections.read("salesforce.permission_set_assignments", assignments.result)
        return Salesforce(
            instance_url=safe_url(login.instance_url),
            connected_apps=sections.read("salesforce.connected_apps", apps.result),
            permission_sets=read_sets,
            permission_set_groups=sections.read("salesforce.permission_set_groups", lambda: (
                records.permission_set_groups(group_rows.result(), member_rows.result()))),
            permission_set_assignments=read_assignments,
            users=users,
            mcc_connector=sections.read("salesforce.mcc_connector", lambda: self._connector(
                config.result(), units.result(), version.result(), users,
                self._system_user_holders(read_sets, read_assignments), self._tokens(tokens))),
            scheduled_sends=sections.read("salesforce.scheduled_sends", lambda: self._scheduled_sends(
                definitions.result(), automated.result())),
            api_limits=sections.read("salesforce.api_limits", lambda: records.api_limits(limits.result())),
            oauth_grants=sections.read("salesforce.oauth_grants", lambda: self._grants(tokens)),
            automated_sends=sections.read("salesforce.automated_sends", lambda: records.automated_sends(
                automated.result())),
            apex_triggers=sections.read("salesforce.apex_triggers", lambda: records.apex_triggers(
                triggers.result(), self._automation_objects(config, automated))),
            journey_flows=sections.read("salesforce.journey_flows", lambda: records.journey_flows(flows.result())),
        )

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

    def _frozen(self, frozen: Future[set[str]], sections: SectionLog) -> set[str] | None:
        try:
            return frozen.result()
        except Exception as error:
            sections.fail("salesforce.users", f"UserLogin (frozen state) not collected: "
                          f"{describe(error, self.session.redactor)}")
            return None

    def _tokens(self, tokens: Future[list[Record]]) -> list[Record] | None:
        try:
            return tokens.result()
        except Exception as error:  # evidence only: its absence leaves the System User to a person
            log.info("salesforce: OAuth tokens of the %s app not read (needs Customize Application): %s",
                     q.MCC_APP_NAME, describe(error, self.session.redactor))
            return None

    def _connected_apps(self, sf: SalesforceClient, login: auth.SalesforceSession, progress: Progress,
                        sections: SectionLog, grants: Future[list[Record]]) -> list[ConnectedApp]:
        apps = query_all(sf, q.CONNECTED_APPS, progress, "ConnectedApplication")
        result = records.connected_apps(apps, sections.read("salesforce.connected_apps", grants.result))
        mcc = {app.id: app.name for app in result
               if app.id and app.name.strip().casefold() == q.MCC_APP_NAME.casefold()}
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
        return [_with_policy(app, policies[app.id]) if app.id in policies else app for app in result]

    def _package_version(self, sf: SalesforceClient, progress: Progress) -> str | None:
        progress.step(NAME, "InstalledSubscriberPackage")
        try:
            return records.package_version(tooling_query(sf, q.INSTALLED_PACKAGES))
        except Exception as error:  # the version is a nicety; its absence is not a failed section
            log.info("salesforce: package version not read: %s", describe(error, self.session.redactor))
            return None
        finally:
            progress.done(NAME, "InstalledSubscriberPackage", None)

    def _connector(self, config: list[Record], units: list[Record], version: str | None,
                   users: list[SalesforceUser] | None, holders: set[str] | None,
                   tokens: list[Record] | None) -> MccConnector:
        candidates = records.system_user_candidates(tokens, holders, users)
        system_user, source = self._identify_system_user(users, candidates)
        return MccConnector(package_version=version, system_user=system_user, system_user_source=source,
                            system_user_candidates=candidates,
                            business_units=records.connector_business_units(units),
                            **records.connector_settings(config))

    def _identify_system_user(self, users: list[SalesforceUser] | None,
                              candidates: list[SystemUserCandidate] | None,
                              ) -> tuple[UserRef | None, SystemUserSource | None]:
        """The System User as a person named it; else the one user the evidence points to, marked
        inferred; else nobody (a rule then asks a person to look it up in Marketing Cloud)."""
        if self.system_user:
            given = self.system_user.strip()
            found = next((user for user in users or [] if user.username.casefold() == given.casefold()), None)
            return UserRef(id=found.id if found else None, username=found.username if found else given), \
                SystemUserSource.option
        inferred = records.inferred_system_user(candidates)
        if inferred is None:
            return None, None
        return UserRef(id=inferred.user_id, username=inferred.username), SystemUserSource.inferred

    @staticmethod
    def _system_user_holders(permission_sets: list[PermissionSet] | None,
                             assignments: list[PermissionSetAssignment] | None) -> set[str] | None:
        """Users assigned the package's System User permission set (current assignments or not: evidence)."""
        if permission_sets is None or assignments is None:
            return None
        wanted = {ps.id for ps in permission_sets
                  if ps.name == q.SYSTEM_USER_PERMISSION_SET and (ps.namespace_prefix or "") == q.MCC_NAMESPACE}
        return {a.assignee_id for a in assignments if a.permission_set_id in wanted}

    def _scheduled_sends(self, definitions: list[Record], automated: list[Record]) -> list[ScheduledSend]:
        sends = records.scheduled_sends(definitions, automated)
        for send in sends:
            if send.status_value is not None and send.status is ScheduledSendStatus.unknown:
                log.warning("salesforce: %s %s has a send status this mcaudit does not know (%r): kept as it is; "
                            "rules treat it as unknown", q.SEND_DEFINITION_OBJECT, send.id, send.status_value)
        return sends

    def _grants(self, tokens: Future[list[Record]]) -> list[OauthGrants]:
        """OAuth grants per user from the app's tokens (the same rows as the System User evidence).
        Without Customize Application the org shows only the auditor's own tokens, and answers
        without error, so a result with no token at all is not taken as "none exist"."""
        try:
            rows = tokens.result()
        except Exception as error:
            raise ApiError(f"OauthToken not readable ({describe(error, self.session.redactor)}): needs the "
                           f"{CUSTOMIZE_APPLICATION} permission to see every user's tokens") from None
        if not rows:
            raise ApiError(f"OauthToken shows no token of the {q.MCC_APP_NAME} app: without the "
                           f"{CUSTOMIZE_APPLICATION} permission the org shows a user only their own tokens, so "
                           "none visible does not mean none exist")
        return records.oauth_grants(rows, q.MCC_APP_NAME)

    def _automation_objects(self, config: Future[list[Record]], automated: Future[list[Record]]) -> set[str]:
        """The objects MCC automation uses: enabled in the configuration, or named by an automated send.
        Either read may have failed; with neither, which triggers matter is unknown."""
        objects: set[str] = set()
        known = False
        for read, names in ((config, lambda rows: records.connector_settings(rows).get("automation_objects")),
                            (automated, lambda rows: [records.text(row.get(q.AUTOMATED_SEND_OBJECT_NAME))
                                                      for row in rows])):
            try:
                found = names(read.result())
            except Exception:  # recorded by the section that owns that read
                continue
            known = True
            objects.update(name for name in found or [] if name)
        if not known:
            raise ApiError("the objects MCC automation uses are unknown (neither the package's configuration nor "
                           "its automated sends could be read), so which triggers matter is unknown")
        return objects

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


def _with_policy(app: ConnectedApp, policy: OAuthPolicy) -> ConnectedApp:
    """The Metadata API's reading of the policies where it gives one (it wins over SOQL's)."""
    update = {name: value for name, value in (("ip_relaxation", policy.ip_relaxation),
                                              ("refresh_token_policy", policy.refresh_token_policy))
              if value is not None}
    return app.model_copy(update=update)


class MissingPackage(ApiError):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} does not exist in this org: is the Marketing Cloud Connect package installed, "
                         "and may this user see its objects?")

