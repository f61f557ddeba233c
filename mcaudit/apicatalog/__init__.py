"""The API catalog: the one list of API names and values mcaudit may use, each with its public source.

mcaudit must never guess an API name or value. Collectors, the emulator and the tests check what
they query, retrieve or serve against api_catalog.yaml, a data file that records every Salesforce
object and field, MCC package (et4ae5) field, value set, Marketing Cloud SOAP property and REST
path with the public address it was read from. This module loads that file once and answers
lookups; it never adds a name the file does not hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from mcaudit.yamlio import load_yaml

CATALOG_FILE = "api_catalog.yaml"
# relationship paths are expanded this many levels: Profile.Name, Profile.UserLicense.Name
RELATIONSHIP_DEPTH = 2
CUSTOM_OBJECT = "custom_object"


class CatalogError(Exception):
    """The catalog file is malformed (a bug in the data file, never in the caller)."""


@dataclass(frozen=True)
class SoqlObject:
    name: str
    api: str  # rest | tooling
    fields: tuple[str, ...]  # plain fields, standard ones included
    relationships: Mapping[str, str]  # relationship name -> target object
    sources: tuple[str, ...]
    complete: bool


@dataclass(frozen=True)
class SoapObject:
    name: str
    properties: frozenset[str]  # nested paths (Client.ID) included
    not_retrievable: frozenset[str]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class RestPath:
    template: str  # e.g. /interaction/v1/interactions/{id}
    host: str  # rest | auth for Marketing Cloud; salesforce for the org's own host
    method: str
    params: tuple[str, ...]
    fields: tuple[str, ...]
    sources: tuple[str, ...]
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Catalog:
    sources: Mapping[str, str]
    objects: Mapping[str, SoqlObject]
    value_sets: Mapping[str, tuple[str, ...]]
    value_set_sources: Mapping[str, tuple[str, ...]]
    soap: Mapping[str, SoapObject]
    rest_paths: tuple[RestPath, ...]
    metadata: Mapping[str, tuple[str, ...]]  # metadata type or operation -> source tags

    def entries(self) -> Iterator[tuple[str, str, tuple[str, ...]]]:
        """Every entry as (kind, name, source tags): what a source check walks."""
        for name, obj in self.objects.items():
            yield "object", name, obj.sources
        for name, tags in self.value_set_sources.items():
            yield "value_set", name, tags
        for name, soap in self.soap.items():
            yield "soap", name, soap.sources
        for path in self.rest_paths:
            yield "rest_path", path.template, path.sources
        for name, tags in self.metadata.items():
            yield "metadata", name, tags


# -- public lookups -------------------------------------------------------------------------------

@cache
def catalog() -> Catalog:
    """The catalog, read from the package data once per process."""
    text = resources.files(__name__).joinpath(CATALOG_FILE).read_text(encoding="utf-8")
    return _build(_mapping(load_yaml(text), "catalog"))


def soql_object(object_name: str) -> SoqlObject:
    """The catalog entry for a Salesforce object; SOQL names are case-insensitive. KeyError if unknown."""
    objects = catalog().objects
    found = objects.get(object_name) or _casefold_index(objects).get(object_name.casefold())
    if found is None:
        raise KeyError(f"{object_name!r} is not in the API catalog")
    return found


def soql_fields(object_name: str) -> tuple[str, ...]:
    """All plain fields of the object, then its relationship paths up to two levels deep
    (Profile.Name, Profile.UserLicense.Name). KeyError for an object the catalog does not hold."""
    return _expanded_fields(soql_object(object_name).name)


def is_soql_field(object_name: str, path: str) -> bool:
    """Whether `path` (a field or a relationship path) exists on the object, compared as SOQL does:
    without regard to case. An unknown object is simply False."""
    try:
        fields = soql_fields(object_name)
    except KeyError:
        return False
    wanted = path.strip().casefold()
    return any(field.casefold() == wanted for field in fields)


def value_set(name: str) -> tuple[str, ...]:
    """The documented values of a picklist or enum, e.g. 'et4ae5__SendDefinition__c.et4ae5__SendStatus__c'."""
    return catalog().value_sets[name]


def soap_properties(object_type: str) -> frozenset[str]:
    """The properties of a Marketing Cloud SOAP object or type (nested paths such as Client.ID included)."""
    return catalog().soap[object_type].properties


def retrievable_properties(object_type: str) -> frozenset[str]:
    """What a Retrieve of this SOAP object may ask for: its properties less the documented non-retrievable ones."""
    found = catalog().soap[object_type]
    return frozenset(prop for prop in found.properties if prop.split(".")[0] not in found.not_retrievable)


def rest_path(path: str) -> RestPath | None:
    """The catalog entry whose template matches the path (`{x}` matches one segment), or None.
    A leading slash, a trailing slash and a query string do not matter."""
    normalized = _normalize_path(path)
    for entry in catalog().rest_paths:
        if entry.pattern.fullmatch(normalized):
            return entry
    return None


def is_rest_path(path: str) -> bool:
    return rest_path(path) is not None


def rest_params(path: str) -> tuple[str, ...]:
    """The query parameters documented for the path. KeyError if the path is not in the catalog."""
    entry = rest_path(path)
    if entry is None:
        raise KeyError(f"{path!r} is not a catalog REST path")
    return entry.params


def source_of(kind: str, name: str) -> str:
    """The public address(es) of an entry, '; '-joined. kind: object, value_set, soap, rest_path,
    metadata, or source (a tag itself). KeyError if the entry is unknown."""
    data = catalog()
    tags: tuple[str, ...]
    if kind == "object":
        tags = soql_object(name).sources
    elif kind == "value_set":
        tags = data.value_set_sources[name]
    elif kind == "soap":
        tags = data.soap[name].sources
    elif kind == "rest_path":
        entry = rest_path(name)
        if entry is None:
            raise KeyError(f"{name!r} is not a catalog REST path")
        tags = entry.sources
    elif kind == "metadata":
        tags = data.metadata[name]
    elif kind == "source":
        tags = (name,)
    else:
        raise KeyError(f"unknown catalog kind {kind!r}")
    return "; ".join(data.sources[tag] for tag in tags)


# -- building the catalog from the YAML -----------------------------------------------------------

def _build(raw: Mapping[str, Any]) -> Catalog:
    sources = {tag: _text(address, f"sources.{tag}")
               for tag, address in _mapping(raw.get("sources"), "sources").items()}
    salesforce = _mapping(raw.get("salesforce"), "salesforce")
    marketing_cloud = _mapping(raw.get("marketing_cloud"), "marketing_cloud")

    standard = _mapping(salesforce.get("custom_object_standard_fields"), "custom_object_standard_fields")
    standard_fields = _strings(standard.get("fields"), "custom_object_standard_fields.fields")
    objects = {name: _soql_object(name, _mapping(entry, name), standard_fields)
               for name, entry in _mapping(salesforce.get("objects"), "salesforce.objects").items()}

    value_sets: dict[str, tuple[str, ...]] = {}
    value_set_sources: dict[str, tuple[str, ...]] = {}
    for section in (salesforce, marketing_cloud):
        for name, entry in _mapping(section.get("value_sets"), "value_sets").items():
            if name in value_sets:
                raise CatalogError(f"value set {name!r} is defined twice")
            where = f"value_sets.{name}"
            value_sets[name] = _strings(_mapping(entry, where).get("values"), where)
            value_set_sources[name] = _tags(entry, where)

    soap = _soap(marketing_cloud)
    rest_paths = tuple(_rest_path(template, _mapping(entry, template), host)
                       for section, host in ((salesforce, "salesforce"), (marketing_cloud, "rest"))
                       for template, entry in _mapping(section.get("rest_paths"), "rest_paths").items())
    metadata = {name: _tags(entry, name)
                for key in ("metadata", "metadata_operations")
                for name, entry in _mapping(salesforce.get(key, {}), key).items()}
    metadata["custom_object_standard_fields"] = _tags(standard, "custom_object_standard_fields")

    built = Catalog(sources=sources, objects=objects, value_sets=value_sets, value_set_sources=value_set_sources,
                    soap=soap, rest_paths=rest_paths, metadata=metadata)
    _check_references(built, salesforce)
    return built


def _soql_object(name: str, entry: Mapping[str, Any], standard_fields: tuple[str, ...]) -> SoqlObject:
    fields = _strings(entry.get("fields"), f"{name}.fields")
    if entry.get("standard_fields") == CUSTOM_OBJECT:
        # custom objects carry the platform's standard fields besides their own
        extra = _strings(entry.get("extra_standard_fields", []), f"{name}.extra_standard_fields")
        fields = standard_fields + extra + fields
    elif "standard_fields" in entry:
        raise CatalogError(f"{name}.standard_fields: only {CUSTOM_OBJECT!r} is known")
    if len(set(fields)) != len(fields):
        raise CatalogError(f"{name}: a field is listed twice")
    relationships = {rel: _text(target, f"{name}.relationships.{rel}")
                     for rel, target in _mapping(entry.get("relationships", {}), f"{name}.relationships").items()}
    return SoqlObject(name=name, api=_text(entry.get("api"), f"{name}.api"), fields=fields,
                      relationships=relationships, sources=_tags(entry, name),
                      complete=bool(entry.get("complete", False)))


def _soap(marketing_cloud: Mapping[str, Any]) -> dict[str, SoapObject]:
    types = _mapping(marketing_cloud.get("soap_types"), "soap_types")
    objects = _mapping(marketing_cloud.get("soap_objects"), "soap_objects")
    found: dict[str, SoapObject] = {}
    for name, raw_entry in [*types.items(), *objects.items()]:
        if name in found:
            raise CatalogError(f"SOAP type {name!r} is defined twice")
        entry = _mapping(raw_entry, name)
        properties = set(_strings(entry.get("properties"), f"{name}.properties"))
        for prop, type_name in _mapping(entry.get("nested", {}), f"{name}.nested").items():
            nested = _mapping(types.get(type_name), f"soap_types.{type_name}")
            properties.update(f"{prop}.{inner}" for inner in _strings(nested.get("properties"), type_name))
        found[name] = SoapObject(
            name=name, properties=frozenset(properties), sources=_tags(entry, name),
            not_retrievable=frozenset(_strings(entry.get("not_retrievable", []), f"{name}.not_retrievable")))
    return found


def _rest_path(template: str, entry: Mapping[str, Any], default_host: str) -> RestPath:
    if not template.startswith("/"):
        raise CatalogError(f"REST path {template!r} must start with '/'")
    # each {name} stands for exactly one path segment (or the rest of one, as in v{version})
    pattern = re.compile("".join(r"[^/]+" if part.startswith("{") else re.escape(part)
                                 for part in re.split(r"(\{[^}]+\})", template)))
    return RestPath(template=template, host=str(entry.get("host", default_host)),
                    method=_text(entry.get("method"), f"{template}.method"),
                    params=_strings(entry.get("params", []), f"{template}.params"),
                    fields=_strings(entry.get("fields", []), f"{template}.fields"),
                    sources=_tags(entry, template), pattern=pattern)


def _check_references(built: Catalog, salesforce: Mapping[str, Any]) -> None:
    """Every source tag resolves to an address, every relationship to a catalog object and every
    metadata value-set reference to a value set: a dangling name is itself a guess."""
    for kind, name, tags in built.entries():
        unknown = [tag for tag in tags if tag not in built.sources]
        if unknown:
            raise CatalogError(f"{kind} {name!r}: unknown source tag(s) {', '.join(unknown)}")
    for obj in built.objects.values():
        for rel, target in obj.relationships.items():
            if target not in built.objects:
                raise CatalogError(f"{obj.name}.{rel} points to {target!r}, which is not in the catalog")
    for name, entry in _mapping(salesforce.get("metadata", {}), "metadata").items():
        for field, set_name in _mapping(_mapping(entry, name).get("value_sets", {}), name).items():
            if set_name not in built.value_sets:
                raise CatalogError(f"metadata {name}.{field} names the unknown value set {set_name!r}")


@cache
def _expanded_fields(canonical_name: str) -> tuple[str, ...]:
    obj = catalog().objects[canonical_name]
    return obj.fields + tuple(_relationship_paths(obj, RELATIONSHIP_DEPTH))


def _relationship_paths(obj: SoqlObject, depth: int, prefix: str = "") -> Iterator[str]:
    if depth <= 0:
        return
    objects = catalog().objects
    for rel, target_name in obj.relationships.items():
        target = objects[target_name]
        path = f"{prefix}{rel}."
        yield from (path + field for field in target.fields)
        yield from _relationship_paths(target, depth - 1, path)


def _casefold_index(objects: Mapping[str, SoqlObject]) -> dict[str, SoqlObject]:
    return {name.casefold(): obj for name, obj in objects.items()}


def _normalize_path(path: str) -> str:
    bare = path.split("?", 1)[0].strip().strip("/")
    return "/" + bare


def _tags(entry: Any, where: str) -> tuple[str, ...]:
    raw = _mapping(entry, where).get("source")
    tags = (raw,) if isinstance(raw, str) else _strings(raw, f"{where}.source")
    if not tags:
        raise CatalogError(f"{where}: no source")
    return tags


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise CatalogError(f"{where}: expected a mapping")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise CatalogError(f"{where}: expected a list of non-empty strings")
    return tuple(value)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise CatalogError(f"{where}: expected a non-empty string")
    return value
