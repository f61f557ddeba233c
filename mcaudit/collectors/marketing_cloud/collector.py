"""The Marketing Cloud collector: one token, SOAP Retrieve for account objects, REST for journeys and
contact attribute sets, and the token's own granted scopes for the package mcaudit authenticates with."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from mcaudit.collectors.base import CollectorOutput, Progress, SectionLog
from mcaudit.collectors.credentials import MarketingCloudCredentials
from mcaudit.collectors.http import GuardedSession
from mcaudit.collectors.marketing_cloud import contacts as contact_api
from mcaudit.collectors.marketing_cloud import journeys as journey_api
from mcaudit.collectors.marketing_cloud import records
from mcaudit.collectors.marketing_cloud.rest import RestClient
from mcaudit.collectors.marketing_cloud.soap import SoapClient
from mcaudit.collectors.marketing_cloud.token import Token, TokenManager
from mcaudit.collectors.problems import ApiError, describe
from mcaudit.snapshot.contacts import AttributeSet
from mcaudit.snapshot.integrations import ApiIntegrationComponent, Endpoints, InstalledPackage, IntegrationType
from mcaudit.snapshot.marketing_cloud import BusinessUnit, MarketingCloud, MarketingCloudUser
from mcaudit.snapshot.sending import Journey, TriggeredSend

log = logging.getLogger("mcaudit.collect.marketing_cloud")
NAME = "marketing_cloud"
SECTIONS = ["marketing_cloud", "marketing_cloud.business_units", "marketing_cloud.users", "marketing_cloud.roles",
            "marketing_cloud.triggered_sends", "marketing_cloud.journeys", "marketing_cloud.attribute_sets",
            "marketing_cloud.installed_packages"]
USER_PROPERTIES = ["AccountUserID", "UserID", "Name", "Email", "ActiveFlag", "IsAPIUser", "IsLocked",
                   "MustChangePassword", "LastSuccessfulLogin", "DefaultBusinessUnit", "Roles", "CustomerKey"]
# every status but Deleted: a deleted definition is nothing to pause or restore
SEND_STATUSES = ["New", "Active", "Inactive", "Canceled", "Moved"]
WRITE_SCOPE_SUFFIXES = ("_write", "_send", "_publish", "_execute", "_activate", "_delete")
# what the package is called when --mc-package-name does not say; the README suggests this name
DEFAULT_PACKAGE_NAME = "mcaudit audit package"


@dataclass
class MarketingCloudCollector:
    credentials: MarketingCloudCredentials
    session: GuardedSession
    wsdl: str | None = None
    journey_detail_limit: int = 200
    page_size: int = journey_api.PAGE_SIZE
    package_name: str | None = None  # the installed package the client id belongs to (no API names it)
    name: str = NAME

    def collect(self, progress: Progress) -> CollectorOutput:
        sections = SectionLog(NAME, SECTIONS, self.session.redactor)
        tokens = TokenManager(self.credentials, self.session)
        try:
            progress.step(NAME, "token")
            token = tokens.current()
            soap = SoapClient(tokens, self.session, self.wsdl)
        except Exception as error:  # without a token nothing can be read
            fatal = describe(error, self.session.redactor)
            log.warning("marketing_cloud: collection failed: %s", fatal)
            return CollectorOutput(None, sections.run(self.session.total_calls, fatal=fatal))
        rest = RestClient(tokens, self.session)
        units = sections.read("marketing_cloud.business_units", lambda: self._business_units(soap, progress))
        section = MarketingCloud(
            subdomain=self.credentials.subdomain,
            endpoints=Endpoints(auth=self.credentials.auth_url, rest=token.rest_url, soap=token.soap_url),
            mid=_account_mid(units, self.credentials.account_id),
            mcc_api_user=self.credentials.api_user,
            business_units=units,
            users=sections.read("marketing_cloud.users", lambda: self._users(soap, progress, sections)),
            roles=sections.read("marketing_cloud.roles", lambda: records.roles(
                self._retrieve(soap, progress, "Role", ["Name", "CustomerKey", "IsSystemDefined"]))),
            triggered_sends=sections.read("marketing_cloud.triggered_sends",
                                          lambda: self._triggered_sends(soap, progress)),
            journeys=sections.read("marketing_cloud.journeys", lambda: self._journeys(rest, progress, sections)),
            attribute_sets=sections.read("marketing_cloud.attribute_sets",
                                         lambda: self._attribute_sets(rest, token.scope, progress)),
            installed_packages=[self._own_package(token)],
        )
        _note_scope(token)
        return CollectorOutput(section, sections.run(self.session.total_calls))

    def _retrieve(self, soap: SoapClient, progress: Progress, object_type: str, properties: list[str],
                  **options: Any) -> list[Any]:
        progress.step(NAME, object_type)
        results = soap.retrieve(object_type, properties,
                                on_page=lambda count: progress.records(NAME, object_type, count), **options)
        progress.records(NAME, object_type, len(results))
        return results

    def _business_units(self, soap: SoapClient, progress: Progress) -> list[BusinessUnit]:
        return records.business_units(self._retrieve(soap, progress, "BusinessUnit", ["ID", "Name", "ParentID"],
                                                     query_all_accounts=True))

    def _users(self, soap: SoapClient, progress: Progress, sections: SectionLog) -> list[MarketingCloudUser]:
        found = self._retrieve(soap, progress, "AccountUser", USER_PROPERTIES, query_all_accounts=True)
        # business-unit access is a second object; without it the users still count, their access not
        access = sections.read("marketing_cloud.users", lambda: records.user_access(self._retrieve(
            soap, progress, "AccountUserAccount", ["AccountUser.AccountUserID", "Account.ID"],
            query_all_accounts=True)))
        return records.users(found, access)

    def _triggered_sends(self, soap: SoapClient, progress: Progress) -> list[TriggeredSend]:
        # the status filter must use IN: the API does not filter this property reliably with equals
        status_filter = soap.simple_filter("TriggeredSendStatus", "IN", SEND_STATUSES)
        return records.triggered_sends(self._retrieve(
            soap, progress, "TriggeredSendDefinition", ["CustomerKey", "Name", "TriggeredSendStatus", "Client.ID"],
            filter=status_filter, query_all_accounts=True))

    def _journeys(self, rest: RestClient, progress: Progress, sections: SectionLog) -> list[Journey]:
        progress.step(NAME, "event definitions")
        sources = journey_api.event_definitions(rest, self.page_size)
        progress.records(NAME, "event definitions", len(sources))
        progress.step(NAME, "journeys")
        result = journey_api.journeys(rest, sources, detail_limit=self.journey_detail_limit,
                                      page_size=self.page_size,
                                      on_page=lambda count: progress.records(NAME, "journeys", count))
        progress.records(NAME, "journeys", len(result.journeys))
        if result.unresolved:
            sections.fail("marketing_cloud.journeys",
                          f"entry source not collected for {result.unresolved} running journey version(s): "
                          f"more than --journey-detail-limit {self.journey_detail_limit} detail calls needed")
        return result.journeys

    def _attribute_sets(self, rest: RestClient, granted: str | None, progress: Progress) -> list[AttributeSet]:
        progress.step(NAME, "attribute sets")
        try:
            found = contact_api.attribute_sets(rest, self.page_size)
        except ApiError as error:
            if granted is not None and contact_api.SCOPE not in granted.split():
                # the usual cause, and one the admin can fix in Installed Packages
                raise ApiError(f"{error} (the package lacks Contacts: Read, {contact_api.SCOPE})") from error
            raise
        progress.records(NAME, "attribute sets", len(found))
        return found

    def _own_package(self, token: Token) -> InstalledPackage:
        """The one installed package mcaudit can see: its own, with the scopes the token response grants.

        No API lists installed packages, so this is never the account's full list. A token from
        /v2/token with client credentials proves an enhanced (not legacy) package with a
        server-to-server API integration; its `scope` names what that integration may do.
        """
        scopes = sorted(set(token.scope.split())) if token.scope is not None else None
        return InstalledPackage(
            name=self.package_name or DEFAULT_PACKAGE_NAME, legacy=False,
            api_integrations=[ApiIntegrationComponent(client_id=self.credentials.client_id,
                                                      integration_type=IntegrationType.server_to_server,
                                                      scopes=scopes)])


def _account_mid(units: list[BusinessUnit] | None, account_id: int | None) -> int | None:
    top = [unit.mid for unit in units or [] if unit.is_top_level]
    return top[0] if len(top) == 1 else account_id


def _note_scope(token: Token) -> None:
    writes = [scope for scope in (token.scope or "").split() if scope.endswith(WRITE_SCOPE_SUFFIXES)]
    if writes:
        log.info("marketing_cloud: the integration also holds write scopes mcaudit never uses: %s "
                 "(a read-only package is enough)", " ".join(sorted(writes)))
