"""The Marketing Cloud collector: one token, SOAP Retrieve for account objects, REST for journeys and
contact attribute sets, and the token's own granted scopes for the package mcaudit authenticates with."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

from mcaudit.collectors.base import CollectorOutput, Progress, SectionLog
from mcaudit.collectors.credentials import MarketingCloudCredentials
from mcaudit.collectors.http import GuardedSession, safe_url
from mcaudit.collectors.marketing_cloud import contacts as contact_api
from mcaudit.collectors.marketing_cloud import journeys as journey_api
from mcaudit.collectors.marketing_cloud import records
from mcaudit.collectors.marketing_cloud.rest import RestClient
from mcaudit.collectors.marketing_cloud.soap import SoapClient
from mcaudit.collectors.marketing_cloud.token import Token, TokenManager
from mcaudit.collectors.parallel import Reads
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
ACCESS_CHUNK = 100  # AccountUserIDs per AccountUserAccount Retrieve
# every status but Deleted: a deleted definition is nothing to pause or restore
SEND_STATUSES = ["New", "Active", "Inactive", "Canceled", "Moved"]
WRITE_SCOPE_SUFFIXES = ("_write", "_send", "_publish", "_execute", "_activate", "_delete")
# what the package is called when --mc-package-name does not say; the collecting guide suggests this name
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
            token = tokens.current()  # the one token every read below shares
            progress.done(NAME, "token", None)
            soap = SoapClient(tokens, self.session, self.wsdl)
        except Exception as error:  # without a token nothing can be read
            fatal = describe(error, self.session.redactor)
            log.warning("marketing_cloud: collection failed: %s", fatal)
            return CollectorOutput(None, sections.run(self.session.total_calls, fatal=fatal))
        rest = RestClient(tokens, self.session)
        with Reads(NAME) as reads:
            section = self._read_all(soap, rest, token, progress, sections, reads)
        _note_scope(token)
        return CollectorOutput(section, sections.run(self.session.total_calls))

    def _read_all(self, soap: SoapClient, rest: RestClient, token: Token, progress: Progress,
                  sections: SectionLog, reads: Reads) -> MarketingCloud:
        """Start every independent read, then assemble. Business-unit access needs the users'
        AccountUserIDs, and journeys need the event definitions, so those are started once their
        inputs are in, from this thread (a read never waits on another read's worker)."""
        units = reads.start(lambda: records.business_units(self._retrieve(
            soap, progress, "BusinessUnit", ["ID", "Name", "ParentID", "IsActive"], query_all_accounts=True)))
        found_users = reads.start(lambda: self._retrieve(soap, progress, "AccountUser", USER_PROPERTIES,
                                                         query_all_accounts=True))
        roles = reads.start(lambda: records.roles(
            self._retrieve(soap, progress, "Role", ["Name", "CustomerKey", "IsSystemDefined"])))
        sends = reads.start(lambda: self._triggered_sends(soap, progress))
        sources = reads.start(lambda: self._event_definitions(rest, progress))
        items = reads.start(lambda: self._journey_items(rest, progress))
        attribute_sets = reads.start(lambda: self._attribute_sets(rest, token.scope, progress))

        users = sections.read("marketing_cloud.users", lambda: self._users(soap, found_users.result(), progress,
                                                                            sections, reads))
        read_units = sections.read("marketing_cloud.business_units", units.result)
        return MarketingCloud(
            subdomain=self.credentials.subdomain,
            endpoints=Endpoints(auth=safe_url(self.credentials.auth_url), rest=token.rest_url, soap=token.soap_url),
            mid=_account_mid(read_units, self.credentials.account_id),
            mcc_api_user=self.credentials.api_user,
            business_units=read_units,
            users=users,
            roles=sections.read("marketing_cloud.roles", roles.result),
            triggered_sends=sections.read("marketing_cloud.triggered_sends", sends.result),
            journeys=sections.read("marketing_cloud.journeys", lambda: self._journeys(
                rest, items.result(), sources.result(), sections, reads)),
            attribute_sets=sections.read("marketing_cloud.attribute_sets", attribute_sets.result),
            installed_packages=[self._own_package(token)],
        )

    def _retrieve(self, soap: SoapClient, progress: Progress, object_type: str, properties: list[str],
                  what: str | None = None, **options: Any) -> list[Any]:
        label = what or object_type
        progress.step(NAME, label)
        count: int | None = None
        try:
            results = soap.retrieve(object_type, properties,
                                    on_page=lambda number: progress.records(NAME, label, number), **options)
            count = len(results)
            return results
        finally:
            progress.done(NAME, label, count)

    def _users(self, soap: SoapClient, found: list[Any], progress: Progress, sections: SectionLog,
               reads: Reads) -> list[MarketingCloudUser]:
        # business-unit access is a second object, asked for by AccountUserID in chunks (as Marketing
        # Cloud's own tooling does) rather than for the whole account; without it the users still count
        ids = sorted({user_id for result in found if (user_id := records.number(records.value(result, "AccountUserID")))
                      is not None})
        chunks = [ids[start:start + ACCESS_CHUNK] for start in range(0, len(ids), ACCESS_CHUNK)]
        started = [reads.start(partial(
            self._retrieve, soap, progress, "AccountUserAccount", ["AccountUser.AccountUserID", "Account.ID"],
            f"AccountUserAccount {number}/{len(chunks)}", filter=self._user_filter(soap, chunk),
            query_all_accounts=True)) for number, chunk in enumerate(chunks, start=1)]
        access = sections.read("marketing_cloud.users", lambda: records.user_access(
            [row for future in started for row in future.result()]))
        return records.users(found, access)

    @staticmethod
    def _user_filter(soap: SoapClient, chunk: list[int]) -> Any:
        values = [str(user_id) for user_id in chunk]
        if len(values) == 1:  # IN with one value is refused; equals takes it
            return soap.simple_filter("AccountUser.AccountUserID", "equals", values)
        return soap.simple_filter("AccountUser.AccountUserID", "IN", values)

    def _triggered_sends(self, soap: SoapClient, progress: Progress) -> list[TriggeredSend]:
        # the status filter must use IN: the API does not filter this property reliably with equals
        status_filter = soap.simple_filter("TriggeredSendStatus", "IN", SEND_STATUSES)
        return records.triggered_sends(self._retrieve(
            soap, progress, "TriggeredSendDefinition",
            ["ObjectID", "ID", "CustomerKey", "Name", "TriggeredSendStatus", "Client.ID"],
            filter=status_filter, query_all_accounts=True))

    def _event_definitions(self, rest: RestClient, progress: Progress) -> journey_api.EventSources:
        progress.step(NAME, "event definitions")
        found: journey_api.EventSources | None = None
        try:
            found = journey_api.event_definitions(rest, self.page_size)
            return found
        finally:
            progress.done(NAME, "event definitions", None if found is None else len(found.by_key))

    def _journey_items(self, rest: RestClient, progress: Progress) -> list[dict[str, Any]]:
        progress.step(NAME, "journeys")
        found: list[dict[str, Any]] | None = None
        try:
            found = journey_api.journey_items(rest, self.page_size,
                                              on_page=lambda count: progress.records(NAME, "journeys", count))
            return found
        finally:
            progress.done(NAME, "journeys", None if found is None else len(found))

    def _journeys(self, rest: RestClient, items: list[dict[str, Any]], sources: journey_api.EventSources,
                  sections: SectionLog, reads: Reads) -> list[Journey]:
        result = journey_api.journeys(rest, items, sources, detail_limit=self.journey_detail_limit,
                                      start=reads.start)
        if result.unresolved:
            sections.fail("marketing_cloud.journeys",
                          f"entry source not collected for {result.unresolved} running journey version(s): "
                          f"more than --journey-detail-limit {self.journey_detail_limit} detail calls needed")
        return result.journeys

    def _attribute_sets(self, rest: RestClient, granted: str | None, progress: Progress) -> list[AttributeSet]:
        progress.step(NAME, "attribute sets")
        found: list[AttributeSet] | None = None
        try:
            found = contact_api.attribute_sets(rest, self.page_size)
        except ApiError as error:
            if granted is not None and contact_api.SCOPE not in granted.split():
                # the usual cause, and one the admin can fix in Installed Packages
                raise ApiError(f"{error} (the package lacks Contacts: Read, {contact_api.SCOPE})") from error
            raise
        finally:
            progress.done(NAME, "attribute sets", None if found is None else len(found))
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
