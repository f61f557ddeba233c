"""Salesforce-side checks that need more than one comparison."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcaudit.engine.base import Subject
from mcaudit.engine.checks.outcome import Outcome
from mcaudit.engine.context import Context, Missing, NotApplicable
from mcaudit.engine.index import MCC_NAMESPACE, fold
from mcaudit.engine.subjects import (
    SYSTEM_USER_FACT,
    SystemUserIdentity,
    candidate_evidence,
    identity_evidence,
    system_user_identity,
)
from mcaudit.findings import Attested, Status
from mcaudit.snapshot.salesforce import SystemUserCandidate

# where a person finds the System User, since no API returns it (KB 003834038, Marketing Cloud checklist)
WHERE_TO_LOOK = (
    "in Marketing Cloud open Setup > Users > (the MC API user, Salesforce.com Status: Integrated) > "
    "Modify Settings, which shows the Salesforce user the connector uses (KB 003834038); then record it "
    "with `mcaudit collect --sf-system-user USERNAME`, in a --merge file "
    f"(salesforce.mcc_connector.system_user), or as attestation '{SYSTEM_USER_FACT}'"
)


def _name_key(name: str | None) -> str:
    """Labels and API names compare alike: 'Marketing_Cloud_Connector' == 'Marketing Cloud Connector'."""
    return fold((name or "").replace("_", " "))


def package_permission_sets_held(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """SF117: the System User holds each MCC package permission set the package provides."""
    sets = ctx.index.sf.permission_sets if ctx.index.sf else None
    if sets is None:
        raise Missing("salesforce.permission_sets")
    expected = {_name_key(label) for label in params.get("labels", [])}
    provided = sorted(
        {(ps.label or ps.name) for ps in sets
         if fold(ps.namespace_prefix) == MCC_NAMESPACE
         and (_name_key(ps.label) in expected or _name_key(ps.name) in expected)}
    )
    if not provided:
        raise NotApplicable("the installed MCC package provides none of these permission sets")
    held = {fold(label) for label in subject.view.package_permission_sets}
    lacking = [label for label in provided if fold(label) not in held]
    evidence = tuple(f"{label}: {'assigned' if fold(label) in held else 'not assigned'}"
                     for label in provided) + identity_evidence(subject)
    if lacking:
        return Outcome(Status.fail,
                       f"{subject.label} lacks the MCC permission set(s): {', '.join(lacking)}",
                       evidence)
    return Outcome(Status.pass_, f"{subject.label} holds every MCC package permission set", evidence)


def system_user_identified(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """SF110: a person named the System User and it exists in the org. Not named is for a person to
    look up (manual), never a failure; an inference is shown, and left to a person to confirm."""
    sf = ctx.index.sf
    if sf is None or sf.mcc_connector is None:
        raise Missing("salesforce.mcc_connector")
    if sf.users is None:
        raise Missing("salesforce.users")
    identity = system_user_identity(ctx)
    stale = ctx.attestation(SYSTEM_USER_FACT).stale
    candidates = sf.mcc_connector.system_user_candidates
    if identity is None:
        return Outcome(Status.manual,
                       f"{subject.label}: the System User is not identified and no API shows it. Check by "
                       f"hand: {WHERE_TO_LOOK}. {_candidates_sentence(candidates)}{_stale_note(stale, ctx)}",
                       tuple(candidate_evidence(candidate) for candidate in candidates or []))
    found = ctx.index.sf_user(user_id=identity.user_id, username=identity.username)
    if identity.inferred:
        return _inferred(ctx, subject, identity, candidates, missing=found is None, stale=stale)
    evidence = (identity.evidence(),)
    if found is None:
        return Outcome(Status.fail,
                       f"{subject.label}: the System User {identity.name} ({identity.how}) matches no user in "
                       "salesforce.users (joined on the Id, else on the username ignoring case)",
                       evidence, identity.attested)
    return Outcome(Status.pass_,
                   f"{subject.label}: the System User {found[1].username} exists in the org ({identity.how})",
                   evidence, identity.attested)


def _inferred(ctx: Context, subject: Subject, identity: SystemUserIdentity,
              candidates: list[SystemUserCandidate] | None, *, missing: bool, stale: Attested | None) -> Outcome:
    absent = "; no such user is in salesforce.users" if missing else (
        f"; the other System User checks run on {identity.name} meanwhile")
    return Outcome(Status.manual,
                   f"{subject.label}: the System User is inferred as {identity.name} {identity.basis}, not confirmed"
                   f"{absent}. Confirm it: {WHERE_TO_LOOK}.{_stale_note(stale, ctx)}",
                   (identity.evidence(), *(candidate_evidence(candidate) for candidate in candidates or [])))


def _candidates_sentence(candidates: list[SystemUserCandidate] | None) -> str:
    if candidates is None:
        return ("The org's evidence for candidates (OAuth tokens for the Salesforce Marketing Cloud app, the "
                "package's Marketing Cloud System User permission set) was not collected.")
    if not candidates:
        return ("No user holds OAuth tokens for the Salesforce Marketing Cloud app or the package's Marketing "
                "Cloud System User permission set.")
    names = ", ".join(candidate.username or candidate.user_id for candidate in candidates)
    return f"Candidates from the org's records (not confirmed; their evidence below): {names}."


def _stale_note(stale: Attested | None, ctx: Context) -> str:
    if stale is None:
        return ""
    return (f" (the attestation {stale.label()} is older than {ctx.config.attestation_max_age_days} days and "
            "no longer counts)")
