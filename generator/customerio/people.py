"""The people Customer.io ends up with: its calls applied in order, as Customer.io does.

Profiles are keyed by a customer id, an email (a call keyed by an email address), or an
anonymous id. An identify carrying `anonymous_id` merges that anonymous profile's events
from the last 30 days into the person (Customer.io's window; older ones stay behind), and
`merge_customers` folds one person into another. docs/preview.md says what is modelled and
what is not (Customer.io workspace settings, attribute conflicts on its side).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .destination import Call

MERGE_WINDOW = 30 * 86_400  # anonymous events older than this, at merge time, are not merged
TRIGGER_WINDOW = 72 * 3_600  # events merged later than this after they happened trigger no campaign


@dataclass
class Person:
    key: str  # "id:cus_1", "email:a@b.co" or "anonymous:anon-1"
    attributes: dict[str, Any] = field(default_factory=dict)
    set_by: dict[str, str] = field(default_factory=dict)  # attribute → messageId that set it
    set_at: dict[str, float | None] = field(default_factory=dict)
    overwritten: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    anonymous_ids: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)
    merged_into: str | None = None

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "attributes": self.attributes,
            "set_by": self.set_by,
            "overwritten": self.overwritten,
            "events": self.events,
            "anonymous_ids": self.anonymous_ids,
            "devices": self.devices,
        }


@dataclass
class Warning:
    kind: str  # rejected | split | ghost | unmerged | late-merge | id-case | stale-overwrite
    message: str
    message_ids: list[Any]

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "messageIds": self.message_ids}


@dataclass
class People:
    people: list[Person]
    warnings: list[Warning]

    def as_json(self) -> dict[str, Any]:
        return {"people": [p.as_json() for p in self.people], "warnings": [w.as_json() for w in self.warnings]}


def _path_identifier(endpoint: str, after: str) -> str:
    tail = endpoint.split(after, 1)[1]
    return urllib.parse.unquote(tail.split("/", 1)[0])


def _key_for(identifier: str) -> str:
    # Customer.io takes an identifier that is an email address as the email, else as an id.
    return f"email:{identifier}" if "@" in identifier and not identifier.startswith("@") else f"id:{identifier}"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class _Model:
    def __init__(self) -> None:
        self.profiles: dict[str, Person] = {}
        self.anonymous_owner: dict[str, str] = {}  # anonymous id → the person it merged into
        self.warnings: list[Warning] = []
        self.seen_anonymous_with: dict[str, set[str]] = {}  # anonymous id → known profiles its events landed on

    def person(self, key: str) -> Person:
        person = self.profiles.get(key)
        while person is not None and person.merged_into is not None:
            key = person.merged_into
            person = self.profiles.get(key)
        if person is None:
            person = self.profiles[key] = Person(key)
        return person

    def apply(self, call: Call, time: float | None) -> None:
        message_id = call.message_ids[0] if call.message_ids else None
        endpoint = call.endpoint or ""
        body = call.body if isinstance(call.body, dict) else {}
        if call.kind == "identify":
            person = self.person(_key_for(_path_identifier(endpoint, "/customers/")))
            when = _number(body.get("_timestamp"))
            for name, value in body.items():
                if name in ("_timestamp", "anonymous_id"):
                    continue
                self.set_attribute(person, name, value, message_id, when)
            anonymous = body.get("anonymous_id")
            if isinstance(anonymous, str) and anonymous:
                self.merge_anonymous(person, anonymous, when, message_id)
        elif call.kind in ("track", "page", "screen"):
            if "/customers/" in endpoint:
                person = self.person(_key_for(_path_identifier(endpoint, "/customers/")))
            else:
                anonymous = body.get("anonymous_id")
                owner = self.anonymous_owner.get(anonymous) if isinstance(anonymous, str) else None
                person = self.person(owner or f"anonymous:{anonymous}")
            person.events.append({"messageId": message_id, "name": body.get("name"), "type": body.get("type"),
                                  "timestamp": body.get("timestamp")})
        elif call.kind == "device":
            person = self.person(_key_for(_path_identifier(endpoint, "/customers/")))
            device = body.get("device")
            if isinstance(device, dict) and isinstance(device.get("id"), str) and device["id"] not in person.devices:
                person.devices.append(device["id"])
        elif call.kind == "alias" and endpoint.endswith("/merge_customers"):
            primary = next(iter((body.get("primary") or {}).items()), None)
            secondary = next(iter((body.get("secondary") or {}).items()), None)
            if primary and secondary:
                self.merge_people(self.person(f"{primary[0]}:{primary[1]}"),
                                  self.person(f"{secondary[0]}:{secondary[1]}"))

    def set_attribute(self, person: Person, name: str, value: Any, message_id: Any, when: float | None) -> None:
        if name in person.attributes and person.attributes[name] != value:
            before = person.set_at.get(name)
            if when is not None and before is not None and when < before:
                person.overwritten.append({"attribute": name, "value": person.attributes[name],
                                           "set_by": person.set_by.get(name), "by": message_id,
                                           "with": value})
                self.warnings.append(Warning(
                    "stale-overwrite",
                    f"{person.key}: '{name}' set by {person.set_by.get(name)} was overwritten by the older "
                    f"{message_id}", [person.set_by.get(name), message_id]))
        person.attributes[name] = value
        person.set_by[name] = message_id
        person.set_at[name] = when

    def merge_anonymous(self, person: Person, anonymous: str, when: float | None, message_id: Any) -> None:
        key = f"anonymous:{anonymous}"
        if anonymous not in person.anonymous_ids:
            person.anonymous_ids.append(anonymous)
        ghost = self.profiles.get(key)
        self.anonymous_owner.setdefault(anonymous, person.key)
        if ghost is None or ghost is person:
            return
        kept = []
        for event in ghost.events:
            at = _number(event.get("timestamp"))
            if when is not None and at is not None and when - at > MERGE_WINDOW:
                kept.append(event)
                continue
            if when is not None and at is not None and when - at > TRIGGER_WINDOW:
                self.warnings.append(Warning(
                    "late-merge", f"{event.get('name')} ({event.get('messageId')}) was merged into {person.key} "
                    f"{(when - at) / 3600:.0f} h after it happened: Customer.io triggers no campaign from it",
                    [event.get("messageId"), message_id]))
            person.events.append(event)
        ghost.events = kept
        if not kept:
            ghost.merged_into = person.key

    def merge_people(self, primary: Person, secondary: Person) -> None:
        if primary is secondary:
            return
        for name, value in secondary.attributes.items():
            if name not in primary.attributes:
                primary.attributes[name] = value
                primary.set_by[name] = secondary.set_by.get(name, "")
        primary.events += secondary.events
        primary.anonymous_ids += [a for a in secondary.anonymous_ids if a not in primary.anonymous_ids]
        primary.devices += [d for d in secondary.devices if d not in primary.devices]
        secondary.events = []
        secondary.merged_into = primary.key


def _call_time(call: Call) -> float | None:
    body = call.body if isinstance(call.body, dict) else {}
    for key in ("timestamp", "_timestamp"):
        if _number(body.get(key)) is not None:
            return _number(body.get(key))
    return None


def build(calls: Iterable[Call], anonymous_ids: dict[Any, str] | None = None) -> People:
    """People from the destination's calls, applied in the order they arrive at Customer.io.

    `anonymous_ids` maps a messageId to the anonymousId its event carried, so that an event
    filed under an email or id is recognised as the continuation of an anonymous visitor.
    """
    model = _Model()
    ordered = list(calls)
    for call in ordered:
        if call.status_code != 200:
            model.warnings.append(Warning(
                "rejected", f"the destination refuses it ({call.status_code}: {call.error}): "
                "it never reaches Customer.io", list(call.message_ids)))
            continue
        model.apply(call, _call_time(call))
        if anonymous_ids and call.kind in ("track", "page", "screen") and "/customers/" in (call.endpoint or ""):
            for message_id in call.message_ids:
                anonymous = anonymous_ids.get(message_id)
                if anonymous:
                    key = model.person(_key_for(_path_identifier(call.endpoint or "", "/customers/"))).key
                    model.seen_anonymous_with.setdefault(anonymous, set()).add(key)
    people = [p for p in model.profiles.values() if p.merged_into is None]
    _split_warnings(people, model)
    return People(sorted(people, key=lambda p: p.key), model.warnings)


def _witness(person: Person) -> Any:
    """The call that tied a profile to its email: the one that set it, else its first event."""
    if person.set_by.get("email") is not None:
        return person.set_by["email"]
    return person.events[0].get("messageId") if person.events else None


def _split_warnings(people: list[Person], model: _Model) -> None:
    by_email: dict[str, list[Person]] = {}
    for person in people:
        emails = set()
        if person.kind == "email":
            emails.add(person.key.split(":", 1)[1].strip().lower())
        if isinstance(person.attributes.get("email"), str):
            emails.add(person.attributes["email"].strip().lower())
        for email in emails:
            by_email.setdefault(email, []).append(person)
    for email, owners in sorted(by_email.items()):
        if len(owners) > 1:
            model.warnings.append(Warning(
                "split", f"{email} is on {len(owners)} profiles: " + ", ".join(p.key for p in owners),
                [_witness(p) for p in owners if _witness(p) is not None]))
    by_folded: dict[str, list[Person]] = {}
    for person in people:
        if person.kind in ("id", "email"):
            by_folded.setdefault(person.key.split(":", 1)[1].strip().casefold(), []).append(person)
    for _, owners in sorted(by_folded.items()):
        if len(owners) > 1:
            model.warnings.append(Warning(
                "id-case", "ids that differ only by case or spaces are different people in Customer.io: "
                + ", ".join(repr(p.key.split(":", 1)[1]) for p in owners), []))
    for person in people:
        if person.kind != "anonymous" or not person.events:
            continue
        anonymous = person.key.split(":", 1)[1]
        known = sorted(model.seen_anonymous_with.get(anonymous, set()))
        ids = [e.get("messageId") for e in person.events]
        if known:
            model.warnings.append(Warning(
                "ghost", f"{len(person.events)} anonymous event(s) of {anonymous} stay on an anonymous profile "
                f"while its later events land on {', '.join(known)}: nothing merges them (a ghost cart)", ids))
        else:
            model.warnings.append(Warning(
                "unmerged", f"{len(person.events)} event(s) of {anonymous} were never merged into a known person",
                ids))
