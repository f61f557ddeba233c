"""GET JSON from the Marketing Cloud REST API, with the run's token and page-by-page iteration."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mcaudit.collectors.http import GuardedSession
from mcaudit.collectors.marketing_cloud.token import TOKEN_RETRIES, TokenManager
from mcaudit.collectors.problems import ApiError

MAX_PAGES = 10_000


class RestClient:
    def __init__(self, tokens: TokenManager, session: GuardedSession) -> None:
        self._tokens = tokens
        self._session = session

    def get(self, path: str, params: dict[str, str | int] | None = None) -> Any:
        token = self._tokens.current()
        response = self._send(token.rest_url, token.access_token, path, params)
        for _ in range(TOKEN_RETRIES):
            if response.status_code != 401:
                break
            token = self._tokens.refresh(token)  # expired or revoked: a new token, one more try
            response = self._send(token.rest_url, token.access_token, path, params)
        if response.status_code == 401:
            raise ApiError(f"GET {path} answered HTTP 401 Unauthorized, with a new token too")
        if response.status_code != 200:
            raise ApiError(f"GET {path} answered HTTP {response.status_code}")
        return response.json()

    def _send(self, base: str, access_token: str, path: str, params: dict[str, str | int] | None) -> Any:
        return self._session.get(base + path.lstrip("/"), params=params,
                                 headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"})

    def page(self, path: str, page: int, page_size: int,
             params: dict[str, str | int] | None = None) -> dict[str, Any]:
        """One page of a list endpoint: an object with an `items` list (and usually `count`, `pageSize`)."""
        body = self.get(path, {**(params or {}), "$page": page, "$pageSize": page_size})
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise ApiError(f"GET {path}: expected an object with an items list")
        return body

    def pages(self, path: str, page_size: int, params: dict[str, str | int] | None = None) -> Iterator[list[Any]]:
        """Yield each page's items until `count` items were seen (or a page comes back empty)."""
        seen = 0
        for page in range(1, MAX_PAGES + 1):
            body = self.page(path, page, page_size, params)
            items = body["items"]
            yield items
            seen += len(items)
            count = body.get("count")
            if not items or (isinstance(count, int) and seen >= count):
                return
        raise ApiError(f"GET {path}: more than {MAX_PAGES} pages")
