"""Expectations: what a person says the connection should be, which no snapshot can say by itself.

A snapshot shows what the org is connected to, never what it should be connected to: a refreshed
sandbox wired to production looks exactly like production (KB 000384712). So the production org
ids, Marketing Cloud MIDs and tenant, the System User and the business units meant to be connected
come from a person, in the `[expectations]` table of the configuration file (mcaudit.toml, or
`[tool.mcaudit.expectations]` in pyproject.toml) and/or in a YAML or JSON file given with
`--expectations FILE`; a key the file gives wins over the table's. Rules that need an expectation
that is not set report `manual`, naming the setting (`setting()`), never pass.

The file may come from a pull request, so it is read like any other untrusted file, and every
problem is reported with its line.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mcaudit.errors import InputError
from mcaudit.snapshot.loader import validation_error
from mcaudit.untrusted import FileKind, read_document

__all__ = ["DEFAULT_API_HEADROOM", "EXPECTATIONS_FILE", "Expectations", "expectations_from_table",
           "load_expectations", "merged", "setting"]

EXPECTATIONS_FILE = FileKind("expectations file")
# the share of a daily API limit left below which SF136 fails, unless the expectations say otherwise
DEFAULT_API_HEADROOM = 0.2
FORMAT_HELP = ("known keys: production_org_ids, production_mids, tenant_subdomain, system_user, "
               "business_unit_mids, api_headroom")


class Expectations(BaseModel):
    """What the connection should be; every key is optional, and a rule that needs one it lacks is manual."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    production_org_ids: tuple[str, ...] = Field(
        default=(), description="Salesforce production org ids (Organization.Id, 15 or 18 characters)")
    production_mids: tuple[int, ...] = Field(
        default=(), description="MIDs of the production Marketing Cloud account (its top-level business unit)")
    tenant_subdomain: str | None = Field(
        default=None, description="the production tenant's subdomain (the part before .auth.marketingcloudapis.com)")
    system_user: str | None = Field(default=None, description="username of the Salesforce System User")
    business_unit_mids: tuple[int, ...] = Field(
        default=(), description="MIDs of the business units the connector is meant to use")
    api_headroom: float = Field(
        default=DEFAULT_API_HEADROOM, gt=0, lt=1,
        description="SF136: the share of a daily API limit that must remain (0.2 = 20 %)")

    @field_validator("production_org_ids")
    @classmethod
    def _org_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for org_id in value:
            if len(org_id.strip()) not in (15, 18):
                raise ValueError(f"'{org_id}' is not a Salesforce org id (15 or 18 characters)")
        return tuple(org_id.strip() for org_id in value)

    @field_validator("tenant_subdomain", "system_user")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty (leave the key out instead)")
        return value.strip() if value is not None else None

    def given(self, key: str) -> bool:
        """Whether a person set this key (api_headroom always has a value)."""
        return key in self.model_fields_set


def setting(key: str) -> str:
    """How a finding names a missing expectation, so a person knows where to set it."""
    return f"set expectations.{key} in mcaudit.toml (or pass --expectations FILE)"


def load_expectations(path: str | Path) -> Expectations:
    """The expectations of a YAML or JSON file, read like any untrusted file; every problem has its line."""
    document = read_document(path, EXPECTATIONS_FILE)
    data = document.data
    if isinstance(data, Mapping) and set(data) == {"expectations"}:  # the config table's name, kept
        inside: tuple[str | int, ...] = ("expectations",)
        data = data["expectations"]
    else:
        inside = ()
    if not isinstance(data, Mapping):
        raise InputError("expected a mapping of expectations (" + FORMAT_HELP + ")", path=document.path)
    try:
        return Expectations.model_validate(data)
    except ValidationError as error:
        raise validation_error(error, document, EXPECTATIONS_FILE, Expectations, format_help=FORMAT_HELP,
                               inside=inside) from None


def expectations_from_table(table: object, *, path: Path, spelt: str) -> Expectations:
    """The `[expectations]` table of a configuration file; `spelt` is how the file names it."""
    if not isinstance(table, dict):
        raise InputError(f"'{spelt}' must be a table of expectations ({FORMAT_HELP})", path=str(path))
    try:
        return Expectations.model_validate(table)
    except ValidationError as error:
        problems = []
        for problem in error.errors(include_url=False):
            where = ".".join(str(part) for part in problem["loc"])
            what = "unknown key" if problem["type"] == "extra_forbidden" else problem["msg"].removeprefix(
                "Value error, ")
            problems.append(f"'{spelt}.{where}': {what}")
        more = f" (and {len(problems) - 1} more: {'; '.join(problems[1:])})" if len(problems) > 1 else ""
        raise InputError(problems[0] + more + ("" if "unknown key" not in problems[0] else f" ({FORMAT_HELP})"),
                         path=str(path)) from None


def merged(table: Expectations | None, file: Expectations | None) -> Expectations | None:
    """The table's expectations with the file's keys over them: a file given on the command line wins."""
    if table is None or file is None:
        return file or table
    values: dict[str, Any] = {key: getattr(table, key) for key in table.model_fields_set}
    values.update({key: getattr(file, key) for key in file.model_fields_set})
    return Expectations.model_validate(values)
