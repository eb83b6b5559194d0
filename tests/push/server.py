"""A local RudderStack Transformations API: the documented endpoints, over real HTTP, with state.

Endpoints (https://www.rudderstack.com/docs/api/transformation-api/):
- GET  /transformations                        → {transformations: [published view]}
- POST /transformations?publish=               → create (a first revision; published when asked)
- GET  /transformations/{id}                   → the published version, 404 when never published
- POST /transformations/{id}?publish=          → a new revision
- GET  /transformations/{id}/versions?count=&orderBy=  → {TransformationVersions: [...]}
- POST /transformations/libraries/publish      → {published: true}

`fail` injects answers, consumed in order: {"POST /transformations": [(500, {"message": ...})]}, or
("sleep", seconds) for a request not answered in time; when a list runs out, the API answers
normally. Every request is recorded, headers included.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class State:
    token: str
    transformations: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    fail: dict[str, Any] = field(default_factory=dict)
    # The docs say the list holds *published* transformations; a workspace may also list drafts.
    list_unpublished: bool = True
    counter: Any = field(default_factory=lambda: itertools.count(1))
    clock: Any = field(default_factory=lambda: itertools.count(1))

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter):06d}"

    def stamp(self) -> str:
        return f"2026-11-29T10:00:{next(self.clock):02d}.000Z"

    def writes(self) -> list[Seen]:
        return [s for s in self.seen if s.method != "GET"]


def _version_view(t: dict[str, Any], revision: dict[str, Any]) -> dict[str, Any]:
    return {"id": t["id"], "versionId": revision["versionId"], "name": t["name"],
            "description": revision["description"], "code": revision["code"], "codeVersion": "1",
            "language": revision["language"], "createdAt": revision["createdAt"], "updatedAt": revision["createdAt"]}


def _published_view(t: dict[str, Any]) -> dict[str, Any] | None:
    live = next((r for r in t["revisions"] if r["versionId"] == t["published"]), None)
    if live is None:
        return None
    return {**_version_view(t, live), "destinations": []}


class _Handler(BaseHTTPRequestHandler):
    state: State

    def log_message(self, format: str, *args: Any) -> None:  # quiet under pytest
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        state = self.state
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            return self._answer(400, {"message": "Invalid JSON"})
        state.seen.append(Seen(method, parts.path, parse_qs(parts.query), dict(self.headers.items()), body))
        queue = state.fail.get(f"{method} {parts.path}")
        injected = queue.pop(0) if queue else None
        if injected is not None:
            if injected[0] == "sleep":
                time.sleep(injected[1])
                return self._answer(200, {})
            return self._answer(*injected)
        if self.headers.get("Authorization") != f"Bearer {state.token}":
            return self._answer(401, {"message": "Unauthorized: invalid access token"})
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        segments = [s for s in parts.path.split("/") if s]
        return self._route(method, segments, query, body)

    def _route(self, method: str, segments: list[str], query: dict[str, str], body: Any) -> None:
        state = self.state
        if segments[:1] != ["transformations"]:
            return self._answer(404, {"message": "Not Found"})
        rest = segments[1:]
        if method == "GET" and not rest:
            views = []
            for t in state.transformations.values():
                view = _published_view(t)
                if view is None and state.list_unpublished:
                    view = _version_view(t, t["revisions"][-1])
                if view is not None:
                    views.append(view)
            return self._answer(200, {"transformations": views})
        if method == "POST" and rest == ["libraries", "publish"]:
            if not isinstance(body, dict) or (not body.get("transformations") and not body.get("libraries")):
                return self._answer(400, {"message": "transformations or libraries is required"})
            for item in body.get("transformations", []):
                owner = next((t for t in state.transformations.values()
                              if any(r["versionId"] == item.get("versionId") for r in t["revisions"])), None)
                if owner is None:
                    return self._answer(404, {"message": f"transformation version {item.get('versionId')} not found"})
                owner["published"] = item["versionId"]
            return self._answer(200, {"published": True})
        if method == "POST" and not rest:
            if not isinstance(body, dict) or not body.get("name") or not isinstance(body.get("code"), str):
                return self._answer(400, {"message": "name and code are required"})
            ident = state.new_id("tr")
            t = {"id": ident, "name": body["name"], "revisions": [], "published": None}
            state.transformations[ident] = t
            return self._revise(t, body, query)
        t = state.transformations.get(rest[0]) if rest else None
        if t is None:
            return self._answer(404, {"message": "Transformation not found"})
        if method == "GET" and len(rest) == 1:
            view = _published_view(t)
            return self._answer(200, view) if view else self._answer(404, {"message": "No published version"})
        if method == "POST" and len(rest) == 1:
            if not isinstance(body, dict):
                return self._answer(400, {"message": "a JSON body is required"})
            return self._revise(t, body, query)
        if method == "GET" and rest[1:] == ["versions"]:
            revisions = list(t["revisions"])
            if query.get("orderBy", "ASC").upper() == "DESC":
                revisions.reverse()
            count = int(query.get("count", "5"))
            return self._answer(200, {"TransformationVersions": [_version_view(t, r) for r in revisions[:count]]})
        return self._answer(404, {"message": "Not Found"})

    def _revise(self, t: dict[str, Any], body: dict[str, Any], query: dict[str, str]) -> None:
        previous = t["revisions"][-1] if t["revisions"] else {}
        revision = {"versionId": self.state.new_id("v"), "createdAt": self.state.stamp(),
                    "code": body.get("code", previous.get("code", "")),
                    "description": body.get("description", previous.get("description", "")),
                    "language": body.get("language", previous.get("language", "javascript"))}
        t["revisions"].append(revision)
        if query.get("publish") == "true":
            t["published"] = revision["versionId"]
        return self._answer(200, _version_view(t, revision))

    def _answer(self, status: int, payload: Any) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Server:
    """The API on 127.0.0.1 in a thread; `url` is its base URL."""

    def __init__(self, token: str) -> None:
        self.state = State(token)
        handler = type("Handler", (_Handler,), {"state": self.state})
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._http.shutdown()
        self._http.server_close()
