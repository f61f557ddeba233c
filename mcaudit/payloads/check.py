"""Check request bodies against a snapshot with the API integration rules themselves.

Each body becomes a declared integration (`integrations` in the snapshot model) that makes the
one call the body is for, and the rules that judge such calls run on it: API604 and API605 for a
journey injection, API606 for a triggered send, API607 for a Data Extension write. What only a
body shows (the fields its endpoint requires, the fields the entry source expects that it leaves
out, whether the journey it targets is running) is REQ100, a check of this command alone.
Sources: the Marketing Cloud API guide (../shared/reference/003_66309767b5a57d20.txt): the
EventDefinitionKey is the entry source's, Data field names must match the schema exactly, case
included, or the contact is dropped with a 201; a triggered send request carries To.Address and
To.SubscriberKey; more than about 100 rows per call go to the asynchronous rowset endpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from mcaudit.engine import EvaluationConfig, RulePack, evaluate
from mcaudit.engine.base import fold
from mcaudit.engine.index_integrations import EventMatch, IntegrationIndex
from mcaudit.engine.waivers import Waiver, apply_waivers, check_waiver_rules
from mcaudit.errors import InputError
from mcaudit.findings import Area, AuditResult, Finding, RuleInfo, Severity, Source, Status
from mcaudit.payloads.read import Payload
from mcaudit.snapshot import Snapshot
from mcaudit.snapshot.integrations import DataExtensionWrite, DeclaredIntegration, JourneyInjection, TriggeredSendCall
from mcaudit.snapshot.sending import Journey, JourneyStatus
from mcaudit.suggest import did_you_mean

Kind = Literal["journey", "triggered_send", "data_extension"]
RULES: dict[str, tuple[str, ...]] = {
    "journey": ("API604", "API605"), "triggered_send": ("API606",), "data_extension": ("API607",)}
SYNC_ROWSET = "/hub/v1/dataevents/key:{key}/rowset"
PAYLOAD_RULE = RuleInfo(
    id="REQ100", name="request-body-complete", severity=Severity.high, area=Area.integrations,
    title="The request body has what its endpoint requires and targets something that accepts it",
    modes=("audit",),
    rationale="A journey injection without ContactKey, EventDefinitionKey or a Data object, or missing an "
              "entry source field, is accepted with a 201 and the contact never enters; a triggered send "
              "request needs To.Address and To.SubscriberKey; a rowset is an array of keys and values rows; "
              "a journey that is not running admits nobody.",
    remediation="Add what the message names, with the exact names the endpoint and the entry source use, or "
                "publish the journey version before sending to it.",
    source=Source(document="MC API guide (003)",
                  title="Marketing Cloud API: integrating with the Marketing Cloud Engagement REST and SOAP APIs",
                  section="Journey Injection via Fire Entry Event; Triggered Sends; Data Extension Row Operations"),
)


@dataclass(frozen=True)
class Target:
    kind: Kind
    key: str
    endpoint: str | None = None  # a Data Extension write's path; the synchronous rowset one if None


def _journeys(snapshot: Snapshot) -> list[Journey]:
    mc = snapshot.marketing_cloud
    if mc is None or mc.journeys is None:
        raise InputError("the snapshot has no marketing_cloud.journeys, so no journey can be checked: collect "
                         "them first")
    return mc.journeys


def _target_journey(snapshot: Snapshot, key: str) -> list[Journey]:
    """The versions of the journey --journey names (by its entry event's key or its own key, found as
    the rules find a sent key), newest first; an unknown key is bad input, with the nearest key."""
    journeys = _journeys(snapshot)
    lookup = IntegrationIndex(snapshot).entry_event(key)
    if lookup.match is EventMatch.nothing:
        keys = {j.key for j in journeys} | {j.entry_source.event_definition_key for j in journeys
                                           if j.entry_source and j.entry_source.event_definition_key}
        raise InputError(f"--journey: '{key}' is neither a journey key nor an entry event key in the snapshot"
                         + (did_you_mean(key, sorted(keys)) or f" (known: {', '.join(sorted(keys)) or 'none'})"))
    return [found.item for found in lookup.journeys]


def _target_send(snapshot: Snapshot, key: str) -> None:
    mc = snapshot.marketing_cloud
    if mc is None or mc.triggered_sends is None:
        raise InputError("the snapshot has no marketing_cloud.triggered_sends, so no triggered send can be "
                         "checked: collect them first")
    if IntegrationIndex(snapshot).triggered_send(key) is None:
        keys = [send.key for send in mc.triggered_sends]
        raise InputError(f"--triggered-send: no triggered send definition has the key '{key}'"
                         + (did_you_mean(key, keys) or f" (known: {', '.join(sorted(keys)) or 'none'})"))


def _problem(payload: Payload, message: str, status: Status = Status.fail) -> Finding:
    return Finding(rule_id=PAYLOAD_RULE.id, severity=PAYLOAD_RULE.severity, status=status,
                   subject=f"request body {Path(payload.path).name}", message=message)


def _journey_call(payload: Payload, versions: list[Journey]) -> tuple[DeclaredIntegration | None, list[str]]:
    body, problems = payload.body, []
    newest = versions[0]
    event_key = newest.entry_source.event_definition_key if newest.entry_source else None
    if not isinstance(body, dict):
        return None, ["the body is not a JSON object: a journey injection is "
                      '{"ContactKey": ..., "EventDefinitionKey": ..., "Data": {...}}']
    if not isinstance(body.get("ContactKey"), str) or not body["ContactKey"]:
        problems.append("ContactKey is missing or empty: every injected contact needs one")
    sent_key = body.get("EventDefinitionKey")
    data = body.get("Data")
    if not isinstance(data, dict):
        problems.append("Data is missing or not an object: the entry source's fields go in Data")
        data = {}
    schema = newest.entry_source.schema_fields if newest.entry_source else None
    if schema:
        left_out = [name for name in schema if name not in data and fold(name) not in {fold(k) for k in data}]
        if left_out:
            problems.append(f"Data leaves out entry source field(s) {', '.join(left_out)} of journey "
                            f"'{newest.key}': the contact is dropped without an error")
    if not isinstance(sent_key, str) or not sent_key:
        problems.append("EventDefinitionKey is missing: send the entry event's key"
                        + (f" '{event_key}'" if event_key else " (Journey Builder shows it on the entry source)"))
        return None, problems
    keys_of_target = {fold(newest.key)} | {fold(v.entry_source.event_definition_key or "") for v in versions
                                           if v.entry_source}
    if fold(sent_key) not in keys_of_target:
        problems.append(f"EventDefinitionKey '{sent_key}' is not the entry event of journey '{newest.key}' "
                        f"(--journey){f': it is {event_key!r}' if event_key else ''}")
    if newest.status is not JourneyStatus.published and newest.status.recognised:
        problems.append(f"journey '{newest.key}' version {newest.version} is {newest.status.value}, not running "
                        "(Published): it admits no contact")
    call = JourneyInjection(event_definition_key=sent_key, fields=[str(name) for name in data])
    return DeclaredIntegration(name=f"request {Path(payload.path).name}", journey_injections=[call]), problems


def _send_call(payload: Payload, key: str) -> tuple[DeclaredIntegration, list[str]]:
    body, problems = payload.body, []
    to = body.get("To") if isinstance(body, dict) else None
    if not isinstance(to, dict):
        problems.append('To is missing: a triggered send request is {"To": {"Address": ..., "SubscriberKey": ...}}')
    else:
        problems += [f"To.{name} is missing or empty" for name in ("Address", "SubscriberKey")
                     if not isinstance(to.get(name), str) or not to.get(name)]
    return DeclaredIntegration(name=f"request {Path(payload.path).name}",
                               triggered_sends=[TriggeredSendCall(key=key)]), problems


def _rowset_call(payload: Payload, key: str, endpoint: str | None) -> tuple[DeclaredIntegration | None, list[str]]:
    body = payload.body
    if not isinstance(body, list) or not body:
        return None, ["the body is not a JSON array of rows: a rowset is [{\"keys\": {...}, \"values\": {...}}, ...]"]
    bad = [index for index, row in enumerate(body) if not isinstance(row, dict)
           or not isinstance(row.get("keys"), dict) or not isinstance(row.get("values"), dict)]
    problems = [f"{len(bad)} row(s) lack a keys or a values object (first: row {bad[0]})"] if bad else []
    write = DataExtensionWrite(key=key, batch_size=len(body), endpoint=endpoint or SYNC_ROWSET.format(key=key))
    return DeclaredIntegration(name=f"request {Path(payload.path).name}", data_extension_writes=[write]), problems


def check_payloads(snapshot: Snapshot, path: str, pack: RulePack, target: Target, payloads: Sequence[Payload],
                   now: datetime, *, fail_on: Severity | None = Severity.info,
                   waivers: tuple[Waiver, ...] = ()) -> AuditResult:
    """One result: the rules that judge the target's calls, run on one declared integration per body,
    plus REQ100 per body, with the waivers applied to both. An unknown key is bad input
    (InputError), not a finding; every mistake counts for the exit code unless `fail_on` says
    otherwise."""
    check_waiver_rules(waivers, (*pack.ids, PAYLOAD_RULE.id))
    versions = _target_journey(snapshot, target.key) if target.kind == "journey" else []
    if target.kind == "triggered_send":
        _target_send(snapshot, target.key)
    integrations: list[DeclaredIntegration] = []
    extra: list[Finding] = []
    for payload in payloads:
        built: tuple[DeclaredIntegration | None, list[str]]
        if target.kind == "journey":
            built = _journey_call(payload, versions)
        elif target.kind == "triggered_send":
            built = _send_call(payload, target.key)
        else:
            built = _rowset_call(payload, target.key, target.endpoint)
        integration, problems = built
        if integration is not None:
            integrations.append(integration)
        extra += [_problem(payload, problem) for problem in problems] or [
            _problem(payload, "the body has what its endpoint requires", Status.pass_)]
    config = EvaluationConfig(mode="audit", fail_on=fail_on, select=RULES[target.kind], now=now)
    result = evaluate(snapshot.model_copy(update={"integrations": integrations}), pack, config, path=path)
    findings = [f for f in result.findings if not (f.subject == "snapshot" and f.status is Status.na)]
    findings, notes = apply_waivers([*findings, *extra], waivers, now) if waivers else ([*findings, *extra], [])
    return replace(result, mode="check-payload", findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
                   rules={**result.rules, PAYLOAD_RULE.id: PAYLOAD_RULE}, notes=(*result.notes, *notes))
