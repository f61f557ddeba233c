"""The JSON report (`--format json`, format_version 1) as pydantic models: the one definition of its shape.

The JSON renderer dumps a `JsonReport`; `mcaudit schema --report` prints its JSON Schema; the
reference page (mcaudit/docsgen.py) is generated from that schema, so the documentation, the schema
and the output cannot drift apart. Field order here is the key order of the output, and every field
is always present (null when it does not apply), so a script never has to test for a key.
Within a format_version fields are only ever added, never renamed or removed.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mcaudit.findings import Area, Severity, Status, Verdict

FORMAT_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JsonTool(_Model):
    """The program that wrote the report."""

    name: Literal["mcaudit"] = Field(description="always `mcaudit`")
    version: str = Field(description="its version")


class JsonSnapshot(_Model):
    """The identity of the snapshot a result is about."""

    path: str = Field(description="the snapshot file as given on the command line")
    name: str | None = Field(description="the snapshot's `name`")
    source: str = Field(description="`live`, `export` or `hand-written`")
    collected_at: str = Field(description="ISO 8601 UTC timestamp")
    schema_version: int = Field(description="the snapshot format's version")
    org_id: str | None = Field(description="Salesforce org id")
    mid: int | None = Field(description="Marketing Cloud account MID")
    failed_collectors: list[str] = Field(
        description="collectors that failed or were partial during a live collection")


class JsonSummary(_Model):
    """The counts of one result."""

    total: int = Field(description="number of findings")
    blocking: int = Field(description="findings that set the exit code (at or above `fail_on`)")
    by_status: dict[Status, int] = Field(description="status → count, every status present")
    failures_by_severity: dict[Severity, int] = Field(
        description="severity → count of `fail` findings, every severity present")


class JsonSource(_Model):
    """The knowledge article or document a rule rests on."""

    document: str = Field(description="e.g. `KB 003834038`")
    title: str = Field(description="its title")
    section: str | None = Field(description="the section within it")
    url: str | None = Field(description="where to read it")
    cite: str = Field(description="document, title and section as one line")


class JsonAttested(_Model):
    """A person's attestation that was the evidence for a finding."""

    fact: str = Field(description="what was attested")
    value: str = Field(description="the attested value")
    by: str = Field(description="who attested it")
    on: str = Field(description="when (ISO date)")


class JsonFinding(_Model):
    """The result of one rule on one subject."""

    rule_id: str = Field(description="e.g. `SF106`")
    title: str = Field(description="the rule's title")
    severity: Severity = Field(description="the finding's severity")
    area: Area | None = Field(description="the rule's area")
    status: Status = Field(description="the result of the check")
    blocking: bool = Field(description="whether it sets the exit code")
    subject: str = Field(description="what was checked, e.g. `System User mcc@acme.example`")
    location: str | None = Field(description="dotted path into the snapshot, e.g. `salesforce.users[3]`")
    line: int | None = Field(description="line of that place in the snapshot file, when known")
    message: str = Field(description="what was found")
    evidence: list[str] = Field(description="the values the check saw")
    attested: JsonAttested | None = Field(description="when a person's attestation was the evidence")
    remediation: str | None = Field(description="how to fix it")
    setup_path: str | None = Field(description="where in Setup")
    manual_instructions: str | None = Field(description="what a person must look at when no API shows it")
    source: JsonSource | None = Field(description="the knowledge article or document")
    waiver_reason: str | None = Field(description="why it is waived")
    waived_from: Status | None = Field(description="the status the waiver covers (`fail`, `unknown`, `manual`)")
    baseline_state: str | None = Field(
        description="with `--baseline`: `new`, or `unchanged` when the same rule and subject failed in the "
                    "baseline report (then it does not set the exit code)")


class JsonRunbookStep(_Model):
    """One step of a rotation runbook."""

    number: int = Field(description="1, 2, … in the order to do them")
    phase: str = Field(description="`pause`, `rotate`, `reauthenticate`, `restore` or `verify`")
    action: str = Field(description="what to do")
    asset_kind: str | None = Field(description="`triggered_send`, `journey` or `scheduled_send`")
    asset_key: str | None = Field(description="the asset's key")
    note: str | None = Field(description="e.g. the in-flight population a journey stop ejects")
    asset_location: str | None = Field(description="where the asset is in the snapshot (as a finding's `location`)")


class JsonRunbook(_Model):
    """What to do before and after rotating the credential, in order."""

    impact: list[str] = Field(description="what would fail if the credential were rotated now")
    steps: list[JsonRunbookStep] = Field(description="the steps, in order")
    notes: list[str] = Field(description="e.g. that a quiet time window alone is not a substitute for pausing")


class JsonResult(_Model):
    """The audit of one snapshot."""

    snapshot: JsonSnapshot = Field(description="the snapshot's identity")
    mode: str = Field(description="`audit`, `preflight` or `verify`")
    fail_on: Severity | Literal["never"] = Field(description="the `--fail-on` threshold, or `never`")
    strict: bool = Field(
        description="whether unknown and manual results at or above the threshold also fail (`--strict`)")
    verdict: Verdict = Field(
        description="`pass`, `incomplete` (nothing failed, something could not be verified) or `fail`")
    summary: JsonSummary = Field(description="counts")
    findings: list[JsonFinding] = Field(
        description="one per rule and subject, sorted by status, severity, rule id, subject")
    notes: list[str] = Field(description="warnings about this run: first each side or section the snapshot "
                             "lacks and the checks it kept from running, then e.g. a waiver that expired or "
                             "matched nothing")
    runbook: JsonRunbook | None = Field(description="preflight only: what to do, in order")
    decision: Literal["GO", "NO-GO"] | None = Field(description="preflight only: `GO` or `NO-GO`")


class JsonRule(_Model):
    """A rule that ran, as the catalog describes it."""

    id: str = Field(description="stable rule id")
    name: str = Field(description="readable name, e.g. `system-user-active`")
    title: str = Field(description="what the rule checks")
    severity: Severity = Field(description="its default severity")
    area: Area = Field(description="its area")
    area_title: str = Field(description="the area as people read it, e.g. `Marketing Cloud`")
    modes: list[str] = Field(description="the modes it runs in")
    rationale: str = Field(description="why it matters")
    remediation: str = Field(description="how to fix it")
    setup_path: str | None = Field(description="where in Setup")
    manual_instructions: str | None = Field(description="what a person must look at when no API shows it")
    source: JsonSource = Field(description="the knowledge article or document")


class JsonReport(_Model):
    """The whole report (`--format json`)."""

    format_version: Literal[1] = Field(description="`1`")
    tool: JsonTool = Field(description="the program that wrote it")
    command: str = Field(description="the command that ran (`audit`, `preflight`, `verify`)")
    exit_code: int = Field(description=(
        "the process's exit code: 1 when any result's verdict is `fail`; else 4 when a check at or "
        "above --fail-on is `unknown` (its data was not collected) and --allow-incomplete was not "
        "given; else 0"))
    results: list[JsonResult] = Field(description="one result per snapshot, in the order given")
    rules: list[JsonRule] = Field(description="the rules that ran, once each, sorted by id")


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema of the JSON report (`mcaudit schema --report`)."""
    schema = JsonReport.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"mcaudit JSON report (format_version {FORMAT_VERSION})"
    return schema
