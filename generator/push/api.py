"""RudderStack's Transformations API (https://www.rudderstack.com/docs/api/transformation-api/), over HTTP.

The standard library's urllib is enough for a handful of JSON requests; the token is sent
as `Authorization: Bearer …` (what the current docs and rudder-cli use) and never appears
in anything this module returns or raises.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from .. import __version__
from ..runtime import jsvalues

US_API = "https://api.rudderstack.com"
EU_API = "https://api.eu.rudderstack.com"
REGIONS = {"us": US_API, "eu": EU_API}
TOKEN_VARIABLE = "RUDDERSTACK_ACCESS_TOKEN"
USER_AGENT = f"gen/{__version__} (+gen push)"


@dataclass(frozen=True)
class Request:
    """One API call: method, path (with its query) and JSON body."""

    method: str
    path: str
    body: dict[str, Any] | None = None

    @property
    def writes(self) -> bool:
        return self.method != "GET"


def url_problem(base_url: str) -> str | None:
    """Why the token must not go to BASE_URL (plain HTTP beyond this machine, not a URL), or None."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"--api-url {base_url!r} is not an http(s) URL"
    if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        return f"--api-url {base_url!r} would send the access token unencrypted; use https"
    return None


def path(*parts: str, **query: Any) -> str:
    """A request path from segments (each percent-encoded) and query parameters."""
    text = "/" + "/".join(quote(part, safe="") for part in parts)
    return text + ("?" + urlencode({k: _query_value(v) for k, v in query.items()}) if query else "")


def _query_value(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


class ApiError(Exception):
    """The API refused a request, answered something unreadable, or could not be reached."""

    def __init__(self, request: Request, message: str, status: int | None = None) -> None:
        super().__init__(f"{request.method} {request.path}: {message}")
        self.request = request
        self.status = status


class Client:
    """Sends requests to one API base URL with one token; GETs are retried on 5xx and timeouts."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 30.0, retries: int = 2,
                 backoff: float = 1.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    def send(self, request: Request) -> Any:
        """The decoded JSON answer to REQUEST, or ApiError with the API's own message."""
        # A write is sent once: after a timeout nobody knows whether it was applied, and a
        # second create would leave two transformations of the same name.
        attempts = 1 + (self.retries if not request.writes else 0)
        for attempt in range(attempts):
            try:
                return self._once(request)
            except ApiError as exc:
                retryable = exc.status is None or exc.status >= 500
                if not retryable or attempt == attempts - 1:
                    raise
                time.sleep(self.backoff * (2 ** attempt))
        raise AssertionError("unreachable")

    def _once(self, request: Request) -> Any:
        # As JSON.stringify writes it: UTF-8 always (a lone surrogate travels escaped).
        data = None if request.body is None else jsvalues.dumps(request.body).encode("utf-8")
        http = urllib.request.Request(self.base_url + request.path, data=data, method=request.method)
        http.add_header("Authorization", f"Bearer {self._token}")
        http.add_header("Accept", "application/json")
        http.add_header("User-Agent", USER_AGENT)
        if data is not None:
            http.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(http, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read()
            raise ApiError(request, self._redact(f"HTTP {exc.code} {exc.reason}{_api_message(body)}"),
                           exc.code) from None
        except TimeoutError:
            raise ApiError(request, f"no answer from {self.base_url} within {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            reason = exc.reason if isinstance(exc.reason, str) else getattr(exc.reason, "strerror", None) or exc.reason
            if isinstance(exc.reason, TimeoutError):
                reason = f"no answer within {self.timeout:g} s"
            raise ApiError(request, self._redact(f"cannot reach {self.base_url}: {reason}")) from None
        except OSError as exc:
            raise ApiError(request, self._redact(f"cannot reach {self.base_url}: {exc.strerror or exc}")) from None
        try:
            return json.loads(raw.decode("utf-8")) if raw.strip() else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ApiError(request, f"the answer is not JSON: {_excerpt(raw)}") from None

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text


def _api_message(body: bytes) -> str:
    """The API's own words from an error body, or an excerpt of it.

    RudderStack's control-plane APIs answer `{"error"|"message": …, "code": …, "details": {field: …}}`
    (rudder-iac's `api/client/common.go` reads the same fields).
    """
    try:
        decoded = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return f": {_excerpt(body)}" if body.strip() else ""
    if not isinstance(decoded, dict):
        return f": {_excerpt(body)}"
    message = next((decoded[k] for k in ("error", "message") if isinstance(decoded.get(k), str) and decoded[k]), None)
    if message is None:
        return f": {_excerpt(body)}"
    code = decoded.get("code")
    details = decoded.get("details")
    text = f": {message}" + (f" ({code})" if isinstance(code, str) and code else "")
    if isinstance(details, dict) and details:
        text += "; " + "; ".join(f"{k}: {details[k]}" for k in sorted(details))
    elif details:
        text += f"; {json.dumps(details, ensure_ascii=False)}"
    return text


def _excerpt(body: bytes, limit: int = 200) -> str:
    text = " ".join(body.decode("utf-8", "replace").split())
    return text if len(text) <= limit else text[:limit] + "…"
