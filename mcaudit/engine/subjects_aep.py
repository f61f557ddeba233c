"""Subjects of the Adobe Experience Platform rules (AEP501-AEP510).

The "(API) Salesforce Marketing Cloud" destination authenticates with a tenant subdomain, writes
each activated segment's status into the Email Demographics attribute named by its Mapping ID,
and maps profile fields to a contactKey identity and to attributes. Subjects are the destinations,
their segments, their mappings, the attributes the segments write and the Email Demographics set.
Merged into SUBJECTS by engine.subjects, which imports this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mcaudit.engine.base import Missing, ModelView, Subject
from mcaudit.engine.context import Context
from mcaudit.engine.index import fold
from mcaudit.engine.index_aep import loose
from mcaudit.snapshot.aep import AepDestination, AepMapping, AepSegment, MappingTargetKind
from mcaudit.snapshot.contacts import AttributeDefinition, AttributeSet

# the destination's one supported identity; the Adobe page calls it both ways
CONTACT_KEY_TARGETS = frozenset({"salesforcecontactkey", "contactkey"})
PERSONAL_EMAIL = "personalemail.address"


def xdm_field(source: str) -> str:
    """'xdm: personalEmail.address' and 'personalEmail.address' name the same XDM field."""
    text = source.strip()
    if fold(text[:4]) == "xdm:":
        text = text[4:]
    return fold(text)


def is_contact_key_identity(mapping: AepMapping) -> bool:
    return mapping.target_kind is MappingTargetKind.identity and loose(mapping.target) in CONTACT_KEY_TARGETS


def is_personal_email(mapping: AepMapping) -> bool:
    return xdm_field(mapping.source) == PERSONAL_EMAIL


# -- views -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DestinationView:
    destination: AepDestination
    location: str


@dataclass(frozen=True)
class SegmentView:
    destination: AepDestination
    found: AepSegment | None  # None: the destination's segments were not collected
    destination_location: str

    @property
    def segment(self) -> AepSegment:
        if self.found is None:
            raise Missing(f"{self.destination_location}.segments")
        return self.found


@dataclass(frozen=True)
class MappingView:
    destination: AepDestination
    found: AepMapping | None  # None: the destination's mappings were not collected
    destination_location: str

    @property
    def mapping(self) -> AepMapping:
        if self.found is None:
            raise Missing(f"{self.destination_location}.mappings")
        return self.found


class AttributeView(ModelView, model=AttributeDefinition):
    """An Email Demographics attribute a Mapping ID names, compared declaratively (AEP503, AEP504)."""

    def __init__(self, attribute: AttributeDefinition, location: str) -> None:
        super().__init__(attribute, location)
        self._attribute = attribute

    @property
    def name_has_whitespace(self) -> bool:
        return any(character.isspace() for character in self._attribute.name)


@dataclass(frozen=True)
class AttributeSetView:
    attribute_set: AttributeSet
    location: str

    @property
    def attributes(self) -> list[AttributeDefinition]:
        if self.attribute_set.attributes is None:
            raise Missing(f"{self.location}.attributes")
        return self.attribute_set.attributes


# -- selectors -------------------------------------------------------------------------------

def _destinations_with_location(ctx: Context) -> list[tuple[str, AepDestination]]:
    destinations = ctx.snapshot.aep.destinations if ctx.snapshot.aep else []
    return [(f"aep.destinations[{position}]", destination) for position, destination in enumerate(destinations)]


def destination_label(destination: AepDestination) -> str:
    return f"AEP destination '{destination.name}'"


def _destinations(ctx: Context) -> list[Subject]:
    return [Subject(destination.name, destination_label(destination), location,
                    DestinationView(destination, location))
            for location, destination in _destinations_with_location(ctx)]


def _segments(ctx: Context) -> list[Subject]:
    """Every activated segment of every destination; one unknown subject where none were collected."""
    subjects = []
    for location, destination in _destinations_with_location(ctx):
        if destination.segments is None:
            subjects.append(Subject(f"{destination.name}/segments", f"segments of {destination_label(destination)}",
                                    location, SegmentView(destination, None, location)))
            continue
        for position, segment in enumerate(destination.segments):
            subjects.append(Subject(f"{destination.name}/{segment.id or segment.name}",
                                    f"segment '{segment.name}' on {destination_label(destination)}",
                                    f"{location}.segments[{position}]", SegmentView(destination, segment, location)))
    return subjects


def _other_mappings(ctx: Context) -> list[Subject]:
    """Mappings besides the two mandatory ones (contactKey identity, personalEmail.address), which
    AEP505 checks and whose targets the Adobe page fixes itself."""
    subjects = []
    for location, destination in _destinations_with_location(ctx):
        if destination.mappings is None:
            subjects.append(Subject(f"{destination.name}/mappings", f"mappings of {destination_label(destination)}",
                                    location, MappingView(destination, None, location)))
            continue
        for position, mapping in enumerate(destination.mappings):
            if is_contact_key_identity(mapping) or is_personal_email(mapping):
                continue
            subjects.append(Subject(f"{destination.name}/{mapping.source}->{mapping.target}",
                                    f"mapping {mapping.source} -> {mapping.target} on {destination_label(destination)}",
                                    f"{location}.mappings[{position}]", MappingView(destination, mapping, location)))
    return subjects


def email_demographics(ctx: Context) -> tuple[str, AttributeSet]:
    """The Email Demographics set and its location; Missing when the collected sets lack it."""
    found = ctx.index.aep.email_demographics
    if found is None:
        raise Missing("marketing_cloud.attribute_sets[Email Demographics]")
    return f"marketing_cloud.attribute_sets[{found[0]}]", found[1]


def email_demographics_attributes(ctx: Context) -> tuple[str, list[AttributeDefinition]]:
    """The set's location and attributes; Missing when the set or its attribute list was not collected."""
    location, attribute_set = email_demographics(ctx)
    return location, AttributeSetView(attribute_set, location).attributes


def _email_demographics_set(ctx: Context) -> list[Subject]:
    location, attribute_set = email_demographics(ctx)
    return [Subject(attribute_set.name, f"attribute set {attribute_set.name}", location,
                    AttributeSetView(attribute_set, location))]


def _segment_attributes(ctx: Context) -> list[Subject]:
    """The Email Demographics attributes that some segment's Mapping ID names exactly, each once.
    A Mapping ID that names none is AEP502's failure, not a subject here."""
    location, attributes = email_demographics_attributes(ctx)
    positions = ctx.index.aep.attribute_positions
    subjects: dict[str, Subject] = {}
    for _, destination in _destinations_with_location(ctx):
        for segment in destination.segments or []:
            position = positions.get(segment.mapping_id or "")
            if position is None or attributes[position].name in subjects:
                continue
            attribute = attributes[position]
            subjects[attribute.name] = Subject(attribute.name, f"Email Demographics attribute '{attribute.name}'",
                                               f"{location}.attributes[{position}]",
                                               AttributeView(attribute, f"{location}.attributes[{position}]"))
    return list(subjects.values())


AEP_SUBJECTS: dict[str, Callable[[Context], list[Subject]]] = {
    "aep.destinations": _destinations,
    "aep.segments": _segments,
    "aep.other_mappings": _other_mappings,
    "aep.segment_attributes": _segment_attributes,
    "aep.email_demographics": _email_demographics_set,
}
