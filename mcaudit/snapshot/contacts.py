"""Contact Builder attribute sets, as /contacts/v1/attributeSetDefinitions returns them.

The Adobe Experience Platform destination writes segment statuses into attributes of the
Email Demographics set, so their names, types and lengths matter.
"""

from __future__ import annotations

from pydantic import Field

from mcaudit.snapshot.types import Bool, Int, Model, NonEmptyStr, Str


class AttributeDefinition(Model):
    name: NonEmptyStr = Field(description="the attribute's field name, case-sensitive")
    data_type: Str | None = Field(default=None, description="e.g. Text, Number, Date, Boolean, EmailAddress")
    length: Int | None = Field(default=None, description="maximum length, for Text attributes")
    is_custom: Bool | None = Field(default=None, description="created by the account, not system-defined")


class AttributeSet(Model):
    key: Str | None = Field(default=None, description="definition key, e.g. EmailDemographics")
    name: NonEmptyStr = Field(description="e.g. Email Demographics")
    attributes: list[AttributeDefinition] | None = Field(
        default=None, description="every attribute of the set (all pages); null if not collected"
    )
