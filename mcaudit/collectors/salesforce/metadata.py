"""The connected app's OAuth policy from the Metadata API (listMetadata + readMetadata, two calls).

No SOQL field shows IP relaxation or the refresh token policy. The Metadata API does, where the
org allows the read; for an app installed by a managed package it may refuse or leave them out,
and then they stay null (not collected) for a person to attest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zeep.exceptions import Fault

from mcaudit.collectors import zeep_clients
from mcaudit.collectors.http import GuardedSession, is_soap_fault
from mcaudit.collectors.problems import ApiError
from mcaudit.collectors.salesforce.auth import SalesforceSession
from mcaudit.snapshot.salesforce import IpRelaxation, RefreshTokenPolicy

BINDING = "{http://soap.sforce.com/2006/04/metadata}MetadataBinding"

# enum values as the Metadata API documents them; public files show them in either case, so they
# are compared ignoring case
IP_RELAXATION = {
    "enforce": IpRelaxation.enforce,
    "bypass_2factor": IpRelaxation.bypass_2fa,
    "bypass": IpRelaxation.relax,
    "enforce_relaxrefresh": IpRelaxation.enforce_relax_refresh,
}
REFRESH_TOKEN_POLICY = {
    "zero": RefreshTokenPolicy.immediately_expire,
    "infinite": RefreshTokenPolicy.infinite,
    "specific_lifetime": RefreshTokenPolicy.specific_lifetime,
    "specific_inactivity": RefreshTokenPolicy.specific_inactivity,
}


@dataclass(frozen=True)
class OAuthPolicy:
    ip_relaxation: IpRelaxation | None
    refresh_token_policy: RefreshTokenPolicy | None


class MetadataRefused(Exception):
    """The org answered with a SOAP fault (for example INSUFFICIENT_ACCESS): a refusal, not an outage."""


def read_policies(login: SalesforceSession, session: GuardedSession, api_version: str,
                  apps: dict[str, str]) -> dict[str, OAuthPolicy]:
    """OAuth policies of the given apps ({ConnectedApplication.Id: Name}), keyed by that Id."""
    client = zeep_clients.client(str(zeep_clients.METADATA_WSDL), session)
    service = client.create_service(  # type: ignore[no-untyped-call]
        BINDING, f"{login.instance_url}/services/Soap/m/{api_version}")
    header = client.get_element("ns0:SessionHeader")(sessionId=login.session_id)  # type: ignore[no-untyped-call]
    try:
        listed = _call(client, service, "listMetadata", [{"type": "ConnectedApp"}], float(api_version),
                       _soapheaders=[header])
        full_names = match_apps(listed or [], apps)
        if not full_names:
            return {}
        read = _call(client, service, "readMetadata", "ConnectedApp", list(full_names), _soapheaders=[header])
    except Fault as fault:
        raise MetadataRefused(str(fault.message)) from None
    policies = {}
    for record in _as_list(read):
        app_id = full_names.get(getattr(record, "fullName", None) or "")
        if app_id is not None:
            policies[app_id] = _policy(getattr(record, "oauthPolicy", None))
    return policies


def _call(client: Any, service: Any, operation: str, *args: Any, **kwargs: Any) -> Any:
    """One Metadata API operation. zeep cannot read an answer that is not a SOAP envelope (an
    outage page, a proxy's error), so the raw answer is looked at first; a SOAP fault still raises
    zeep's Fault, which is a refusal."""
    with client.settings(raw_response=True):
        response = getattr(service, operation)(*args, **kwargs)
    if response.status_code != 200 and not is_soap_fault(response):
        raise MetadataUnavailable(f"{operation} answered HTTP {response.status_code} without a SOAP fault: "
                                  "an outage or a proxy, not a refusal (retries included)")
    binding = service._binding
    return binding.process_reply(client, binding.get(operation), response)


class MetadataUnavailable(ApiError):
    """The Metadata API did not answer with SOAP at all."""


def match_apps(listed: list[Any], apps: dict[str, str]) -> dict[str, str]:
    """fullName -> app Id, matching on the record Id (15-character prefix) or on the name. Each listed
    item has `fullName` and `id` attributes (listMetadata's FileProperties)."""
    by_id = {app_id[:15]: app_id for app_id in apps}
    by_name = {_fold(name): app_id for app_id, name in apps.items()}
    matched: dict[str, str] = {}
    for item in listed:
        full_name = getattr(item, "fullName", None)
        if not full_name:
            continue
        app_id = by_id.get((getattr(item, "id", None) or "")[:15]) or by_name.get(_fold(full_name.split("__")[-1]))
        if app_id is not None:
            matched[full_name] = app_id
    return dict(list(matched.items())[:10])  # readMetadata reads at most ten per call


def _fold(name: str) -> str:
    return name.replace("_", " ").strip().casefold()


def _as_list(read: Any) -> list[Any]:
    records = getattr(read, "records", read)
    if records is None:
        return []
    return list(records) if isinstance(records, list) else [records]


def _policy(policy: Any) -> OAuthPolicy:
    ip = getattr(policy, "ipRelaxation", None) if policy is not None else None
    refresh = getattr(policy, "refreshTokenPolicy", None) if policy is not None else None
    return oauth_policy(ip, refresh)


def oauth_policy(ip: Any, refresh: Any) -> OAuthPolicy:
    """ConnectedApp oauthPolicy's ipRelaxation and refreshTokenPolicy, as the Metadata API gives them
    (readMetadata, or a retrieved .connectedApp-meta.xml file), as the snapshot's values."""
    refresh_kind = refresh.split(":", 1)[0] if isinstance(refresh, str) else None
    return OAuthPolicy(ip_relaxation=IP_RELAXATION.get(ip.strip().casefold()) if isinstance(ip, str) else None,
                       refresh_token_policy=REFRESH_TOKEN_POLICY.get((refresh_kind or "").strip().casefold()))
