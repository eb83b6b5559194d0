"""What reading a build's outputs takes, written into the build and read back from it.

gen replay reads what a transformation returns: where it wrote violations, repairs and its
stamp, which property holds an event's dedupe id, which properties each event declares.
Those come from the contract, so a build carries them as comment lines
(`// gen:replay {...}`, never run): a replay of the file alone reads its outputs right,
whatever contract it was built from and whatever names that contract chose.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .escape import comment_json
from .model import Contract
from .validate import DEFAULT_ANNOTATIONS, DEFAULT_REPLAY

MARK = "// gen:replay "


@dataclass(frozen=True)
class Manifest:
    annotations: tuple[tuple[str, str], ...]  # violations, flag, repairs, stamp → property name
    replay: tuple[tuple[str, str], ...]  # context, flag → property name
    dedupe: tuple[str, ...]  # the properties dedupe ids are written into
    declared: tuple[tuple[str, tuple[str, ...]], ...] | None  # event → its declared properties

    def names(self) -> dict[str, str]:
        """The names replay's rows look for (worker.Job.names)."""
        replay = dict(self.replay)
        return {**dict(self.annotations), "replay": replay["context"], "replay_flag": replay["flag"]}

    def as_json(self) -> dict[str, Any]:
        """The names, as the report shows them."""
        return {"annotations": dict(self.annotations), "replay": dict(self.replay), "dedupe": list(self.dedupe)}

    def declared_properties(self) -> dict[str, list[str]] | None:
        return None if self.declared is None else {event: list(keys) for event, keys in self.declared}


# How a transformation without gen:replay lines is read: gen's defaults, nothing declared.
DEFAULT = Manifest(
    annotations=tuple(sorted((k, str(v)) for k, v in DEFAULT_ANNOTATIONS.items())),
    replay=(("context", str(DEFAULT_REPLAY["context"])), ("flag", str(DEFAULT_REPLAY["flag"]))),
    dedupe=("event_id",),
    declared=None,
)


def of(contract: Contract) -> Manifest:
    """The manifest of what this contract builds."""
    replay = {**DEFAULT_REPLAY, **(contract.replay or {})}
    return Manifest(
        annotations=tuple(sorted(contract.annotations.items())),
        replay=(("context", str(replay["context"])), ("flag", str(replay["flag"]))),
        dedupe=tuple(sorted({str(e.dedupe["into"]) for e in contract.events if e.dedupe})) or DEFAULT.dedupe,
        declared=tuple(sorted((e.name, tuple(sorted(p.name for p in e.properties))) for e in contract.events)),
    )


def lines(manifest: Manifest) -> list[str]:
    """The manifest as comment lines: the names first, then one line per event (diffs stay small)."""
    out = [MARK + comment_json(manifest.as_json())]
    for event, keys in manifest.declared or ():
        out.append(MARK + comment_json({"event": event, "declared": list(keys)}))
    return out


class BadManifest(ValueError):
    """gen:replay lines that are not what a build writes (the file was edited by hand)."""


def read(code: str) -> Manifest | None:
    """The manifest a build carries, None when it carries none, BadManifest when it is damaged."""
    found = [line[len(MARK):] for line in code.splitlines() if line.startswith(MARK)]
    if not found:
        return None
    try:
        head = json.loads(found[0])
        declared = [json.loads(text) for text in found[1:]]
        annotations = _names(head["annotations"], tuple(DEFAULT_ANNOTATIONS))
        replay = _names(head["replay"], ("context", "flag"))
        dedupe = head["dedupe"]
        if not isinstance(dedupe, list) or not dedupe or not all(isinstance(d, str) for d in dedupe):
            raise BadManifest("`dedupe` must list property names")
        events = []
        for entry in declared:
            keys = entry["declared"]
            if not isinstance(entry["event"], str) or not isinstance(keys, list) \
                    or not all(isinstance(k, str) for k in keys):
                raise BadManifest("an event line must name the event and list its properties")
            events.append((entry["event"], tuple(sorted(keys))))
    except KeyError as exc:
        raise BadManifest(f"its `{MARK.strip()}` lines are damaged (no {exc})") from None
    except (ValueError, TypeError) as exc:
        raise BadManifest(f"its `{MARK.strip()}` lines are damaged ({exc})") from None
    return Manifest(annotations, replay, tuple(sorted(set(dedupe))), tuple(sorted(events)))


def _names(value: Any, keys: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or set(value) != set(keys) or not all(isinstance(v, str) for v in value.values()):
        raise BadManifest(f"expected names for {', '.join(keys)}")
    return tuple(sorted(value.items()))
