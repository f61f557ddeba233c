"""Marketing Cloud-side checks, including the cross-side join to Salesforce users."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcaudit.engine.checks.outcome import Outcome
from mcaudit.engine.context import Context, Missing, NotApplicable
from mcaudit.engine.index import fold
from mcaudit.engine.subjects import SalesforceUserView, Subject
from mcaudit.findings import Status

INTEGRATED_USER_FACT = "marketing_cloud.api_user.salesforce_username"
STATUS_FACT = "marketing_cloud.api_user.salesforce_status"


def api_user_integrated_with_valid_user(ctx: Context, subject: Subject,
                                        params: Mapping[str, Any]) -> Outcome:
    """MC203: the MC API user is integrated with the System User, or with another active
    System Administrator that passes the System User's own checks."""
    attested = None
    if _not_integrated(ctx, subject):
        raise NotApplicable(f"{subject.label} is not integrated with any Salesforce user (see MC202)")
    sf_username = subject.view.salesforce_username
    if sf_username is None:
        lookup = ctx.attestation(INTEGRATED_USER_FACT, subject.key)
        if not lookup.found:
            return Outcome(Status.manual, "", attested=lookup.stale)
        sf_username, attested = str(lookup.raw_value), lookup.attested
    if ctx.index.sf is None or ctx.index.sf.users is None:
        raise Missing("salesforce.users")
    found = ctx.index.sf_user(user_id=None, username=sf_username)
    source = f" ({attested.label()})" if attested else ""
    if found is None:
        return Outcome(Status.fail,
                       f"{subject.label} is integrated with Salesforce user '{sf_username}', which "
                       "matches no user in salesforce.users (joined on username, ignoring case)",
                       (f"integrated Salesforce username: {sf_username}{source}",), attested)
    position, user = found
    connector = ctx.index.sf.mcc_connector
    system_ref = connector.system_user if connector else None
    if system_ref and ctx.index.sf_user(user_id=system_ref.id, username=system_ref.username) == found:
        return Outcome(Status.pass_,
                       f"{subject.label} is integrated with the System User {user.username}",
                       (f"integrated Salesforce username: {sf_username}{source}",), attested)
    location = f"salesforce.users[{position}]"
    other = Subject(user.username, f"Salesforce user {user.username}", location,
                    SalesforceUserView(ctx.index, user, location))
    evidence = [f"integrated Salesforce username: {sf_username}{source} (not the System User)"]
    failing, unknown = [], []
    for rule_id in params.get("requirements", []):
        outcome = ctx.evaluate_rule_on(rule_id, other)
        evidence.append(f"{rule_id}: {outcome.status.value}"
                        + (f" ({'; '.join(outcome.evidence)})" if outcome.evidence else ""))
        if outcome.status is Status.fail:
            failing.append(rule_id)
        elif outcome.status is not Status.pass_:
            unknown.append(rule_id)
    if failing:
        return Outcome(Status.fail,
                       f"{subject.label} is integrated with {user.username}, who is not the System "
                       f"User and fails {', '.join(failing)}", tuple(evidence), attested)
    if unknown:
        return Outcome(Status.unknown,
                       f"{subject.label} is integrated with {user.username}; cannot confirm "
                       f"{', '.join(unknown)} for that user", tuple(evidence), attested)
    return Outcome(Status.pass_,
                   f"{subject.label} is integrated with {user.username}, an active System "
                   "Administrator that passes the System User checks", tuple(evidence), attested)


def _not_integrated(ctx: Context, subject: Subject) -> bool:
    status = subject.view.salesforce_status
    if status is None:
        lookup = ctx.attestation(STATUS_FACT, subject.key)
        status = fold(str(lookup.raw_value)).replace(" ", "_") if lookup.found else None
    return bool(status == "not_integrated")


def api_user_business_unit_access(ctx: Context, subject: Subject,
                                  params: Mapping[str, Any]) -> Outcome:
    """MC207: the API user can access every business unit the connector uses."""
    connector = ctx.index.sf.mcc_connector if ctx.index.sf else None
    if connector is None or connector.business_units is None:
        raise Missing("salesforce.mcc_connector.business_units")
    if not connector.business_units:
        raise NotApplicable("the connector lists no business units")
    have = subject.view.business_unit_mids
    if have is None:
        raise Missing(f"{subject.location}.business_unit_mids")
    names = {unit.mid: unit.name for unit in connector.business_units}
    lacking = [mid for mid in names if mid not in set(have)]
    evidence = [f"connector business units: {', '.join(_unit(mid, names[mid]) for mid in names)}",
                f"user can access: {', '.join(str(mid) for mid in have) or 'none'}"]
    if lacking:
        return Outcome(Status.fail,
                       f"{subject.label} has no access to business unit(s) "
                       f"{', '.join(_unit(mid, names[mid]) for mid in lacking)}",
                       tuple(evidence))
    return Outcome(Status.pass_,
                   f"{subject.label} can access all {len(names)} connected business unit(s)",
                   tuple(evidence))


def _unit(mid: int, name: str | None) -> str:
    return f"{mid} ({name})" if name else str(mid)
