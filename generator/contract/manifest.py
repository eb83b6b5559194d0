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
# The lines' layout: a reader refuses any other, so a build an older or newer gen wrote is
# never read half right.
FORMAT = 1


@dataclass(frozen=True)
class Manifest:
    annotations: tuple[tuple[str, str], ...]  # violations, flag, repairs, stamp → property name
    replay: tuple[tuple[str, str], ...]  # context, flag → property name
    # event → the property its dedupe id is written into; None: unknown, so any event's `event_id`
    dedupe: tuple[tuple[str, str], ...] | None
    declared: tuple[tuple[str, tuple[str, ...]], ...] | None  # event → its declared properties

    def names(self) -> dict[str, str]:
        """The names replay's rows look for (worker.Job.names)."""
        replay = dict(self.replay)
        return {**dict(self.annotations), "replay": replay["context"], "replay_flag": replay["flag"]}

    def as_json(self) -> dict[str, Any]:
        """The names, as the report shows them (dedupe: event → property, or null for `event_id` on any event)."""
        return {"annotations": dict(self.annotations), "replay": dict(self.replay),
                "dedupe": None if self.dedupe is None else dict(self.dedupe)}

    def dedupe_properties(self) -> dict[str, str] | None:
        return None if self.dedupe is None else dict(self.dedupe)

    def declared_properties(self) -> dict[str, list[str]] | None:
        return None if self.declared is None else {event: list(keys) for event, keys in self.declared}


# How a transformation without gen:replay lines is read: gen's defaults, nothing declared.
DEFAULT = Manifest(
    annotations=tuple(sorted((k, str(v)) for k, v in DEFAULT_ANNOTATIONS.items())),
    replay=(("context", str(DEFAULT_REPLAY["context"])), ("flag", str(DEFAULT_REPLAY["flag"]))),
    dedupe=None,
    declared=None,
)
# The property a build without gen:replay lines is assumed to write dedupe ids into.
DEFAULT_DEDUPE = "event_id"


def of(contract: Contract) -> Manifest:
    """The manifest of what this contract builds."""
    replay = {**DEFAULT_REPLAY, **(contract.replay or {})}
    return Manifest(
        annotations=tuple(sorted(contract.annotations.items())),
        replay=(("context", str(replay["context"])), ("flag", str(replay["flag"]))),
        dedupe=tuple(sorted((e.name, str(e.dedupe["into"])) for e in contract.events if e.dedupe)),
        declared=tuple(sorted((e.name, tuple(sorted(p.name for p in e.properties))) for e in contract.events)),
    )


def lines(manifest: Manifest) -> list[str]:
    """The manifest as comment lines: the names first, then one line per event (diffs stay small)."""
    out = [MARK + comment_json({"format": FORMAT, "annotations": dict(manifest.annotations),
                                "replay": dict(manifest.replay)})]
    dedupe = dict(manifest.dedupe or ())
    for event, keys in manifest.declared or ():
        line: dict[str, Any] = {"event": event, "declared": list(keys)}
        if event in dedupe:
            line["dedupe"] = dedupe[event]
        out.append(MARK + comment_json(line))
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
        if not isinstance(head, dict) or head.get("format") != FORMAT or isinstance(head.get("format"), bool):
            shown = head.get("format", "none") if isinstance(head, dict) else "none"
            raise BadManifest(f"they were written by another version of gen (format {shown}, not {FORMAT}): "
                              "run `gen build` again")
        declared = [json.loads(text) for text in found[1:]]
        annotations = _names(head["annotations"], tuple(DEFAULT_ANNOTATIONS))
        replay = _names(head["replay"], ("context", "flag"))
        events, dedupe = [], []
        for entry in declared:
            keys = entry["declared"]
            if not isinstance(entry["event"], str) or not isinstance(keys, list) \
                    or not all(isinstance(k, str) for k in keys) or not isinstance(entry.get("dedupe", ""), str):
                raise BadManifest("an event line must name the event, list its properties and name its dedupe id")
            events.append((entry["event"], tuple(sorted(keys))))
            if "dedupe" in entry:
                dedupe.append((entry["event"], entry["dedupe"]))
    except BadManifest as exc:
        raise BadManifest(f"its `{MARK.strip()}` lines cannot be read: {exc}") from None
    except KeyError as exc:
        raise BadManifest(f"its `{MARK.strip()}` lines are damaged (no {exc})") from None
    except RecursionError:
        raise BadManifest(f"its `{MARK.strip()}` lines are damaged (nested too deep)") from None
    except (ValueError, TypeError) as exc:
        raise BadManifest(f"its `{MARK.strip()}` lines are damaged ({exc})") from None
    return Manifest(annotations, replay, tuple(sorted(dedupe)), tuple(sorted(events)))


def _names(value: Any, keys: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or set(value) != set(keys) or not all(isinstance(v, str) for v in value.values()):
        raise BadManifest(f"expected names for {', '.join(keys)}")
    return tuple(sorted(value.items()))
