"""RudderStack's Customer.io destination, cloud mode, default (v1 Track API) path, emulated.

What rudder-transformer v1.145.0 (src/v0/destinations/customerio: transform.ts, util.ts,
config.ts) makes of each event after the user transformation: the HTTP call Customer.io
receives (method, endpoint, JSON body), or the error the destination answers instead.
docs/preview.md lists every rule with its source; tests/customerio checks them against the
destination's own test data. Written from reading that source, not copied from it.
"""

from __future__ import annotations

import base64
import copy
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..runtime import jsvalues as runtime_jsvalues
from .jsvalues import (
    FUNCTION,
    UNDEFINED,
    JSError,
    encode_uri_component,
    field_value,
    get_value,
    is_email,
    set_value,
    to_json,
    to_string,
    truncate_utf8,
    truthy,
    unix_seconds,
)

US = "https://track.customer.io"
EU = "https://track-eu.customer.io"
BATCH_PATH = "/api/v2/batch"
MAX_BATCH = 1000
FORBIDDEN = "Object contains forbidden prototype property"
# What a replay or a preview of a file says when an event carries a `__proto__` key.
FORBIDDEN_ALONE = ("an event carries a __proto__ key: the destination refuses the whole router request it travels "
                   "in, and which events share it gen cannot know; only that event counts as rejected")
MAX_BATCH_BYTES = 500_000

# RudderStack's generic field mappings (src/v0/util/data/GenericFieldMapping.json).
USER_ID_ONLY = ("userId", "traits.userId", "traits.id", "context.traits.userId", "context.traits.id")
EMAIL = ("traits.email", "context.traits.email", "properties.email", "context.externalId.0.id")
TRAITS = ("traits", "context.traits")
CREATED_AT = ("traits.createdAt", "context.traits.createdAt")
TIMESTAMP = ("timestamp", "originalTimestamp")
GROUP_ID = ("groupId", "traits.groupId")
ADDRESS = (("city", "address.city"), ("country", "address.country"), ("postalCode", "address.postalCode"),
           ("state", "address.state"), ("street", "address.street"))
DEVICE_EVENTS = ("Application Installed", "Application Opened", "Application Uninstalled")
DEVICE_DELETE = "Application Uninstalled"
OBJECT_ACTIONS = ("identify", "delete", "add_relationships", "delete_relationships")
APPLE = ("ios", "watchos", "ipados", "tvos")


@dataclass(frozen=True)
class Config:
    """The destination's settings: `siteID`, `apiKey`, `datacenter` (US or EU), `deviceTokenEventName`."""

    site_id: Any = "SITE_ID"
    api_key: Any = "API_KEY"
    datacenter: Any = "US"
    device_token_event_name: Any = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Config:
        return cls(settings.get("siteID", UNDEFINED), settings.get("apiKey", UNDEFINED),
                   settings.get("datacenter", "US"), settings.get("deviceTokenEventName"))

    @property
    def authorization(self) -> str:
        pair = f"{to_string(self.site_id)}:{to_string(self.api_key)}".encode("utf-8", "surrogatepass")
        return "Basic " + base64.b64encode(pair).decode("ascii")


@dataclass
class Call:
    """One request Customer.io receives, or the destination's refusal (`error`)."""

    message_ids: list[Any]
    status_code: int
    method: str | None = None
    endpoint: str | None = None
    body: Any = None
    error: str | None = None
    # For reading the profile model: what kind of call, and who it is keyed by.
    kind: str | None = None

    def as_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"messageIds": self.message_ids, "statusCode": self.status_code}
        if self.error is not None:
            entry["error"] = self.error
        else:
            entry.update({"method": self.method, "endpoint": self.endpoint, "body": self.body})
        return entry


class _Refused(JSError):
    """InstrumentationError / ConfigurationError: HTTP 400."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 400)


def _js_or(first: Any, second: Any) -> Any:
    return first if truthy(first) else second


def _forbidden_key(value: Any) -> bool:
    """A `__proto__` key anywhere: the transformer's JSON body parser refuses the whole request."""
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__proto__" in node:
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _put(payload: dict[str, Any], key: str, value: Any) -> None:
    """set-value on a plain key: undefined deletes it."""
    if value is UNDEFINED:
        payload.pop(key, None)
    else:
        payload[key] = value


def _id_text(value: Any) -> str:
    """An id as it lands in a URL: strings URL-encoded, anything else as JavaScript prints it."""
    return encode_uri_component(value) if isinstance(value, str) else to_string(value)


def _identify(message: dict[str, Any], user_id: Any) -> tuple[str, str, dict[str, Any]]:
    identifier = _js_or(user_id, field_value(message, EMAIL))
    if not truthy(identifier):
        raise _Refused("userId or email is not present")
    payload: dict[str, Any] = {}
    traits = _js_or(field_value(message, TRAITS), {})
    source = "traits" if truthy(message.get("traits", UNDEFINED)) else "context.traits"
    for key, path in ADDRESS:
        set_value(payload, key, get_value(message, f"{source}.{path}"))
    if isinstance(traits, (dict, list)):
        names = list(traits) if isinstance(traits, dict) else [str(i) for i in range(len(traits))]
        for name in names:
            if name in ("address", "createdAt", "userId", "anonymousId"):
                continue
            set_value(payload, name.replace(".", "\\.", 1), get_value(message, f"{source}.{name}"))
    elif isinstance(traits, str):
        for index in range(len(traits)):
            set_value(payload, str(index), get_value(message, f"{source}.{index}"))
    user_properties = message.get("user_properties", UNDEFINED)
    if truthy(user_properties) and isinstance(user_properties, dict):
        for name in user_properties:
            set_value(payload, name, get_value(message, f"user_properties.{name}"))
    created = field_value(message, CREATED_AT)
    if truthy(created):
        set_value(payload, "created_at", unix_seconds(created))
    timestamp = field_value(message, TIMESTAMP)
    if truthy(timestamp):
        set_value(payload, "_timestamp", unix_seconds(timestamp))
    if truthy(message.get("anonymousId", UNDEFINED)):
        set_value(payload, "anonymous_id", message["anonymousId"])
    return "PUT", "/api/v1/customers/" + _id_text(identifier), payload


def _alias(message: dict[str, Any], user_id: Any) -> tuple[str, str, dict[str, Any]]:
    previous = message.get("previousId", UNDEFINED)
    if not truthy(user_id) or not truthy(previous):
        raise _Refused("Both userId and previousId are mandatory for merge operation")
    primary = "email" if is_email(user_id) else "id"
    secondary = "email" if is_email(previous) else "id"
    return "POST", "/api/v1/merge_customers", {"primary": {primary: user_id}, "secondary": {secondary: previous}}


def _group(message: dict[str, Any]) -> dict[str, Any]:
    object_id = field_value(message, GROUP_ID)
    if object_id is None or object_id is UNDEFINED:
        raise _Refused('Missing required value from "groupId"')
    object_type = get_value(message, "traits.objectTypeId")
    object_type = "1" if object_type is None or object_type is UNDEFINED else to_string(object_type)
    if object_type == "":
        object_type = UNDEFINED
    user_id = field_value(message, USER_ID_ONLY)
    email = field_value(message, ("context.traits.email", "properties.email", "context.externalId.0.id"))
    action = field_value(message, ("traits.action", "properties.action"))
    attributes = get_value(message, "traits")
    if isinstance(attributes, dict):
        attributes = {k: v for k, v in attributes.items() if k != "action"}
    elif attributes is FUNCTION:
        attributes = UNDEFINED
    payload: dict[str, Any] = {
        "identifiers": {"object_id": to_string(object_id), "object_type_id": object_type},
        "type": "object",
        "action": action if action in OBJECT_ACTIONS else "identify",
        "attributes": attributes if truthy(attributes) else {},
        "cio_relationships": [],
    }
    person = _js_or(to_string(user_id) if user_id is not None else None, email)
    if truthy(person):
        payload["cio_relationships"].append({"identifiers": {"email" if is_email(person) else "id": person}})
    return payload


def _event(message: dict[str, Any], name: Any, user_id: Any, event_type: str, config: Config,
           message_type: str) -> tuple[str, str, dict[str, Any]]:
    payload: dict[str, Any] = {}
    token = get_value(message, "context.device.token")
    identifier = _js_or(user_id, field_value(message, EMAIL))
    person = _id_text(identifier) if truthy(identifier) else None
    if name == DEVICE_DELETE:
        if person is None or not truthy(token):
            raise _Refused("userId/email or device_token not present")
        return "DELETE", f"/api/v1/customers/{person}/devices/{_id_text(token)}", payload
    device_event = name in DEVICE_EVENTS or (
        config.device_token_event_name is not None and config.device_token_event_name == name)
    if device_event and person is not None and truthy(token):
        timestamp = _js_or(message.get("timestamp", UNDEFINED), message.get("originalTimestamp", UNDEFINED))
        properties = message.get("properties", UNDEFINED)
        device: dict[str, Any] = dict(properties) if isinstance(properties, dict) else {}
        device["id"] = token
        device["last_used"] = unix_seconds(timestamp)
        device_type = get_value(message, "context.device.type")
        if truthy(device_type) and isinstance(device_type, str):
            device["platform"] = "ios" if device_type.lower() in APPLE else device_type.lower()
        payload["device"] = device
        method = "PUT"
    else:
        payload["data"] = {}
        _put(payload, "data", message.get("properties", UNDEFINED))
        _put(payload, "name", name)
        _put(payload, "type", event_type)
        historical = field_value(message, TIMESTAMP)
        if truthy(historical):
            payload["timestamp"] = unix_seconds(historical)
        method = "POST"
    if person is not None:
        path = f"/api/v1/customers/{person}/devices" if device_event and truthy(token) else \
            f"/api/v1/customers/{person}/events"
        return method, path, payload
    if message_type == "screen":
        inner = _js_or(_js_or(message.get("event", UNDEFINED), get_value(message, "properties.name")), "")
        if not isinstance(inner, str):
            raise JSError("Input must be string")
        trimmed = f"Viewed {truncate_utf8(inner, 86)} Screen"
    else:
        if not isinstance(name, str):
            raise _Refused("Event Name type should be a string")
        trimmed = truncate_utf8(name, 100)
    anonymous_id = message.get("anonymousId", UNDEFINED)
    if not truthy(anonymous_id):
        raise _Refused("Anonymous id/ user id is required")
    payload["anonymous_id"] = anonymous_id
    _put(payload, "name", trimmed)
    return method, "/api/v1/events", payload


def _call_for(message: Any, config: Config) -> tuple[str, str, Any, str]:
    """(method, path, body, kind) for one event; raises what the destination throws."""
    for key, setting in (("siteID", config.site_id), ("apiKey", config.api_key)):
        if not truthy(setting):
            raise _Refused(f"{key} not found in Configs")
    if not isinstance(message, dict):
        raise JSError("Cannot read properties of undefined (reading 'type')")
    message_type_value = message.get("type", UNDEFINED)
    if message_type_value is None or message_type_value is UNDEFINED:
        message_type = UNDEFINED
    elif isinstance(message_type_value, str):
        message_type = message_type_value.lower()
    else:
        raise JSError("message.type?.toLowerCase is not a function")
    name: Any = UNDEFINED
    if message_type == "identify":
        kind = "identify"
    elif message_type == "page":
        kind, name = "page", _js_or(message.get("name", UNDEFINED), get_value(message, "properties.url"))
    elif message_type == "screen":
        inner = _js_or(message.get("event", UNDEFINED), get_value(message, "properties.name"))
        kind, name = "event", f"Viewed {to_string(inner)} Screen"
    elif message_type == "track":
        event = message.get("event", UNDEFINED)
        if not truthy(event) or not isinstance(event, str):
            raise _Refused("Event is a required field and should be a string")
        kind, name = "event", event
    elif message_type in ("alias", "group"):
        kind = message_type
    else:
        raise _Refused(f"could not determine type {to_string(message_type)}")
    if truthy(name):
        name = to_string(name)
    if truthy(get_value(message, "context.mappedToDestination")):
        message = _mapped_to_destination(copy.deepcopy(message))
    user_id = field_value(message, USER_ID_ONLY)
    if kind == "identify":
        method, path, body = _identify(message, user_id)
    elif kind == "alias":
        method, path, body = _alias(message, user_id)
    elif kind == "group":
        return "POST", BATCH_PATH, to_json(_group(message)), "group"
    else:
        method, path, body = _event(message, name, user_id, kind, config, message_type)
        kind = message_type if message_type in ("page", "screen") else "device" if "/devices" in path else "track"
    return method, path, to_json({k: v for k, v in body.items() if v is not UNDEFINED and v is not FUNCTION}), kind


def _mapped_to_destination(message: dict[str, Any]) -> dict[str, Any]:
    """A Reverse ETL row: its externalId becomes a trait (named by its identifierType) and the userId."""
    kind = get_value(message, "context.externalId.0.identifierType")
    value = get_value(message, "context.externalId.0.id")
    traits = field_value(message, TRAITS)
    if isinstance(traits, dict) and isinstance(kind, str) and kind:
        set_value(traits, kind, value)
    if truthy(value):
        message["userId"] = value
    return message


def _base(config: Config) -> str:
    return EU if config.datacenter == "EU" else US


def process(message: Any, message_id: Any = None, config: Config | None = None) -> Call:
    """One event as the destination's processor stage answers it (a group call unbatched)."""
    config = config or Config()
    try:
        method, path, body, kind = _call_for(message, config)
    except JSError as exc:
        return Call([message_id], exc.status, error=exc.message, kind="error")
    return Call([message_id], 200, method, _base(config) + path, body, kind=kind)


def calls(events: Iterable[tuple[Any, Any]], config: Config | None = None, *, one_request: bool = True
          ) -> list[Call]:
    """The calls one router request makes: (message, messageId) pairs in, in order.

    Group calls go out together in /api/v2/batch requests (at most 1,000 objects or about
    500 KB each) after the other calls, as the destination batches them; refusals come last.
    `one_request=False`: the events are a file or a replay, not one router request.
    """
    config = config or Config()
    events = list(events)
    if any(_forbidden_key(message) for message, _ in events):
        if not one_request:
            # Which events share a router request with the offender is unknowable here, so
            # only the event that carries the key is refused (FORBIDDEN_ALONE says so).
            return calls([(m, i) for m, i in events if not _forbidden_key(m)], config) + [
                Call([i], 400, error=FORBIDDEN, kind="error") for m, i in events if _forbidden_key(m)]
        # rudder-transformer's body parser (@hapi/bourne) answers the whole request with 400.
        return [Call([message_id], 400, error=FORBIDDEN, kind="error") for _, message_id in events]
    done: list[Call] = []
    groups: list[tuple[Any, Any]] = []
    refused: list[Call] = []
    for message, message_id in events:
        try:
            method, path, body, kind = _call_for(message, config)
        except JSError as exc:
            refused.append(Call([message_id], exc.status, error=exc.message, kind="error"))
            continue
        if kind == "group":
            groups.append((message_id, body))
            continue
        done.append(Call([message_id], 200, method, _base(config) + path, body, kind=kind))
    if groups:
        # The batch endpoint is never rewritten for EU: the destination only swaps the host
        # on the calls it builds one by one.
        chunk_ids: list[Any] = []
        chunk: list[Any] = []
        size = 0
        for message_id, body in groups:
            size += len(_json_bytes(body))
            if len(chunk) == MAX_BATCH or size > MAX_BATCH_BYTES:
                done.append(Call(chunk_ids, 200, "POST", US + BATCH_PATH, {"batch": chunk}, kind="group"))
                chunk_ids, chunk, size = [], [], 0
            chunk_ids.append(message_id)
            chunk.append(body)
        if chunk:
            done.append(Call(chunk_ids, 200, "POST", US + BATCH_PATH, {"batch": chunk}, kind="group"))
    return done + refused


def _json_bytes(value: Any) -> bytes:
    return runtime_jsvalues.dumps(value).encode("utf-8", "surrogatepass")


__all__ = ["Call", "Config", "calls", "math", "process"]
