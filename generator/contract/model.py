"""Stage 3, model: validated contract data → a frozen, sorted intermediate representation.

Everything the templates need is computed here, so rendering is only layout.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from .load import Path, Source
from .names import variant_key
from .validate import DEFAULT_ANNOTATIONS


@dataclass(frozen=True)
class Property:
    """A property of an event or shape, with the rule its value must meet."""

    name: str
    spec: dict[str, Any]  # the rule as the generated code reads it (JSON data)
    line: int
    description: str | None


@dataclass(frozen=True)
class Shape:
    name: str
    spec: dict[str, Any]
    line: int
    description: str | None


@dataclass(frozen=True)
class AnyOf:
    names: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Event:
    name: str
    function: str  # the JavaScript function that enforces it
    aliases: tuple[str, ...]
    match_variants: bool
    properties: tuple[Property, ...]
    require_any_of: tuple[AnyOf, ...]
    undeclared: str
    on_violation: str
    line: int
    description: str | None

    @property
    def declared(self) -> dict[str, bool]:
        return {p.name: True for p in self.properties}


@dataclass(frozen=True)
class Contract:
    file: str
    name: str
    version: int | str
    description: str | None
    hash: str
    unplanned_events: str
    annotations: dict[str, str]
    shapes: tuple[Shape, ...]
    events: tuple[Event, ...]
    lines: dict[str, int]  # line of each top-level block, for comments

    @property
    def stamp(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "hash": self.hash}

    @property
    def spellings(self) -> list[list[str]]:
        """[spelling, canonical name] for every exact spelling, sorted."""
        pairs = [[e.name, e.name] for e in self.events]
        pairs += [[alias, e.name] for e in self.events for alias in e.aliases]
        return sorted(pairs)

    @property
    def variants(self) -> list[list[str]]:
        """[variant key, canonical name] for events that match spelling variants, sorted."""
        pairs: dict[str, str] = {}
        for event in self.events:
            if event.match_variants:
                for spelling in (event.name, *event.aliases):
                    pairs.setdefault(variant_key(spelling), event.name)
        return sorted([key, name] for key, name in pairs.items())


def contract_hash(data: Any) -> str:
    """A short, stable hash of the contract's content (not of its formatting)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def build_model(data: dict[str, Any], source: Source, file: str) -> Contract:
    """The IR of a contract that validated without errors."""
    settings = data.get("settings") or {}
    shared = data.get("properties") or {}
    shapes_data = data.get("shapes") or {}
    head = data["contract"]

    def rule(spec: dict[str, Any], *, context_shapes: bool = True) -> dict[str, Any]:
        if "use" in spec:
            base = dict(shared[spec["use"]])
            base.update({k: v for k, v in spec.items() if k != "use"})
            spec = base
        out: dict[str, Any] = {"type": spec["type"]}
        if spec.get("required") is True:
            out["required"] = True
        if "default" in spec:
            out["default"] = spec["default"]
        if spec["type"] == "enum":
            lookup = {value.lower(): value for value in spec["values"]}
            for canonical, alternatives in (spec.get("synonyms") or {}).items():
                for alternative in alternatives:
                    lookup.setdefault(alternative.strip().lower(), canonical)
            out["lookup"] = dict(sorted(lookup.items()))
        for key in ("pattern", "minimum", "maximum"):
            if key in spec:
                out[key] = spec[key]
        if spec["type"] == "array":
            items = spec["items"]
            out["items"] = {"shape": items} if isinstance(items, str) else rule(items)
        if spec["type"] == "object" and spec.get("properties"):
            out["properties"] = {name: rule(p) for name, p in spec["properties"].items()}
        return out

    def description(spec: Any) -> str | None:
        if not isinstance(spec, dict):
            return None
        text = spec.get("description")
        if text is None and "use" in spec:
            text = (shared.get(spec["use"]) or {}).get("description")
        return text if isinstance(text, str) else None

    def properties(block: dict[str, Any], path: Path) -> tuple[Property, ...]:
        return tuple(
            Property(name, rule(spec), source.line((*path, name)), description(spec)) for name, spec in block.items()
        )

    shapes = tuple(
        Shape(
            name=name,
            spec={
                "type": "object",
                "properties": {p: rule(s) for p, s in body["properties"].items()},
                **({"undeclared": body["undeclared_properties"]} if "undeclared_properties" in body else {}),
            },
            line=source.line(("shapes", name)),
            description=body.get("description"),
        )
        for name, body in sorted(shapes_data.items())
    )

    functions: dict[str, str] = {}
    events = []
    for name, body in sorted(data["events"].items()):
        body = body or {}
        groups = body.get("require_any_of")
        if groups is None:
            any_of: tuple[AnyOf, ...] = ()
        else:
            nested = all(isinstance(g, list) for g in groups)
            any_of = tuple(
                AnyOf(tuple(group), source.at(("events", name, "require_any_of", index) if nested
                                              else ("events", name, "require_any_of")).line)
                for index, group in enumerate(groups if nested else [groups])
            )
        events.append(Event(
            name=name,
            function=_function_name(name, functions),
            aliases=tuple(a for a in body.get("aliases") or [] if a != name),
            match_variants=body.get("match_variants", settings.get("match_variants", False)) is True,
            properties=properties(body.get("properties") or {}, ("events", name, "properties")),
            require_any_of=any_of,
            undeclared=body.get("undeclared_properties", settings.get("undeclared_properties", "keep")),
            on_violation=body.get("on_violation", settings.get("on_violation", "flag")),
            line=source.line(("events", name)),
            description=body.get("description"),
        ))

    return Contract(
        file=file,
        name=head["name"],
        version=head["version"],
        description=head.get("description"),
        hash=contract_hash(data),
        unplanned_events=settings.get("unplanned_events", "flag"),
        annotations={**DEFAULT_ANNOTATIONS, **(data.get("annotations") or {})},
        shapes=shapes,
        events=tuple(events),
        lines={key: source.line((key,)) for key in data},
    )


def _function_name(event: str, taken: dict[str, str]) -> str:
    words = re.findall(r"[A-Za-z0-9]+", event)
    base = "enforce" + "".join(w[:1].upper() + w[1:] for w in words) or "enforceEvent"
    if base == "enforce":
        base = "enforceEvent"
    name, counter = base, 2
    while name in taken:
        name, counter = f"{base}{counter}", counter + 1
    taken[name] = event
    return name
