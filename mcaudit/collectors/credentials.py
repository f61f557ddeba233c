"""Credentials for each side, from flags, MCAUDIT_* environment variables, a file or a prompt.

Secret fields are excluded from repr, and every secret is registered with the redactor as soon as
it is read, so no log line, error or snapshot can carry it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from mcaudit.collectors.secrets import Redactor
from mcaudit.errors import InputError
from mcaudit.untrusted import ORG_JSON, read_document

DEFAULT_SF_LOGIN_URL = "https://login.salesforce.com"
MC_AUTH_HOST = "auth.marketingcloudapis.com"

Prompt = Callable[[str, bool], str]  # (label, hide_input) -> answer


@dataclass(frozen=True)
class SalesforceCredentials:
    login_url: str = DEFAULT_SF_LOGIN_URL
    instance_url: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    security_token: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    consumer_key: str | None = None
    private_key_file: Path | None = None

    @property
    def mode(self) -> str:
        if self.access_token:
            return "access_token"
        if self.consumer_key and self.private_key_file:
            return "jwt"
        return "password"


@dataclass(frozen=True)
class MarketingCloudCredentials:
    client_id: str
    client_secret: str = field(repr=False)
    auth_url: str
    subdomain: str | None = None
    account_id: int | None = None
    api_user: str | None = None  # the MC user the connector authenticates as (no API says which)


@dataclass(frozen=True)
class SalesforceInput:
    """What the command line and environment gave for Salesforce, before prompting."""

    login_url: str | None = None
    instance_url: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    security_token: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    org_json: Path | None = None
    consumer_key: str | None = None
    private_key_file: Path | None = None


@dataclass(frozen=True)
class MarketingCloudInput:
    subdomain: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    account_id: int | None = None
    auth_url: str | None = None
    api_user: str | None = None


def resolve_salesforce(given: SalesforceInput, redactor: Redactor, prompt: Prompt | None) -> SalesforceCredentials:
    access_token, instance_url, username = given.access_token, given.instance_url, given.username
    if given.org_json is not None:
        from_file = read_org_json(given.org_json, redactor)
        access_token = access_token or from_file[0]
        instance_url = instance_url or from_file[1]
        username = username or from_file[2]
    login_url = (given.login_url or DEFAULT_SF_LOGIN_URL).rstrip("/")
    password, security_token = given.password, given.security_token
    if access_token:
        if not instance_url:
            raise InputError("--sf-access-token needs --sf-instance-url (or use --sf-org-json)")
    elif not (given.consumer_key and given.private_key_file):
        if prompt is not None:
            username = username or prompt("Salesforce username", False)
            password = password or prompt("Salesforce password", True)
            if security_token is None:
                security_token = prompt("Salesforce security token (empty if your IP is trusted)", True)
        if not (username and password):
            raise InputError("Salesforce credentials are missing: give --sf-username with --sf-password "
                             "(and --sf-security-token), --sf-access-token with --sf-instance-url, "
                             "--sf-org-json FILE, or JWT (--sf-consumer-key, --sf-private-key-file); "
                             "or collect only Marketing Cloud with --only mc")
    elif not username:
        raise InputError("JWT login needs --sf-username (the user to act as)")
    for secret in (password, security_token, access_token, urlsplit(login_url).password,
                   urlsplit(instance_url or "").password):
        redactor.add(secret)
    return SalesforceCredentials(
        login_url=login_url, instance_url=instance_url.rstrip("/") if instance_url else None,
        username=username, password=password, security_token=security_token or "",
        access_token=access_token, consumer_key=given.consumer_key, private_key_file=given.private_key_file,
    )


def read_org_json(path: Path, redactor: Redactor) -> tuple[str, str, str | None]:
    """(access token, instance URL, username) from the output of `sf org display --json`."""
    data = read_document(path, ORG_JSON).data  # untrusted like any file: a regular file, bounded, strict JSON
    result = data.get("result") if isinstance(data, dict) else None
    result = result if isinstance(result, dict) else data
    token, url = result.get("accessToken"), result.get("instanceUrl")
    if not isinstance(token, str) or not isinstance(url, str) or not token or not url:
        raise InputError("no result.accessToken and result.instanceUrl; expected the output of "
                         "`sf org display --json`", path=str(path))
    redactor.add(token)
    username = result.get("username")
    return token, url, username if isinstance(username, str) else None


def resolve_marketing_cloud(given: MarketingCloudInput, redactor: Redactor,
                            prompt: Prompt | None) -> MarketingCloudCredentials:
    subdomain, client_id, client_secret = given.subdomain, given.client_id, given.client_secret
    if prompt is not None:
        if not given.auth_url and not subdomain:
            subdomain = prompt("Marketing Cloud subdomain (the part before .auth.marketingcloudapis.com)", False)
        client_id = client_id or prompt("Marketing Cloud client id", False)
        client_secret = client_secret or prompt("Marketing Cloud client secret", True)
    if not client_id or not client_secret or not (subdomain or given.auth_url):
        raise InputError("Marketing Cloud credentials are missing: give --mc-subdomain (or --mc-auth-url), "
                         "--mc-client-id and --mc-client-secret of an installed package's API integration; "
                         "or collect only Salesforce with --only sf")
    if subdomain and ("." in subdomain or "/" in subdomain):
        raise InputError(f"--mc-subdomain: give the bare tenant prefix, not a host or URL (got '{subdomain}')")
    redactor.add(client_secret)
    auth_url = (given.auth_url or f"https://{subdomain}.{MC_AUTH_HOST}").rstrip("/")
    redactor.add(urlsplit(auth_url).password)  # a proxy's or gateway's password in the URL stays out of logs
    return MarketingCloudCredentials(
        client_id=client_id, client_secret=client_secret, auth_url=auth_url,
        subdomain=subdomain or subdomain_of(auth_url), account_id=given.account_id, api_user=given.api_user,
    )


def subdomain_of(auth_url: str) -> str | None:
    host = urlsplit(auth_url).hostname or ""
    suffix = f".{MC_AUTH_HOST}"
    return host[: -len(suffix)] if host.endswith(suffix) else None
