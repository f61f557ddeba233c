"""One OAuth 2.0 client-credentials token per run: cached, refreshed only near expiry or after a 401.

The token response names the tenant's REST and SOAP base URLs; every later call uses those.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mcaudit.collectors.credentials import MarketingCloudCredentials
from mcaudit.collectors.http import MARKETING_CLOUD_DOMAINS, GuardedSession, check_api_base
from mcaudit.collectors.problems import ApiError

EXPIRY_MARGIN_SECONDS = 60
# new tokens one call may ask for after a 401: reads run at once, so the token a call was sent with
# may already have been replaced (and the replacement may be refused too) by the time it fails
TOKEN_RETRIES = 2


@dataclass(frozen=True)
class Token:
    rest_url: str
    soap_url: str
    refresh_at: float  # a little before it expires, so that no call starts with a dying token
    scope: str | None
    access_token: str = field(repr=False)


class TokenManager:
    def __init__(self, credentials: MarketingCloudCredentials, session: GuardedSession,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._credentials = credentials
        self._session = session
        self._clock = clock
        self._token: Token | None = None
        self._lock = threading.Lock()
        self.requests = 0

    def current(self) -> Token:
        with self._lock:
            if self._token is None or self._clock() >= self._token.refresh_at:
                self._token = self._request()
            return self._token

    def refresh(self, stale: Token) -> Token:
        """After a 401: get a new token, unless another thread already did."""
        with self._lock:
            if self._token is stale or self._token is None:
                self._token = self._request()
            return self._token

    def _request(self) -> Token:
        body: dict[str, Any] = {"grant_type": "client_credentials", "client_id": self._credentials.client_id,
                                "client_secret": self._credentials.client_secret}
        if self._credentials.account_id is not None:
            body["account_id"] = self._credentials.account_id
        self.requests += 1
        response = self._session.post(f"{self._credentials.auth_url}/v2/token", json=body)
        if response.status_code != 200:
            raise ApiError(f"token request refused: HTTP {response.status_code} {_oauth_error(response.text)}")
        data = response.json()
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise ApiError("token response has no access_token")
        self._session.redactor.add(token)
        rest_url, soap_url = data.get("rest_instance_url"), data.get("soap_instance_url")
        if not isinstance(rest_url, str) or not isinstance(soap_url, str):
            raise ApiError("token response has no rest_instance_url/soap_instance_url "
                           "(is this a server-to-server API integration?)")
        # the token goes wherever these point: only to Marketing Cloud (or a host --allow-host names)
        for name, url in (("rest_instance_url", rest_url), ("soap_instance_url", soap_url)):
            check_api_base(url, MARKETING_CLOUD_DOMAINS, self._session.settings, f"{name} from the token response")
        expires_in = data.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 1080.0
        scope = data.get("scope")
        return Token(rest_url=rest_url.rstrip("/") + "/", soap_url=soap_url.rstrip("/") + "/",
                     refresh_at=self._clock() + lifetime - min(EXPIRY_MARGIN_SECONDS, lifetime / 2),
                     scope=scope if isinstance(scope, str) else None,
                     access_token=token)


def _oauth_error(text: str) -> str:
    """The `error` code of an OAuth error body (never the whole body: it could echo a secret)."""
    try:
        data = json.loads(text)
    except ValueError:
        return ""
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, str) and error.replace("_", "").isalnum() else ""
