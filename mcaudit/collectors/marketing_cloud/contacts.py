"""Contact Builder attribute sets, every attribute of every set, from GET /contacts/v1/attributeSetDefinitions.

Each list item is a set (`key`, `name.value`) with its `attributes` (`name.value`, `dataType`,
`length`, `isSystemDefined`). A page carries at most 2,000 attributes; Adobe Experience Platform
reads only the first page, which is exactly what rule AEP507 warns about, so mcaudit must read them
all. The API reference does not say how a set too large for one page is split, so the reading
does not depend on it: items are merged by set id (a set that goes on over the next page adds its
further attributes to itself, and one that does not is read whole), and the collector keeps asking
while the sets seen are fewer than `count` or a page came back full of attributes. A page that
fails fails the whole section: a cut-off attribute list would make "fewer than 2,000" look true.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mcaudit.collectors.marketing_cloud.rest import MAX_PAGES, RestClient
from mcaudit.collectors.problems import ApiError
from mcaudit.snapshot.contacts import AttributeDefinition, AttributeSet

ATTRIBUTE_SET_DEFINITIONS = "contacts/v1/attributeSetDefinitions"
ATTRIBUTES_PER_PAGE = 2000  # the most one page carries (AEP's documentation of its Marketing Cloud destination)
SCOPE = "list_and_subscribers_read"  # Contacts > List and Subscribers > Read


@dataclass
class _PartialSet:
    """A set as read so far: its first item's identity, and attributes gathered from every page."""

    key: str | None
    name: str
    attributes: list[AttributeDefinition] = field(default_factory=list)
    attribute_ids: set[str] = field(default_factory=set)


def attribute_sets(rest: RestClient, page_size: int) -> list[AttributeSet]:
    found: dict[str, _PartialSet] = {}
    for number in range(1, MAX_PAGES + 1):
        body = rest.page(ATTRIBUTE_SET_DEFINITIONS, number, page_size)
        items = [item for item in body["items"] if isinstance(item, dict)]
        attributes_on_page = sum(len(_list(item.get("attributes"))) for item in items)
        before = _size(found)
        for item in items:
            _merge(found, item)
        if items and number > 1 and _size(found) == before:
            # a server that ignores $page would otherwise be asked the same page until MAX_PAGES
            raise ApiError(f"GET {ATTRIBUTE_SET_DEFINITIONS}: page {number} repeats what earlier pages held")
        if not items or not _more(body, len(items), len(found), attributes_on_page, page_size):
            return [AttributeSet(key=partial.key, name=partial.name, attributes=partial.attributes)
                    for partial in found.values()]
    raise ApiError(f"GET {ATTRIBUTE_SET_DEFINITIONS}: more than {MAX_PAGES} pages")


def _size(found: dict[str, _PartialSet]) -> tuple[int, int]:
    """How much was read so far: sets, attributes."""
    return len(found), sum(len(partial.attributes) for partial in found.values())


def _more(body: dict[str, Any], items: int, sets_seen: int, attributes_on_page: int, asked: int) -> bool:
    """Whether another page may hold more sets or more attributes of the last one."""
    if attributes_on_page >= ATTRIBUTES_PER_PAGE:
        return True  # a full page: the last set may go on
    count = body.get("count")
    if isinstance(count, int) and not isinstance(count, bool):
        return sets_seen < count
    # no count: a page as long as the page size (the server's, which may be smaller than asked) may have a next
    size = body.get("pageSize")
    return items >= (size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else asked)


def _merge(found: dict[str, _PartialSet], item: dict[str, Any]) -> None:
    key = _text(item.get("key"))
    name = _name(item) or key
    identity = _text(item.get("id")) or key or name
    if identity is None or name is None:
        raise ApiError(f"GET {ATTRIBUTE_SET_DEFINITIONS}: an attribute set without id, key or name")
    partial = found.setdefault(identity, _PartialSet(key=key, name=name))
    for attribute in _list(item.get("attributes")):
        if not isinstance(attribute, dict):
            continue
        attribute_id = _text(attribute.get("id"))
        if attribute_id is not None and attribute_id in partial.attribute_ids:
            continue  # sent again on a later page: count it once
        partial.attributes.append(_attribute(attribute, name))
        if attribute_id is not None:
            partial.attribute_ids.add(attribute_id)


def _attribute(attribute: dict[str, Any], set_name: str) -> AttributeDefinition:
    # the field name AEP matches Mapping IDs against is the attribute's name; the key is its fallback
    name = _name(attribute) or _text(attribute.get("key"))
    if name is None:
        raise ApiError(f"GET {ATTRIBUTE_SET_DEFINITIONS}: an attribute of {set_name!r} has no name")
    length = attribute.get("length")
    system_defined = attribute.get("isSystemDefined")
    return AttributeDefinition(
        name=name, data_type=_text(attribute.get("dataType")),
        length=length if isinstance(length, int) and not isinstance(length, bool) else None,
        is_custom=(not system_defined) if isinstance(system_defined, bool) else None,
    )


def _name(item: dict[str, Any]) -> str | None:
    """The list answers `name: {value: ...}`; the single-set endpoint a plain string. Accept both."""
    name = item.get("name")
    if isinstance(name, dict):
        name = name.get("value")
    return _text(name)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
