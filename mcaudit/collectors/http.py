"""The one HTTP layer every collector uses (requests, simple-salesforce and zeep all go through it).

It enforces, for every request: the read-only guard; TLS (plain http only to a loopback host, such
as the test emulator; never file:); no redirect for a request that carries a credential (a POST:
login, token, SOAP; or an Authorization header), and none to another host for any request; a
timeout; bounded retries with exponential backoff and jitter on 429 (honouring Retry-After,
capped), 5xx, timeouts, dropped connections and bodies cut short; and it counts calls. API base URLs that a login or
token response names are checked by `check_api_base` before any credential is sent to them.
The retries themselves are urllib3's `Retry` on the session's adapters (PolicyRetry below adds
mcaudit's backoff, cap and call counting); the guard, the TLS rule and the counting are ours.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from mcaudit.collectors.guard import check_read_only
from mcaudit.collectors.secrets import Redactor
from mcaudit.errors import CollectionError

log = logging.getLogger("mcaudit.collect.http")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # first try included
    backoff_base: float = 0.5  # seconds; doubles per attempt
    backoff_cap: float = 8.0
    retry_after_cap: float = 30.0  # a server asking for longer is not waited for beyond this

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_cap)
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return rng.uniform(ceiling / 2, ceiling)  # jitter keeps parallel clients apart


# the vendors' domains an API base URL from a login or token response may name (and subdomains)
SALESFORCE_DOMAINS = ("salesforce.com", "force.com", "cloudforce.com", "database.com", "salesforce.mil",
                      "sfcrmproducts.cn")
MARKETING_CLOUD_DOMAINS = ("marketingcloudapis.com", "exacttarget.com", "exacttargetapis.com")


@dataclass(frozen=True)
class HttpSettings:
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    ca_bundle: str | None = None  # extra CA file for a TLS proxy; verification is never turned off
    allowed_hosts: tuple[str, ...] = ()  # --allow-host: hosts (and their subdomains) beyond the vendors'


class InsecureURL(CollectionError):
    """A URL mcaudit will not send to: plain http to another machine, another scheme, or an API base
    outside the vendor's domains."""


class RedirectRefused(CollectionError):
    """A redirect that would carry a credential, or a request, somewhere it was not sent."""


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_transport(url: str) -> None:
    """https, or http to this machine. Never file: (zeep would read a local file for a URL a
    response named); a local WSDL is given as a path, which zeep opens without a request."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and is_loopback(parts.hostname):
        return
    raise InsecureURL(f"refused {parts.scheme}://{parts.hostname or ''}: use https (plain http only to a "
                      "loopback host such as a local emulator)")


def _in_domains(host: str, domains: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in (d.lower().lstrip(".") for d in domains))


def check_api_base(url: str, vendor_domains: tuple[str, ...], settings: HttpSettings, what: str) -> str:
    """An API base URL a login or token response named: https (http only on loopback), and a host in
    the vendor's domains or one --allow-host names. Checked before any credential is sent there."""
    check_transport(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.username or parts.password:
        raise InsecureURL(f"refused {what} with user information in it ({safe_url(url)})")
    if is_loopback(host) or _in_domains(host, vendor_domains) or _in_domains(host, settings.allowed_hosts):
        return url
    raise InsecureURL(f"refused {what} {safe_url(url)}: {host} is outside {', '.join(vendor_domains)} "
                      "(if it is yours, name it with --allow-host)")


def safe_url(url: str) -> str:
    """The URL without user information (a proxy or basic-auth password) and without its query."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return f"{parts.scheme}://{netloc}{parts.path}"


def carries_credential(request: PreparedRequest) -> bool:
    """Every POST mcaudit sends carries one (a password, a client secret, a session id or token in the
    SOAP envelope); any request with an Authorization header does too."""
    return (request.method or "").upper() == "POST" or "Authorization" in request.headers


def _xml_500(status: int, content_type: str | None) -> bool:
    """How a SOAP fault travels: HTTP 500 with an XML body."""
    return status == 500 and "xml" in (content_type or "").lower()


def is_soap_fault(response: Response) -> bool:
    """A SOAP fault travels as HTTP 500, but it is an answer (INSUFFICIENT_ACCESS, INVALID_SESSION_ID,
    a bad request): asking again gets the same refusal, so it is not retried. A 500 without a fault
    body is an outage, and is."""
    if not _xml_500(response.status_code, response.headers.get("Content-Type")):
        return False
    head = response.content[:4096]
    return b":Fault>" in head or b"<Fault>" in head or b"<Fault " in head


class PolicyRetry(Retry):
    """urllib3's Retry with mcaudit's policy: which statuses and errors are retried and how many
    times is urllib3's (429, 5xx, dropped connections, timeouts); ours are the backoff with jitter,
    the cap on Retry-After, the injectable sleep, counting each retry as a call, and two answers
    that are not retried: a certificate that fails verification (it fails again) and an HTTP 500
    in XML, which is a SOAP fault (a refusal such as INSUFFICIENT_ACCESS, asked again, is refused
    again). A 500 that is not XML is an outage and is retried."""

    policy: RetryPolicy = RetryPolicy()
    sleeper: Callable[[float], None] = time.sleep
    rng: random.Random = random.Random()
    on_retry: Callable[[], None] = staticmethod(lambda: None)

    @classmethod
    def for_policy(cls, policy: RetryPolicy, *, sleep: Callable[[float], None], rng: random.Random,
                   on_retry: Callable[[], None]) -> PolicyRetry:
        retry = cls(total=policy.attempts - 1, connect=None, read=None, redirect=0, other=0,
                    status_forcelist=RETRY_STATUSES, allowed_methods=None, raise_on_status=False,
                    raise_on_redirect=False, respect_retry_after_header=True)
        retry._set_policy(policy, sleep, rng, on_retry)
        return retry

    def _set_policy(self, policy: RetryPolicy, sleep: Callable[[float], None], rng: random.Random,
                    on_retry: Callable[[], None]) -> None:
        self.policy, self.sleeper, self.rng, self.on_retry = policy, sleep, rng, on_retry

    def new(self, **kw: Any) -> PolicyRetry:
        fresh: PolicyRetry = super().new(**kw)
        fresh._set_policy(self.policy, self.sleeper, self.rng, self.on_retry)
        return fresh

    def increment(self, method: str | None = None, url: str | None = None, response: Any = None,
                  error: Exception | None = None, _pool: Any = None, _stacktrace: Any = None) -> PolicyRetry:
        if response is not None and _xml_500(response.status, response.headers.get("Content-Type")):
            # the body is not read here (the adapter still owns it): an XML 500 is taken as a fault
            raise MaxRetryError(_pool, url or "", ResponseError("a SOAP fault is an answer"))
        retried: PolicyRetry = super().increment(method, url, response, error, _pool, _stacktrace)
        self.on_retry()  # the next attempt is a call of its own
        return retried

    def get_retry_after(self, response: Any) -> float | None:
        after = super().get_retry_after(response)
        return None if after is None else min(max(after, 0.0), self.policy.retry_after_cap)

    def sleep_for_retry(self, response: Any) -> bool:
        after = self.get_retry_after(response) if response is not None and response.status == 429 else None
        if after is None:
            return False
        self._wait(after)
        return True

    def _sleep_backoff(self) -> None:
        self._wait(self.policy.delay(len(self.history), None, self.rng))

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self.sleeper(seconds)


class GuardedSession(requests.Session):
    """A requests Session that only reads, only over TLS (or loopback), and retries politely."""

    def __init__(self, settings: HttpSettings, redactor: Redactor, *, seed: int | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.redactor = redactor
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()  # reads run on several threads at once
        self._local = threading.local()
        self.trust_env = True  # honour proxies and REQUESTS_CA_BUNDLE like any requests client
        self._rng = random.Random(seed)
        retry = PolicyRetry.for_policy(settings.retry, sleep=settings.sleep, rng=self._rng, on_retry=self._count)
        for prefix in ("https://", "http://"):
            self.mount(prefix, HTTPAdapter(max_retries=retry))

    @property
    def total_calls(self) -> int:
        with self._lock:
            return sum(self.calls.values())

    def get_redirect_target(self, resp: Response) -> str | None:
        """requests asks this before following a redirect: refuse the ones that could leak."""
        target = super().get_redirect_target(resp)
        if target is None:
            return None
        sent = resp.request
        location = urljoin(sent.url or "", target)
        moved = f"HTTP {resp.status_code} from {safe_url(sent.url or '')} to {safe_url(location)}"
        if carries_credential(sent):
            raise RedirectRefused(f"not followed: {moved} (the request carried credentials)")
        if urlsplit(location).hostname != urlsplit(sent.url or "").hostname:
            raise RedirectRefused(f"not followed: {moved} (another host)")
        return target

    def send(self, request: PreparedRequest, **kwargs: Any) -> Response:
        check_transport(request.url or "")
        operation = check_read_only(request)
        kwargs["verify"] = self.settings.ca_bundle or (kwargs.get("verify") or True)
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.settings.timeout
        self._count(operation)
        self._local.operation = operation  # the adapter's retries run on this thread: they count here too
        attempt = 1
        while True:
            started = time.monotonic()
            try:
                response = super().send(request, **kwargs)
            except requests.exceptions.ChunkedEncodingError as error:
                # the connection dropped while the body was read, after urllib3's retries had
                # returned the response: every request here is a read, so it is asked again
                self._trace(request, type(error).__name__, started)
                if attempt >= self.settings.retry.attempts or kwargs.get("stream"):
                    raise
                self.settings.sleep(self.settings.retry.delay(attempt, None, self._rng))
                self._count(operation)
                attempt += 1
                continue
            except requests.RequestException as error:
                self._trace(request, type(error).__name__, started)
                raise
            self._trace(request, str(response.status_code), started)
            return response

    def _count(self, operation: str | None = None) -> None:
        with self._lock:
            self.calls[str(operation or getattr(self._local, "operation", "unknown"))] += 1

    def _trace(self, request: PreparedRequest, outcome: str, started: float) -> None:
        if not log.isEnabledFor(logging.DEBUG):
            return
        parts = urlsplit(request.url or "")
        query = f"?{self.redactor.redact(parts.query)[:120]}" if parts.query else ""
        log.debug("%s", self.redactor.redact(
            f"{request.method} {safe_url(request.url or '')}{query} -> {outcome} "
            f"in {time.monotonic() - started:.2f}s"))
