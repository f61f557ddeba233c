"""Lookups for the Adobe Experience Platform rules (AEP5xx), built once per snapshot.

The AEP destination writes each segment's status into an Email Demographics attribute whose field
name equals the segment's Mapping ID, exactly. So attributes are indexed by their exact name, and
separately with case and whitespace ignored, only to name a near miss in a failure.
SnapshotIndex.aep builds one of these lazily; nothing here decides pass or fail.
"""

from __future__ import annotations

from functools import cached_property

from mcaudit.engine.base import fold
from mcaudit.snapshot.contacts import AttributeDefinition, AttributeSet
from mcaudit.snapshot.marketing_cloud import MarketingCloud, Role

EMAIL_DEMOGRAPHICS = "emaildemographics"  # the set's key (EmailDemographics) and name, loosened


def loose(name: str | None) -> str:
    """A name with case and every whitespace character ignored: 'Email Demographics' == 'EmailDemographics'."""
    return "".join((name or "").split()).casefold()


class AepIndex:
    def __init__(self, mc: MarketingCloud | None) -> None:
        self.mc = mc

    @cached_property
    def email_demographics(self) -> tuple[int, AttributeSet] | None:
        """The Email Demographics system attribute set with its position, found by key or name."""
        for position, attribute_set in enumerate((self.mc.attribute_sets if self.mc else None) or []):
            if EMAIL_DEMOGRAPHICS in (loose(attribute_set.key), loose(attribute_set.name)):
                return position, attribute_set
        return None

    @property
    def email_demographics_attributes(self) -> list[AttributeDefinition] | None:
        found = self.email_demographics
        return found[1].attributes if found else None

    @cached_property
    def attribute_positions(self) -> dict[str, int]:
        """Exact (case-sensitive) Email Demographics field name -> its position in the set."""
        positions: dict[str, int] = {}
        for position, attribute in enumerate(self.email_demographics_attributes or []):
            positions.setdefault(attribute.name, position)
        return positions

    @cached_property
    def near_names(self) -> dict[str, list[str]]:
        """Loosened field name -> the exact Email Demographics names it stands for."""
        near: dict[str, list[str]] = {}
        for name in self.attribute_positions:
            near.setdefault(loose(name), []).append(name)
        return near

    def near_misses(self, name: str) -> list[str]:
        """Email Demographics names that differ from `name` only by case or whitespace."""
        return [other for other in self.near_names.get(loose(name), []) if other != name]

    @cached_property
    def other_sets_by_attribute(self) -> dict[str, list[str]]:
        """Exact field name -> the other attribute sets that have it (a common wrong place)."""
        found = self.email_demographics
        skip = found[0] if found else None
        sets: dict[str, list[str]] = {}
        for position, attribute_set in enumerate((self.mc.attribute_sets if self.mc else None) or []):
            if position == skip:
                continue
            for attribute in attribute_set.attributes or []:
                sets.setdefault(attribute.name, []).append(attribute_set.name)
        return sets

    @cached_property
    def roles_by_name(self) -> dict[str, Role]:
        """Folded role name or key -> the role, since users list their roles by either."""
        roles: dict[str, Role] = {}
        for role in (self.mc.roles if self.mc else None) or []:
            roles.setdefault(fold(role.name), role)
            if role.key:
                roles.setdefault(fold(role.key), role)
        return roles
