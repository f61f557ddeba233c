"""Turn whatever a client library raised into one short line that is safe to print and store."""

from __future__ import annotations

import json

import requests
from lxml import etree
from pydantic import ValidationError
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceError
from urllib3.exceptions import ReadTimeoutError
from zeep.exceptions import Fault, TransportError, XMLSyntaxError

from mcaudit.collectors.secrets import Redactor
from mcaudit.errors import McauditError

MAX_LENGTH = 300


class ApiError(Exception):
    """An API answered, but not with what a read expects (status, error code, shape)."""


def describe(error: BaseException, redactor: Redactor) -> str:
    """Redacted first, cut short after: a secret cut in half would no longer match its mask."""
    return _one_line(redactor.redact(_text(error, redactor)))


def _text(error: BaseException, redactor: Redactor) -> str:
    if isinstance(error, McauditError | ApiError):
        return str(error)
    if isinstance(error, requests.exceptions.SSLError):
        return "TLS certificate verification failed (behind a TLS-inspecting proxy, set REQUESTS_CA_BUNDLE)"
    if isinstance(error, requests.Timeout) or _timed_out(error):
        return "timed out (the server did not answer within the timeout, retries included)"
    if isinstance(error, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
        return "connection failed or was dropped (retries included)"
    if isinstance(error, SalesforceAuthenticationFailed):
        return f"Salesforce login refused: {error.code}: {error.message}"
    if isinstance(error, SalesforceError):
        return f"Salesforce API error HTTP {error.status}: {_salesforce_detail(error.content, redactor)}"
    if isinstance(error, Fault):
        return f"SOAP fault: {error.message}"
    if isinstance(error, TransportError):
        return f"SOAP call failed with HTTP {error.status_code}"
    if isinstance(error, json.JSONDecodeError | XMLSyntaxError | etree.XMLSyntaxError):
        return f"malformed response body ({type(error).__name__})"
    if isinstance(error, ValidationError):
        first = error.errors(include_url=False)[0]
        place = ".".join(str(part) for part in first["loc"])
        return f"unexpected value from the API at {place}: {first['msg']}"
    return f"{type(error).__name__}: {error}"


def _timed_out(error: BaseException) -> bool:
    """requests reports read timeouts that used up urllib3's retries as a ConnectionError."""
    reason = getattr(error.args[0], "reason", None) if isinstance(error, requests.ConnectionError) and error.args \
        else None
    return isinstance(reason, ReadTimeoutError)


def _salesforce_detail(content: object, redactor: Redactor) -> str:
    if isinstance(content, list) and content and isinstance(content[0], dict):
        first = content[0]
        return f"{first.get('errorCode', '?')}: {first.get('message', '')}"
    return redactor.redact(str(content))[:200]


def error_code(error: BaseException) -> str | None:
    """The Salesforce errorCode (INVALID_FIELD, INVALID_TYPE, ...) of a REST error, if any."""
    if isinstance(error, SalesforceError) and isinstance(error.content, list) and error.content:
        first = error.content[0]
        if isinstance(first, dict):
            code = first.get("errorCode")
            return code if isinstance(code, str) else None
    return None


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_LENGTH else line[: MAX_LENGTH - 1] + "…"
