"""Log in to Salesforce: username/password/security token, an access token, or the JWT bearer flow.

simple-salesforce builds its login URLs from a `domain` (https://{domain}.salesforce.com); to honour
--sf-login-url (My Domain, a sandbox, a proxy or the test emulator) its SOAP login is pointed at
the full URL, and the JWT token request is sent with its `token_login` helper.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import jwt
from simple_salesforce.api import Salesforce
from simple_salesforce.login import SalesforceLogin, token_login

from mcaudit.collectors.credentials import SalesforceCredentials
from mcaudit.collectors.http import SALESFORCE_DOMAINS, GuardedSession, check_api_base
from mcaudit.errors import InputError

API_VERSION = "59.0"
JWT_LIFETIME_SECONDS = 180


@dataclass(frozen=True)
class SalesforceSession:
    instance_url: str
    session_id: str = field(repr=False)


def log_in(credentials: SalesforceCredentials, session: GuardedSession, api_version: str) -> SalesforceSession:
    if credentials.mode == "access_token":
        assert credentials.access_token and credentials.instance_url
        return SalesforceSession(credentials.instance_url, credentials.access_token)
    if credentials.mode == "jwt":
        session_id, host = _jwt_login(credentials, session)
    else:
        session_id, host = SalesforceLogin(
            username=credentials.username, password=credentials.password,
            security_token=credentials.security_token or "", sf_version=api_version, session=session,
            scratch_url=credentials.login_url,  # "scratch_url" is simple-salesforce's custom login URL
        )
    session.redactor.add(session_id)
    scheme = urlsplit(credentials.login_url).scheme or "https"  # the helpers drop it from the host
    # the session id goes to the instance the login answer names: only Salesforce (or --allow-host)
    instance = credentials.instance_url or check_api_base(
        f"{scheme}://{host}", SALESFORCE_DOMAINS, session.settings, "instance URL from the login response")
    return SalesforceSession(instance, session_id)


def _jwt_login(credentials: SalesforceCredentials, session: GuardedSession) -> tuple[str, str]:
    assert credentials.private_key_file is not None and credentials.consumer_key is not None
    try:
        key = credentials.private_key_file.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the private key: {error.strerror}",
                         path=str(credentials.private_key_file)) from None
    audience = ("https://test.salesforce.com" if "test.salesforce.com" in credentials.login_url
                else "https://login.salesforce.com")
    claims = {"iss": credentials.consumer_key, "sub": credentials.username, "aud": audience,
              "exp": int(time.time()) + JWT_LIFETIME_SECONDS}
    try:
        assertion = jwt.encode(claims, key, algorithm="RS256")
    except (ValueError, TypeError) as error:
        raise InputError(f"cannot sign the JWT with this key: {type(error).__name__}",
                         path=str(credentials.private_key_file)) from None
    token_data = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
    access_token, host = token_login(f"{credentials.login_url}/services/oauth2/token", token_data, "login",
                                     credentials.consumer_key, None, None, session)
    return str(access_token), str(host)


def client(login: SalesforceSession, session: GuardedSession, api_version: str) -> Salesforce:
    sf = Salesforce(session_id=login.session_id, instance_url=login.instance_url, session=session,
                    version=api_version)
    # simple-salesforce assumes https; keep the scheme we were given (http only to a loopback emulator)
    sf.base_url = f"{login.instance_url}/services/data/v{api_version}/"
    return sf
