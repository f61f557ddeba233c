"""Checks of the Adobe Experience Platform "(API) Salesforce Marketing Cloud" destination (AEP5xx).

Names are compared the way each side compares them: a Mapping ID must equal an Email Demographics
field name exactly (case included), while subdomains, roles and identity names are not
case-sensitive. A near miss is named in the failure, because "differs only in case" is the
usual cause of the destination's "Unknown errors encountered while pushing events".
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from mcaudit.engine.base import Subject
from mcaudit.engine.checks.outcome import Outcome
from mcaudit.engine.context import Context, Missing, NotApplicable
from mcaudit.engine.index import fold
from mcaudit.engine.index_aep import EMAIL_DEMOGRAPHICS, loose
from mcaudit.engine.subjects_aep import (
    CONTACT_KEY_TARGETS,
    email_demographics_attributes,
    is_contact_key_identity,
    is_personal_email,
)
from mcaudit.findings import Status
from mcaudit.snapshot.aep import AepDestination, AepMapping, MappingTargetKind
from mcaudit.snapshot.marketing_cloud import Role

# host names every account shares (auth.exacttarget.com, mc.s7.exacttarget.com...), never a tenant
GENERIC_PREFIXES = frozenset({"auth", "rest", "soap", "login", "www", "mc", "api", "exacttarget",
                              "marketingcloudapis", "salesforce"})
STACK_PREFIX = re.compile(r"s\d{1,2}")
BARE_SUBDOMAIN = re.compile(r"[a-z0-9][a-z0-9-]*", re.IGNORECASE)
EMAIL_SET_NAMES = frozenset({"email", EMAIL_DEMOGRAPHICS})  # how a role's attribute-set access names it
EMAIL_ACCESS_FACT = "marketing_cloud.api_user.email_attribute_set_access"
ALLOWED_WORDS = frozenset({"true", "yes", "allow", "allowed"})
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _quoted(names: Iterable[str]) -> str:
    """Names in repr quotes, so that a trailing space or a tab can be seen."""
    return ", ".join(repr(name) for name in names) or "none"


# -- AEP501: the subdomain ---------------------------------------------------------------------

def _subdomain_problem(entered: str) -> str | None:
    text = entered.strip()
    if not text:
        return "empty"
    if "://" in text or "/" in text:
        return "a URL"
    if "." in text:
        return "a host name"
    if any(character.isspace() for character in entered):
        return "not bare: it contains whitespace"
    if fold(text) in GENERIC_PREFIXES or STACK_PREFIX.fullmatch(fold(text)):
        return "a generic endpoint name that every account shares, not a tenant prefix"
    if not BARE_SUBDOMAIN.fullmatch(text):
        return "not a subdomain: it has characters other than letters, digits and hyphens"
    return None


def _prefix_in(entered: str) -> str | None:
    """The first label of a URL's or host name's host, when it can be a tenant prefix."""
    text = entered.strip()
    host = urlsplit(text if "://" in text else "//" + text).hostname or ""
    first = host.split(".")[0]
    if BARE_SUBDOMAIN.fullmatch(first) and first not in GENERIC_PREFIXES and not STACK_PREFIX.fullmatch(first):
        return first
    return None


def aep_subdomain_is_tenant_prefix(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """AEP501: the destination's Subdomain is the bare tenant prefix, and this account's."""
    entered = subject.view.destination.subdomain
    if entered is None:
        raise Missing(f"{subject.location}.subdomain")
    tenant = ctx.index.mc.subdomain if ctx.index.mc else None
    evidence = (f"subdomain entered in AEP: {entered!r}",
                f"marketing_cloud.subdomain: {tenant}" if tenant else
                "marketing_cloud.subdomain: not collected, so not compared")
    problem = _subdomain_problem(entered)
    if problem:
        hint = tenant or _prefix_in(entered)
        return Outcome(Status.fail, f"{subject.label}: the subdomain {entered!r} is {problem}; enter only the "
                       "tenant prefix" + (f" ('{hint}')" if hint else ""), evidence)
    if tenant and fold(entered) != fold(tenant):
        return Outcome(Status.fail, f"{subject.label}: the subdomain '{entered}' is not this account's "
                       f"('{tenant}'), so the destination authenticates against another tenant", evidence)
    return Outcome(Status.pass_, f"{subject.label} uses the bare tenant subdomain '{entered}'"
                   + (", this account's own" if tenant else ""), evidence)


# -- AEP502 / AEP506: names that must be Email Demographics attributes --------------------------

def _not_an_attribute(ctx: Context, name: str) -> str:
    """Why `name` is no Email Demographics field name, with the nearest explanation found."""
    near = ctx.index.aep.near_misses(name)
    if near:
        return (f"no Email Demographics field name is exactly {name!r}; {_quoted(near)} differs only in case "
                "or whitespace")
    elsewhere = ctx.index.aep.other_sets_by_attribute.get(name)
    if elsewhere:
        return (f"{name!r} is a field of {', '.join(sorted(set(elsewhere)))}, not of Email Demographics, the only "
                "attribute set the destination writes")
    return f"no Email Demographics attribute is named {name!r}"


def segment_mapping_id_matches(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """AEP502: the segment's Mapping ID is exactly the field name of an Email Demographics attribute."""
    segment = subject.view.segment
    email_demographics_attributes(ctx)  # Missing when not collected
    mapping_id = segment.mapping_id
    if mapping_id is None or not mapping_id.strip():
        return Outcome(Status.fail, f"{subject.label} has no Mapping ID, so its status has no attribute to go to",
                       (f"Mapping ID: {mapping_id!r}",))
    evidence = (f"Mapping ID: {mapping_id!r}",)
    if mapping_id in ctx.index.aep.attribute_positions:
        return Outcome(Status.pass_, f"{subject.label}: Mapping ID '{mapping_id}' is an Email Demographics "
                       "field name", evidence)
    return Outcome(Status.fail, f"{subject.label}: {_not_an_attribute(ctx, mapping_id)}", evidence)


def _identity_outcome(subject: Subject, mapping: AepMapping) -> Outcome:
    return Outcome(Status.fail, f"{subject.label}: the destination's only target identity is contactKey "
                   f"(salesforceContactKey); identity {mapping.target!r} is not supported",
                   (f"target identity: {mapping.target}",))


def mapping_target_supported(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """AEP506: a mapping besides the mandatory ones targets an Email Demographics attribute."""
    mapping = subject.view.mapping
    if mapping.target_kind is MappingTargetKind.identity:
        return _identity_outcome(subject, mapping)
    evidence = (f"target: {mapping.target!r}", f"attribute set: {mapping.attribute_set or 'not recorded'}")
    if mapping.attribute_set is not None and loose(mapping.attribute_set) != EMAIL_DEMOGRAPHICS:
        return Outcome(Status.fail, f"{subject.label} targets the attribute set '{mapping.attribute_set}'; the "
                       "destination supports only Email Demographics attributes", evidence)
    email_demographics_attributes(ctx)  # Missing when not collected
    if mapping.target in ctx.index.aep.attribute_positions:
        return Outcome(Status.pass_, f"{subject.label} targets an Email Demographics attribute", evidence)
    return Outcome(Status.fail, f"{subject.label}: {_not_an_attribute(ctx, mapping.target)}", evidence)


# -- AEP505: the mandatory mappings ------------------------------------------------------------

def mandatory_mappings_present(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """AEP505: contactKey is mapped to the salesforceContactKey identity and personalEmail.address is mapped."""
    destination: AepDestination = subject.view.destination
    mappings = destination.mappings
    if mappings is None:
        raise Missing(f"{subject.location}.mappings")
    lacking = []
    if not any(is_contact_key_identity(mapping) for mapping in mappings):
        lacking.append("contactKey -> Identity: salesforceContactKey")
    if not any(is_personal_email(mapping) for mapping in mappings):
        lacking.append("personalEmail.address")
    evidence = ["mappings: " + (", ".join(f"{m.source} -> {m.target_kind.value} {m.target}" for m in mappings)
                                or "none")]
    if any(loose(m.target) in CONTACT_KEY_TARGETS and m.target_kind is MappingTargetKind.attribute
           for m in mappings):
        evidence.append("contactKey is mapped as an attribute; it must target the identity")
    if lacking:
        return Outcome(Status.fail, f"{subject.label} lacks the mandatory mapping(s): {'; '.join(lacking)}",
                       tuple(evidence))
    return Outcome(Status.pass_, f"{subject.label} maps contactKey to the salesforceContactKey identity and "
                   "personalEmail.address", tuple(evidence))


# -- AEP507 / AEP509: the size of Email Demographics -------------------------------------------

def _named_by_destinations(ctx: Context) -> set[str]:
    """Every field name a Mapping ID or an attribute mapping of any destination uses."""
    destinations = ctx.snapshot.aep.destinations if ctx.snapshot.aep else []
    names: set[str] = set()
    for destination in destinations:
        names.update(segment.mapping_id for segment in destination.segments or [] if segment.mapping_id)
        names.update(mapping.target for mapping in destination.mappings or []
                     if mapping.target_kind is MappingTargetKind.attribute)
    return names


def _first(names: list[str], shown: int = 5) -> str:
    more = len(names) - shown
    return _quoted(names[:shown]) + (f" and {more} more" if more > 0 else "")


def attribute_page_limit(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """AEP507: Email Demographics fits in the one page of attribute definitions AEP reads."""
    page = int(params.get("page_size", 2000))
    attributes = subject.view.attributes
    count = len(attributes)
    evidence = [f"attributes in the set: {count}", f"attributes AEP reads: the first {page} (one API page)"]
    if count <= page:
        return Outcome(Status.pass_, f"{subject.label} has {count} attributes, all within the first page of {page}",
                       tuple(evidence))
    beyond = [attribute.name for attribute in attributes[page:]]
    evidence.append(f"beyond the first page, in the order collected: {_first(beyond)}")
    used = _named_by_destinations(ctx)
    used_beyond = [name for name in beyond if name in used]
    if used_beyond:
        evidence.append(f"used by a destination but beyond the first page: {_first(used_beyond)}")
    return Outcome(Status.fail, f"{subject.label} has {count} attributes; AEP reads only the first {page}, so "
                   f"the last {count - page} are never offered as target fields", tuple(evidence))


def custom_attribute_headroom(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """AEP509: custom Email Demographics attributes stay below the share of the edition's limit."""
    threshold = int(params.get("threshold_percent", 90))
    limit = ctx.index.mc.custom_attribute_limit if ctx.index.mc else None
    if limit is None:
        raise Missing("marketing_cloud.custom_attribute_limit")
    attributes = subject.view.attributes
    custom = sum(1 for attribute in attributes if attribute.is_custom is True)
    undecided = sum(1 for attribute in attributes if attribute.is_custom is None)
    share = f"{custom * 100 // limit}%" if limit > 0 else "the whole limit"
    evidence = [f"custom attributes: {custom} of the edition's limit of {limit} ({share})"]
    if undecided:
        evidence.append(f"attributes not known to be custom or system: {undecided}")

    def near(count: int) -> bool:
        return count * 100 >= limit * threshold

    if near(custom):
        room = ("no new attribute for a segment can be added until an old one is removed" if custom >= limit
                else f"only {limit - custom} more can be added")
        return Outcome(Status.fail, f"{subject.label} is {'at' if custom >= limit else 'near'} the limit of custom "
                       f"attributes ({custom} of {limit}): {room}", tuple(evidence))
    if near(custom + undecided):
        raise Missing(f"{subject.location}.attributes[].is_custom")
    return Outcome(Status.pass_, f"{subject.label} has {custom} custom attributes, below {threshold}% of the limit "
                   f"of {limit}", tuple(evidence))


# -- AEP508: the API user's access to the Email attribute set ----------------------------------

def _grants_email(role: Role) -> bool:
    return any(loose(name) in EMAIL_SET_NAMES for name in role.attribute_set_access or [])


def _describe_role(role: Role) -> str:
    access = role.attribute_set_access
    shown = "not recorded" if access is None else (", ".join(access) or "none")
    return f"{role.name} (attribute sets: {shown})"


def _attested_email_access(ctx: Context, subject: Subject, evidence: list[str]) -> Outcome | None:
    """A person's answer, when the roles leave the question open; None when there is no current one."""
    lookup = ctx.attestation(EMAIL_ACCESS_FACT, subject.key)
    if not lookup.found:
        return None
    allowed = lookup.raw_value is True or fold(str(lookup.raw_value)) in ALLOWED_WORDS
    evidence.append(f"access to the Email attribute set: {'allowed' if allowed else 'not allowed'} "
                    f"({lookup.attested.label() if lookup.attested else 'attested'})")
    if allowed:
        return Outcome(Status.pass_, f"{subject.label} may use the Email attribute set", tuple(evidence),
                       lookup.attested)
    return Outcome(Status.fail, f"{subject.label} may not use the Email attribute set, so the destination cannot "
                   "update Email Demographics", tuple(evidence), lookup.attested)


def api_user_email_attribute_access(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """AEP508: one of the API user's roles allows the Email attribute set (Email Demographics)."""
    if not (ctx.snapshot.aep and ctx.snapshot.aep.destinations):
        raise NotApplicable("no AEP destination is configured")
    _, user = ctx.index.mc_users_by_username[fold(subject.key)]
    if user.roles is None:
        raise Missing(f"{subject.location}.roles")
    known = ctx.index.aep.roles_by_name
    roles = list({id(role): role for name in user.roles if (role := known.get(fold(name)))}.values())
    unlisted = [name for name in user.roles if fold(name) not in known]
    evidence = ["roles: " + (", ".join([_describe_role(role) for role in roles] + unlisted) or "none")]
    granting = [role.name for role in roles if _grants_email(role)]
    if granting:
        return Outcome(Status.pass_, f"{subject.label} may use the Email attribute set through the role(s) "
                       f"{', '.join(granting)}", tuple(evidence))
    undecided = [role for role in roles if role.attribute_set_access is None]
    if undecided or unlisted:
        attested = _attested_email_access(ctx, subject, evidence)
        if attested is not None:
            return attested
        if undecided:
            return Outcome(Status.manual, "", attested=ctx.attestation(EMAIL_ACCESS_FACT, subject.key).stale)
        raise Missing(f"marketing_cloud.roles[{unlisted[0]}]")
    return Outcome(Status.fail, f"{subject.label} has no role that allows the Email attribute set, so the "
                   "destination cannot update Email Demographics", tuple(evidence))


# -- AEP510: the IP allowlist ------------------------------------------------------------------

def _networks(entry: str) -> list[Network] | None:
    """A CIDR range, a single address or a 'first-last' range (as MC Setup lists them); None if unreadable."""
    try:
        if "-" in entry:
            first, last = (ipaddress.ip_address(part.strip()) for part in entry.split("-", 1))
            return list(ipaddress.summarize_address_range(first, last))
        return [ipaddress.ip_network(entry.strip(), strict=False)]
    except (ValueError, TypeError):
        return None


class Allowlist:
    """The allowlist merged into disjoint sorted blocks, so each lookup is one binary search."""

    def __init__(self, entries: list[str]) -> None:
        parsed = [(entry, _networks(entry)) for entry in entries]
        self.unreadable = [entry for entry, networks in parsed if networks is None]
        self._blocks: dict[int, list[Network]] = {}
        self._starts: dict[int, list[Any]] = {}
        for version in (4, 6):
            members = [net for _, networks in parsed for net in networks or [] if net.version == version]
            self._blocks[version] = sorted(ipaddress.collapse_addresses(members))  # type: ignore[type-var]
            self._starts[version] = [block.network_address for block in self._blocks[version]]

    def covers(self, network: Network) -> bool:
        # the blocks are disjoint and merged: only the last one starting at or before the network can hold it
        position = bisect.bisect_right(self._starts[network.version], network.network_address) - 1
        return position >= 0 and network.subnet_of(self._blocks[network.version][position])  # type: ignore[arg-type]


def source_ranges_allowlisted(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """AEP510: when the account restricts IPs, every range AEP streams from is on its allowlist."""
    security = ctx.index.mc.security if ctx.index.mc else None
    if security is None or security.ip_allowlist_restricted is None:
        raise Missing("marketing_cloud.security.ip_allowlist_restricted")
    if not security.ip_allowlist_restricted:
        raise NotApplicable("the Marketing Cloud account does not restrict access by IP address")
    if security.ip_allowlist is None:
        raise Missing("marketing_cloud.security.ip_allowlist")
    sources = subject.view.destination.source_ip_ranges
    if not sources:  # an empty list says nothing about where AEP connects from
        raise Missing(f"{subject.location}.source_ip_ranges")
    allowlist = Allowlist(security.ip_allowlist)
    outside = [source for source in sources
               if not (networks := _networks(source)) or not all(allowlist.covers(net) for net in networks)]
    evidence = [f"AEP source ranges: {', '.join(sources)}",
                f"account allowlist: {', '.join(security.ip_allowlist) or 'empty'}"]
    if allowlist.unreadable:
        evidence.append(f"allowlist entries that are not IP ranges (ignored): {_quoted(allowlist.unreadable)}")
    if outside:
        return Outcome(Status.fail, f"{subject.label}: the account restricts access by IP and {len(outside)} of "
                       f"the {len(sources)} AEP source range(s) are not on its allowlist: {', '.join(outside)}",
                       tuple(evidence))
    return Outcome(Status.pass_, f"{subject.label}: every AEP source range is on the account's IP allowlist",
                   tuple(evidence))
