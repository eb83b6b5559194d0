"""The people Customer.io ends up with: the destination's calls applied in order, as Customer.io does.

A person has identifiers: an `id` (case-sensitive), an `email` (case-insensitive) and the
anonymous ids merged into them. Customer.io's rules, from its Track API reference ("Add or
update a customer", docs.customer.io/integrations/api/track/tag/track-customers/identify):

- a call keyed by an identifier that belongs to a person updates that person;
- an identify whose path identifier belongs to nobody, but whose body `email` belongs to a
  person, updates that person and gives them the path identifier (a guest who registers);
- an identify whose path and body identifiers belong to two people updates the first and
  refuses the email ("Attribute Update Failure"): the customer stays split;
- an identify with `anonymous_id` merges that anonymous visitor's events of the last 30
  days into the person; later events with that anonymous id land on the person;
- `merge_customers` folds the secondary person into the primary.

Workspace settings are assumed to allow both id and email as identifiers.
"""

from __future__ import annotations

import itertools
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..runtime import jsvalues
from .destination import Call

MERGE_WINDOW = 30 * 86_400  # anonymous events older than this at merge time are not merged
TRIGGER_WINDOW = 72 * 3_600  # events merged later than this after they happened trigger no campaign
_serial = itertools.count()


@dataclass(eq=False)
class Person:
    id: str | None = None
    email: str | None = None
    anonymous: str | None = None  # set only for a profile Customer.io knows by an anonymous id alone
    attributes: dict[str, Any] = field(default_factory=dict)
    set_by: dict[str, Any] = field(default_factory=dict)  # attribute → messageId that set it
    set_at: dict[str, float | None] = field(default_factory=dict)
    overwritten: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    anonymous_ids: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)
    merged_into: Person | None = None
    first_call: Any = None  # the messageId of the first call keyed by this person's id or email
    serial: int = field(default_factory=lambda: next(_serial))

    @property
    def key(self) -> str:
        if self.id is not None:
            return f"id:{self.id}"
        if self.email is not None:
            return f"email:{self.email}"
        return f"anonymous:{self.anonymous}"

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "id": self.id,
            "email": self.email,
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


def _path_identifier(endpoint: str) -> str:
    tail = endpoint.split("/customers/", 1)[1]
    return urllib.parse.unquote(tail.split("/", 1)[0])


def _is_email(identifier: str) -> bool:
    # Customer.io reads an identifier holding an @ as an email address.
    return "@" in identifier


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class _Model:
    def __init__(self) -> None:
        self.everyone: list[Person] = []
        self.by_id: dict[str, Person] = {}
        self.by_email: dict[str, Person] = {}
        self.by_anonymous: dict[str, Person] = {}  # anonymous id → the profile its events land on
        self.warnings: list[Warning] = []
        self.seen_anonymous_with: dict[str, set[Person]] = {}  # anonymous id → known people its events landed on
        # (anonymous id, person) → the first messageId that tied them: a merge, or an event
        # filed under the person that carried the anonymous id.
        self.anonymous_evidence: dict[tuple[str, Person], Any] = {}
        self.reported: set[tuple[Any, ...]] = set()  # one warning per stale identify
        self.split_pairs: set[frozenset[int]] = set()  # people (by serial) already reported split

    def new(self, **identifiers: Any) -> Person:
        person = Person(**identifiers)
        self.everyone.append(person)
        if person.id is not None:
            self.by_id[person.id] = person
        if person.email is not None:
            self.by_email[person.email.lower()] = person
        if person.anonymous is not None:
            self.by_anonymous[person.anonymous] = person
        return person

    @staticmethod
    def live(person: Person) -> Person:
        while person.merged_into is not None:
            person = person.merged_into
        return person

    def find(self, identifier: str) -> Person | None:
        found = self.by_email.get(identifier.lower()) if _is_email(identifier) else self.by_id.get(identifier)
        return self.live(found) if found is not None else None

    def find_or_create(self, identifier: str) -> Person:
        found = self.find(identifier)
        if found is not None:
            return found
        return self.new(email=identifier) if _is_email(identifier) else self.new(id=identifier)

    def give_email(self, person: Person, email: str, message_id: Any) -> None:
        owner = self.find(email)
        if owner is person:
            return
        if owner is not None and self._new_pairs([person, owner]):
            self.warnings.append(Warning(
                "split", f"{person.key} and {owner.key} stay two people: Customer.io refuses to give {person.key} "
                f"the email {email}, which {owner.key} holds (Attribute Update Failure)",
                [owner.set_by.get("email"), message_id]))
            return
        if person.email is None:
            person.email = email
            self.by_email[email.lower()] = person

    def apply(self, call: Call) -> None:
        message_id = call.message_ids[0] if call.message_ids else None
        endpoint = call.endpoint or ""
        body = call.body if isinstance(call.body, dict) else {}
        self._apply(call, message_id, endpoint, body)
        if "/customers/" in endpoint and call.kind in ("identify", "track", "page", "screen", "device"):
            keyed = self.find(_path_identifier(endpoint))
            if keyed is not None and keyed.first_call is None:
                keyed.first_call = message_id

    def _apply(self, call: Call, message_id: Any, endpoint: str, body: dict[str, Any]) -> None:
        if call.kind == "identify":
            self.identify(_path_identifier(endpoint), body, message_id)
        elif call.kind in ("track", "page", "screen"):
            if "/customers/" in endpoint:
                person = self.find_or_create(_path_identifier(endpoint))
            else:
                anonymous = body.get("anonymous_id")
                anonymous = anonymous if isinstance(anonymous, str) else str(anonymous)
                owner = self.by_anonymous.get(anonymous)
                person = self.live(owner) if owner is not None else self.new(anonymous=anonymous)
            person.events.append({"messageId": message_id, "name": body.get("name"), "type": body.get("type"),
                                  "timestamp": body.get("timestamp")})
        elif call.kind == "device":
            person = self.find_or_create(_path_identifier(endpoint))
            device = body.get("device")
            if isinstance(device, dict) and isinstance(device.get("id"), str) and device["id"] not in person.devices:
                person.devices.append(device["id"])
        elif call.kind == "alias" and endpoint.endswith("/merge_customers"):
            primary = next(iter((body.get("primary") or {}).items()), None)
            secondary = next(iter((body.get("secondary") or {}).items()), None)
            if primary and secondary:
                self.merge_people(self.find_or_create(str(primary[1])), self.find(str(secondary[1])))

    def identify(self, identifier: str, body: dict[str, Any], message_id: Any) -> None:
        email = body.get("email") if isinstance(body.get("email"), str) and _is_email(body["email"]) else None
        person = self.find(identifier)
        if person is None and email is not None and not _is_email(identifier):
            holder = self.find(email)
            if holder is not None and holder.id is None:
                # A guest who registers: the email's person gets the id.
                holder.id = identifier
                self.by_id[identifier] = holder
                person = holder
        if person is None:
            person = self.find_or_create(identifier)
        if email is not None:
            self.give_email(person, email, message_id)
        when = _number(body.get("_timestamp"))
        for name, value in body.items():
            if name in ("_timestamp", "anonymous_id"):
                continue
            if name == "email" and email is not None and self.find(email) is not person:
                continue  # refused: another person holds it
            self.set_attribute(person, name, value, message_id, when)
        anonymous = body.get("anonymous_id")
        if isinstance(anonymous, str) and anonymous:
            self.merge_anonymous(person, anonymous, when, message_id)

    def set_attribute(self, person: Person, name: str, value: Any, message_id: Any, when: float | None) -> None:
        if name in person.attributes and person.attributes[name] != value:
            before = person.set_at.get(name)
            if when is not None and before is not None and when < before:
                person.overwritten.append({"attribute": name, "value": person.attributes[name],
                                           "set_by": person.set_by.get(name), "by": message_id, "with": value})
                if self._first(("stale-overwrite", person.serial, str(message_id))):
                    self.warnings.append(Warning(
                        "stale-overwrite",
                        f"{person.key}: '{name}' set by {person.set_by.get(name)} was overwritten by the older "
                        f"{message_id}", [person.set_by.get(name), message_id]))
        person.attributes[name] = value
        person.set_by[name] = message_id
        person.set_at[name] = when

    def _new_pairs(self, found: list[Person]) -> bool:
        """True when some two of these people were not yet reported split: each pair once."""
        pairs = {frozenset((a.serial, b.serial)) for a, b in itertools.combinations(found, 2)}
        fresh = pairs - self.split_pairs
        self.split_pairs |= pairs
        return bool(fresh)

    def _first(self, key: tuple[Any, ...]) -> bool:
        """True the first time a warning about `key` comes up: one identify that overwrites three
        attributes is one stale overwrite, and a customer split over two people is one split."""
        if key in self.reported:
            return False
        self.reported.add(key)
        return True

    def merge_anonymous(self, person: Person, anonymous: str, when: float | None, message_id: Any) -> None:
        self.anonymous_evidence.setdefault((anonymous, person), message_id)
        if anonymous not in person.anonymous_ids:
            person.anonymous_ids.append(anonymous)
        visitor = self.by_anonymous.get(anonymous)
        if visitor is not None and (self.live(visitor).id is not None or self.live(visitor).email is not None):
            return  # that visitor already became someone; their events stay with them
        self.by_anonymous[anonymous] = person
        if visitor is None or self.live(visitor) is person:
            return
        visitor = self.live(visitor)
        kept = []
        for event in visitor.events:
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
        visitor.events = kept
        if not kept and visitor.id is None and visitor.email is None:
            visitor.merged_into = person

    def merge_people(self, primary: Person, secondary: Person | None) -> None:
        if secondary is None or primary is secondary:
            return
        for name, value in secondary.attributes.items():
            if name not in primary.attributes:
                primary.attributes[name] = value
                primary.set_by[name] = secondary.set_by.get(name)
        primary.events += secondary.events
        primary.anonymous_ids += [a for a in secondary.anonymous_ids if a not in primary.anonymous_ids]
        primary.devices += [d for d in secondary.devices if d not in primary.devices]
        for index, key in ((self.by_id, secondary.id), (self.by_email, (secondary.email or "").lower() or None)):
            if key is not None:
                index[key] = primary
        if primary.email is None and secondary.email is not None:
            primary.email = secondary.email
        secondary.events = []
        secondary.merged_into = primary


class Builder:
    """The people model fed call by call, so a replay never holds all its calls at once."""

    def __init__(self) -> None:
        self.model = _Model()

    def add(self, calls: Iterable[Call], anonymous_ids: dict[Any, str] | None = None) -> None:
        """Apply calls in arrival order; `anonymous_ids` maps their messageIds (by jsvalues.value_key) to the
        anonymousId sent."""
        model = self.model
        for call in calls:
            if call.status_code != 200:
                model.warnings.append(Warning(
                    "rejected", f"the destination refuses it ({call.status_code}: {call.error}): "
                    "it never reaches Customer.io", list(call.message_ids)))
                continue
            model.apply(call)
            # A device registered under a person is that visitor's known event too.
            if anonymous_ids and call.kind in ("track", "page", "screen", "device") \
                    and "/customers/" in (call.endpoint or ""):
                person = model.find(_path_identifier(call.endpoint or ""))
                for message_id in call.message_ids:
                    anonymous = anonymous_ids.get(jsvalues.value_key(message_id))
                    if anonymous and person is not None:
                        model.seen_anonymous_with.setdefault(anonymous, set()).add(person)
                        model.anonymous_evidence.setdefault((anonymous, person), message_id)

    def result(self) -> People:
        model = self.model
        people = [p for p in model.everyone if p.merged_into is None and (p.id or p.email or p.events)]
        _warnings(people, model)
        return People(sorted(people, key=lambda p: p.key), model.warnings)


def build(calls: Iterable[Call], anonymous_ids: dict[Any, str] | None = None) -> People:
    """People from the destination's calls, applied in the order they arrive at Customer.io.

    `anonymous_ids` maps a messageId (by jsvalues.value_key) to the anonymousId its event carried, so that an event
    filed under an email or id is recognised as the continuation of an anonymous visitor.
    """
    builder = Builder()
    builder.add(calls, anonymous_ids)
    return builder.result()


def _warnings(people: list[Person], model: _Model) -> None:
    by_folded: dict[str, list[Person]] = {}
    for person in people:
        if person.id is not None:
            by_folded.setdefault(person.id.strip().casefold(), []).append(person)
    for _, owners in sorted(by_folded.items()):
        if len(owners) > 1:
            model.warnings.append(Warning(
                "id-case", "ids that differ only by case or spaces are different people in Customer.io: "
                + ", ".join(repr(p.id) for p in owners), [m for m in map(_first_message, owners) if m is not None]))
    # One visitor (an anonymousId) whose events landed on two known people: a guest's cart
    # merged into the profile of the email they checked out with, and the order filed under
    # the userId the shop gave them. Nothing merges the two.
    holders: dict[str, dict[Person, Any]] = {}
    for (anonymous, holder), message_id in model.anonymous_evidence.items():
        live = model.live(holder)
        if live.id is not None or live.email is not None:
            holders.setdefault(anonymous, {}).setdefault(live, message_id)
    for anonymous, found in sorted(holders.items()):
        profiles = sorted(found, key=lambda p: p.key)
        if len(profiles) > 1 and model._new_pairs(profiles):
            model.warnings.append(Warning(
                "split", f"one anonymousId ({anonymous}) ended on {len(profiles)} known people, "
                f"{', '.join(p.key for p in profiles)}, and nothing merges them: a guest whose order landed under "
                "a userId, or people sharing a device", [found[p] for p in profiles]))
    for person in people:
        if person.kind != "anonymous" or not person.events:
            continue
        anonymous = person.anonymous or ""
        known = sorted({model.live(p).key for p in model.seen_anonymous_with.get(anonymous, set())})
        ids = [e.get("messageId") for e in person.events]
        if known:
            model.warnings.append(Warning(
                "ghost", f"{len(person.events)} anonymous event(s) of {anonymous} stay on an anonymous profile "
                f"while its later events land on {', '.join(known)}: nothing merges them (a ghost cart)", ids))
        else:
            model.warnings.append(Warning(
                "unmerged", f"{len(person.events)} event(s) of {anonymous} were never merged into a known person",
                ids))


def _first_message(person: Person) -> Any:
    """The first call keyed by this person's id or email (not an anonymous event merged in)."""
    return person.first_call
