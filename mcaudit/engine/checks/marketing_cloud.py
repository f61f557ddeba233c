"""Marketing Cloud-side checks, including the cross-side join to Salesforce users."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcaudit.engine.base import Subject
from mcaudit.engine.checks.outcome import Outcome
from mcaudit.engine.context import Context, Missing, NotApplicable
from mcaudit.engine.index import fold
from mcaudit.engine.subjects import SalesforceUserView, SystemUserIdentity, system_user_identity
from mcaudit.findings import Attested, Status
from mcaudit.snapshot.salesforce import SalesforceUser

INTEGRATED_USER_FACT = "marketing_cloud.api_user.salesforce_username"
STATUS_FACT = "marketing_cloud.api_user.salesforce_status"


def api_user_integrated_with_valid_user(ctx: Context, subject: Subject,
                                        params: Mapping[str, Any]) -> Outcome:
    """MC203: the MC API user is integrated with the System User (active, not frozen), or with
    another active System Administrator that passes the System User's own checks."""
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
    identity = system_user_identity(ctx)
    system_user = identity.evidence() if identity else "system user: not identified (see SF110)"
    if found is None:
        return Outcome(Status.fail,
                       f"{subject.label} is integrated with Salesforce user '{sf_username}', which "
                       "matches no user in salesforce.users (joined on username, ignoring case)",
                       (f"integrated Salesforce username: {sf_username}{source}", system_user), attested)
    if identity and ctx.index.sf_user(user_id=identity.user_id, username=identity.username) == found:
        return _integrated_with_system_user(subject, found, identity, (
            f"integrated Salesforce username: {sf_username}{source}", system_user), attested)
    position, user = found
    location = f"salesforce.users[{position}]"
    other = Subject(user.username, f"Salesforce user {user.username}", location,
                    SalesforceUserView(ctx.index, user, location))
    evidence = [f"integrated Salesforce username: {sf_username}{source} (not the System User)", system_user]
    failing, unknown = [], []
    for rule_id in params.get("requirements", []):
        outcome = ctx.evaluator.run_check(rule_id, other)
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


def _integrated_with_system_user(subject: Subject, found: tuple[int, SalesforceUser], identity: SystemUserIdentity,
                                 evidence: tuple[str, ...], attested: Attested | None) -> Outcome:
    """Integrated with the System User: that works only while it can log in (active, not frozen)."""
    position, user = found
    who = (f"{user.username}, the System User as inferred (confirm it: SF110)" if identity.inferred
           else f"the System User {user.username}")
    evidence += (f"Active: {_state(user.is_active)}", f"Frozen: {_state(user.is_frozen)}")
    problems = [state for state, bad in (("inactive", user.is_active is False), ("frozen", user.is_frozen is True))
                if bad]
    if problems:
        return Outcome(Status.fail,
                       f"{subject.label} is integrated with {who}, who is {' and '.join(problems)}: the "
                       "connector cannot log in as it", evidence, attested)
    not_collected = [f"salesforce.users[{position}].{name}" for name, value
                     in (("is_active", user.is_active), ("is_frozen", user.is_frozen)) if value is None]
    if not_collected:
        return Outcome(Status.unknown,
                       f"{subject.label} is integrated with {who}; cannot tell whether it can log in: "
                       f"{', '.join(not_collected)} {'was' if len(not_collected) == 1 else 'were'} not collected",
                       evidence, attested)
    return Outcome(Status.pass_, f"{subject.label} is integrated with {who}", evidence, attested)


def _state(value: bool | None) -> str:
    return "not collected" if value is None else str(value).lower()


def _not_integrated(ctx: Context, subject: Subject) -> bool:
    status = subject.view.salesforce_status
    if status is None:
        lookup = ctx.attestation(STATUS_FACT, subject.key)
        status = fold(str(lookup.raw_value)).replace(" ", "_") if lookup.found else None
    return bool(status == "not_integrated")


def api_user_business_unit_access(ctx: Context, subject: Subject,
                                  params: Mapping[str, Any]) -> Outcome:
    """MC207: the API user can access every business unit the connector uses. The connector lists
    disabled business units too (et4ae5__Enabled__c false); it does not use them."""
    connector = ctx.index.sf.mcc_connector if ctx.index.sf else None
    if connector is None or connector.business_units is None:
        raise Missing("salesforce.mcc_connector.business_units")
    if not connector.business_units:
        raise NotApplicable("the connector lists no business units")
    disabled = {unit.mid: unit.name for unit in connector.business_units if unit.enabled is False}
    skipped = f"skipped as disabled (et4ae5__Enabled__c false): {', '.join(_unit(*item) for item in disabled.items())}"
    names = {unit.mid: unit.name for unit in connector.business_units if unit.enabled is not False}
    if not names:
        raise NotApplicable(f"the connector uses none of the business units it lists: {skipped}")
    have = subject.view.business_unit_mids
    if have is None:
        raise Missing(f"{subject.location}.business_unit_mids")
    lacking = [mid for mid in names if mid not in set(have)]
    evidence = [f"connector business units: {', '.join(_unit(mid, names[mid]) for mid in names)}",
                f"user can access: {', '.join(str(mid) for mid in have) or 'none'}"]
    if disabled:
        evidence.insert(1, skipped)
    if lacking:
        return Outcome(Status.fail,
                       f"{subject.label} has no access to business unit(s) "
                       f"{', '.join(_unit(mid, names[mid]) for mid in lacking)}",
                       tuple(evidence))
    return Outcome(Status.pass_,
                   f"{subject.label} can access all {len(names)} connected business unit(s)"
                   + (f" ({len(disabled)} disabled one(s) skipped)" if disabled else ""),
                   tuple(evidence))


def _unit(mid: int, name: str | None) -> str:
    return f"{mid} ({name})" if name else str(mid)
