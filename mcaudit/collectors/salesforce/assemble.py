"""Build snapshot.salesforce from the rows of the collection's reads.

Shared by the live collector (each read a running query) and `mcaudit import sf` (each read a
file of `sf data query --json` output), so both turn the same rows into the same model. A read is
a callable that returns its rows or raises why it has none; a section whose read raised is left
null (not collected) and recorded in the SectionLog, the others still count.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcaudit.collectors.base import SectionLog
from mcaudit.collectors.problems import ApiError
from mcaudit.collectors.salesforce import queries as q
from mcaudit.collectors.salesforce import records
from mcaudit.collectors.salesforce.metadata import OAuthPolicy
from mcaudit.collectors.salesforce.soql import Record
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
CUSTOMIZE_APPLICATION = "Customize Application"  # needed to see every user's OauthToken rows

Explain = Callable[[BaseException], str]  # an error as one line, without any secret


@dataclass(frozen=True)
class Reads:
    """Each read of a collection: called when its section is built; returns or raises."""

    connected_apps: Callable[[], list[ConnectedApp]]
    permission_sets: Callable[[], list[PermissionSet]]
    group_rows: Callable[[], list[Record]]
    member_rows: Callable[[], list[Record]]
    assignments: Callable[[], list[PermissionSetAssignment]]
    user_rows: Callable[[], list[Record]]
    frozen: Callable[[], set[str]]
    tokens: Callable[[], list[Record]]
    config: Callable[[], list[Record]]
    units: Callable[[], list[Record]]
    version: Callable[[], str | None]
    definitions: Callable[[], list[Record]]
    automated: Callable[[], list[Record]]
    triggers: Callable[[], list[Record]]
    flows: Callable[[], list[Record]]
    limits: Callable[[], Any]


def assemble(reads: Reads, sections: SectionLog, explain: Explain, *, instance_url: str | None,
             system_user: str | None) -> Salesforce:
    """The connector's System User evidence joins users, permission sets and assignments, so it is
    built last, from what was read. `system_user` is a username a person gave (no API holds it)."""
    users = sections.read("salesforce.users", lambda: records.users(
        reads.user_rows(), _frozen(reads.frozen, sections, explain)))
    read_sets = sections.read("salesforce.permission_sets", reads.permission_sets)
    read_assignments = sections.read("salesforce.permission_set_assignments", reads.assignments)
    return Salesforce(
        instance_url=instance_url,
        connected_apps=sections.read("salesforce.connected_apps", reads.connected_apps),
        permission_sets=read_sets,
        permission_set_groups=sections.read("salesforce.permission_set_groups", lambda: (
            records.permission_set_groups(reads.group_rows(), reads.member_rows()))),
        permission_set_assignments=read_assignments,
        users=users,
        mcc_connector=sections.read("salesforce.mcc_connector", lambda: _connector(
            reads.config(), reads.units(), reads.version(), users,
            _system_user_holders(read_sets, read_assignments), _tokens(reads.tokens, explain), system_user)),
        scheduled_sends=sections.read("salesforce.scheduled_sends", lambda: _scheduled_sends(
            reads.definitions(), reads.automated())),
        api_limits=sections.read("salesforce.api_limits", lambda: records.api_limits(reads.limits())),
        oauth_grants=sections.read("salesforce.oauth_grants", lambda: _grants(reads.tokens, explain)),
        automated_sends=sections.read("salesforce.automated_sends", lambda: records.automated_sends(
            reads.automated())),
        apex_triggers=sections.read("salesforce.apex_triggers", lambda: records.apex_triggers(
            reads.triggers(), _automation_objects(reads.config, reads.automated))),
        journey_flows=sections.read("salesforce.journey_flows", lambda: records.journey_flows(reads.flows())),
    )


def organization_fields(rows: list[Record], sections: SectionLog) -> dict[str, Any]:
    """org_id and organization from the Organization query's rows."""
    return {"org_id": records.text(rows[0].get("Id")) if rows else None,
            "organization": sections.read("salesforce.organization", lambda: records.organization(rows))}


def mcc_apps(apps: list[ConnectedApp]) -> dict[str, str]:
    """{Id: Name} of the connector's own connected app(s), whose OAuth policy the Metadata API shows."""
    return {app.id: app.name for app in apps
            if app.id and app.name.strip().casefold() == q.MCC_APP_NAME.casefold()}


def with_policy(app: ConnectedApp, policy: OAuthPolicy) -> ConnectedApp:
    """The Metadata API's reading of the policies where it gives one (it wins over SOQL's)."""
    update = {name: value for name, value in (("ip_relaxation", policy.ip_relaxation),
                                              ("refresh_token_policy", policy.refresh_token_policy))
              if value is not None}
    return app.model_copy(update=update)


def _frozen(frozen: Callable[[], set[str]], sections: SectionLog, explain: Explain) -> set[str] | None:
    try:
        return frozen()
    except Exception as error:
        sections.fail("salesforce.users", f"UserLogin (frozen state) not collected: {explain(error)}")
        return None


def _tokens(tokens: Callable[[], list[Record]], explain: Explain) -> list[Record] | None:
    try:
        return tokens()
    except Exception as error:  # evidence only: its absence leaves the System User to a person
        log.info("salesforce: OAuth tokens of the %s app not read (needs Customize Application): %s",
                 q.MCC_APP_NAME, explain(error))
        return None


def _connector(config: list[Record], units: list[Record], version: str | None,
               users: list[SalesforceUser] | None, holders: set[str] | None,
               tokens: list[Record] | None, system_user: str | None) -> MccConnector:
    candidates = records.system_user_candidates(tokens, holders, users)
    named, source = _identify_system_user(system_user, users, candidates)
    return MccConnector(package_version=version, system_user=named, system_user_source=source,
                        system_user_candidates=candidates,
                        business_units=records.connector_business_units(units),
                        **records.connector_settings(config))


def _identify_system_user(system_user: str | None, users: list[SalesforceUser] | None,
                          candidates: list[SystemUserCandidate] | None,
                          ) -> tuple[UserRef | None, SystemUserSource | None]:
    """The System User as a person named it; else the one user the evidence points to, marked
    inferred; else nobody (a rule then asks a person to look it up in Marketing Cloud)."""
    if system_user:
        given = system_user.strip()
        found = next((user for user in users or [] if user.username.casefold() == given.casefold()), None)
        return UserRef(id=found.id if found else None, username=found.username if found else given), \
            SystemUserSource.option
    inferred = records.inferred_system_user(candidates)
    if inferred is None:
        return None, None
    return UserRef(id=inferred.user_id, username=inferred.username), SystemUserSource.inferred


def _system_user_holders(permission_sets: list[PermissionSet] | None,
                         assignments: list[PermissionSetAssignment] | None) -> set[str] | None:
    """Users assigned the package's System User permission set (current assignments or not: evidence)."""
    if permission_sets is None or assignments is None:
        return None
    wanted = {ps.id for ps in permission_sets
              if ps.name == q.SYSTEM_USER_PERMISSION_SET and (ps.namespace_prefix or "") == q.MCC_NAMESPACE}
    return {a.assignee_id for a in assignments if a.permission_set_id in wanted}


def _scheduled_sends(definitions: list[Record], automated: list[Record]) -> list[ScheduledSend]:
    sends = records.scheduled_sends(definitions, automated)
    for send in sends:
        if send.status_value is not None and send.status is ScheduledSendStatus.unknown:
            log.warning("salesforce: %s %s has a send status this mcaudit does not know (%r): kept as it is; "
                        "rules treat it as unknown", q.SEND_DEFINITION_OBJECT, send.id, send.status_value)
    return sends


def _grants(tokens: Callable[[], list[Record]], explain: Explain) -> list[OauthGrants]:
    """OAuth grants per user from the app's tokens (the same rows as the System User evidence).
    Without Customize Application the org shows only the auditor's own tokens, and answers
    without error, so a result with no token at all is not taken as "none exist"."""
    try:
        rows = tokens()
    except Exception as error:
        raise ApiError(f"OauthToken not readable ({explain(error)}): needs the "
                       f"{CUSTOMIZE_APPLICATION} permission to see every user's tokens") from None
    if not rows:
        raise ApiError(f"OauthToken shows no token of the {q.MCC_APP_NAME} app: without the "
                       f"{CUSTOMIZE_APPLICATION} permission the org shows a user only their own tokens, so "
                       "none visible does not mean none exist")
    return records.oauth_grants(rows, q.MCC_APP_NAME)


def _automation_objects(config: Callable[[], list[Record]], automated: Callable[[], list[Record]]) -> set[str]:
    """The objects MCC automation uses: enabled in the configuration, or named by an automated send.
    Either read may have failed; with neither, which triggers matter is unknown."""
    objects: set[str] = set()
    known = False
    for read, names in ((config, lambda rows: records.connector_settings(rows).get("automation_objects")),
                        (automated, lambda rows: [records.text(row.get(q.AUTOMATED_SEND_OBJECT_NAME))
                                                  for row in rows])):
        try:
            found = names(read())
        except Exception:  # recorded by the section that owns that read
            continue
        known = True
        objects.update(name for name in found or [] if name)
    if not known:
        raise ApiError("the objects MCC automation uses are unknown (neither the package's configuration nor "
                       "its automated sends could be read), so which triggers matter is unknown")
    return objects
