"""`gen diff`: what a contract change does to the teams downstream, classified breaking or not.

Breaking: something that used to pass now fails, or something segments and flows rely on
goes away or changes meaning (removed events, aliases, properties or traits; newly required
properties; narrowed types, enums and ranges; changed dedupe keys; stricter policies). A
breaking change calls for a new major version (`contract.version`), anything else a minor one.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import contract
from .contract.model import Contract, Event

STRICT = {"drop"}


@dataclass(frozen=True)
class Change:
    breaking: bool
    where: str
    what: str

    def __str__(self) -> str:
        return f"{'breaking' if self.breaking else 'compatible'}: {self.where}: {self.what}"


class DiffError(Exception):
    """A side that cannot be read or compiled."""


def load(spec: str, path_in_repo: str = "contract.yaml") -> Contract:
    """A contract from a file, or from a git ref (`main`, `v1.2`, `HEAD~1`, or `REF:path`)."""
    source = Path(spec)
    if source.is_file():
        text, name = source.read_text(encoding="utf-8"), str(source)
    else:
        ref, _, inner = spec.partition(":")
        inner = inner or path_in_repo
        try:
            text = subprocess.run(["git", "show", f"{ref}:{inner}"], capture_output=True, text=True,
                                  check=True).stdout
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", "") or str(exc)
            raise DiffError(f"{spec}: neither a file nor a git ref holding {inner} ({detail.strip()})") from None
        name = f"{ref}:{inner}"
    result = contract.compile_contract(text, name)
    if not result.ok or result.contract is None:
        raise DiffError("\n".join(str(d) for d in result.diagnostics if d.severity == "error"))
    return result.contract


def _rule_changes(where: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes = []
    if old.get("type") != new.get("type"):
        return [Change(True, where, f"type {old.get('type')} → {new.get('type')}")]
    if not old.get("required") and new.get("required"):
        changes.append(Change(True, where, "newly required"))
    elif old.get("required") and not new.get("required"):
        changes.append(Change(False, where, "no longer required"))
    if "lookup" in old or "lookup" in new:
        before, after = set((old.get("lookup") or {}).values()), set((new.get("lookup") or {}).values())
        if before - after:
            changes.append(Change(True, where, f"values removed: {', '.join(sorted(before - after))}"))
        if after - before:
            changes.append(Change(False, where, f"values added: {', '.join(sorted(after - before))}"))
        spellings = set(old.get("lookup") or {}) - set(new.get("lookup") or {})
        if spellings and not before - after:
            changes.append(Change(True, where, f"synonyms no longer accepted: {', '.join(sorted(spellings))}"))
    for bound in ("minimum", "maximum"):
        a, b = old.get(bound), new.get(bound)
        if a != b:
            # A new bound, a higher minimum or a lower maximum refuses values that passed.
            narrowed = b is not None and (a is None or (b > a if bound == "minimum" else b < a))
            changes.append(Change(narrowed, where, f"{bound} {a} → {b}"))
    if old.get("pattern") != new.get("pattern"):
        changes.append(Change(new.get("pattern") is not None, where,
                              f"pattern {old.get('pattern')!r} → {new.get('pattern')!r}"))
    for key in ("decimals", "output", "default", "onInvalid", "normalize", "region"):
        if old.get(key) != new.get(key):
            breaking = key == "output" or (key == "onInvalid" and new.get(key) == "remove")
            changes.append(Change(breaking, where, f"{key} {old.get(key)!r} → {new.get(key)!r}"))
    if old.get("type") in ("object", "array"):
        changes += _fields_changes(where, _children(old), _children(new))
    return changes


def _children(rule: dict[str, Any]) -> dict[str, dict[str, Any]]:
    if rule.get("type") == "object":
        return dict(rule.get("properties") or {})
    items = rule.get("items") or {}
    return {"[]": items} if "shape" not in items else {}


def _fields_changes(where: str, old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[Change]:
    changes = []
    for name in sorted(set(old) - set(new)):
        changes.append(Change(True, f"{where}.{name}", "removed"))
    for name in sorted(set(new) - set(old)):
        changes.append(Change(bool(new[name].get("required")), f"{where}.{name}",
                              "added, required" if new[name].get("required") else "added"))
    for name in sorted(set(old) & set(new)):
        changes += _rule_changes(f"{where}.{name}", old[name], new[name])
    return changes


def _event_changes(old: Event, new: Event) -> list[Change]:
    where = f"event '{new.name}'"
    changes = []
    for alias in sorted(set(old.aliases) - set(new.aliases)):
        changes.append(Change(True, where, f"alias '{alias}' removed"))
    for alias in sorted(set(new.aliases) - set(old.aliases)):
        changes.append(Change(False, where, f"alias '{alias}' added"))
    if old.match_variants and not new.match_variants:
        changes.append(Change(True, where, "spelling variants no longer matched"))
    changes += _fields_changes(where, {p.name: p.spec for p in old.properties},
                               {p.name: p.spec for p in new.properties})
    before = {tuple(g.names) for g in old.require_any_of}
    after = {tuple(g.names) for g in new.require_any_of}
    for group in sorted(after - before):
        changes.append(Change(True, where, f"now requires one of {', '.join(group)}"))
    for group in sorted(before - after):
        changes.append(Change(False, where, f"no longer requires one of {', '.join(group)}"))
    if old.dedupe != new.dedupe:
        changes.append(Change(True, where, f"dedupe {old.dedupe} → {new.dedupe}: ids change, so copies sent before "
                                           "and after the change are not recognised as duplicates"))
    if old.line_items != new.line_items:
        changes.append(Change(True, where, f"line items {old.line_items} → {new.line_items}"))
    for policy, a, b in (("undeclared properties", old.undeclared, new.undeclared),
                         ("on violation", old.on_violation, new.on_violation)):
        if a != b:
            changes.append(Change(b in STRICT, where, f"{policy} {a} → {b}"))
    if old.replay != new.replay:
        before_window = old.replay and old.replay.get("label")
        after_window = new.replay and new.replay.get("label")
        changes.append(Change(bool(new.replay and new.replay.get("policy") == "drop"), where,
                              f"replay window {before_window} → {after_window}"))
    return changes


def changes(old: Contract, new: Contract) -> list[Change]:
    """Every change from OLD to NEW, breaking first."""
    found: list[Change] = []
    old_events = {e.name: e for e in old.events}
    new_events = {e.name: e for e in new.events}
    for name in sorted(set(old_events) - set(new_events)):
        found.append(Change(True, f"event '{name}'", "removed"))
    for name in sorted(set(new_events) - set(old_events)):
        found.append(Change(False, f"event '{name}'", "added"))
    for name in sorted(set(old_events) & set(new_events)):
        found += _event_changes(old_events[name], new_events[name])
    old_traits = {p.name: p.spec for p in old.traits.fields} if old.traits else {}
    new_traits = {p.name: p.spec for p in new.traits.fields} if new.traits else {}
    found += _fields_changes("traits", old_traits, new_traits)
    if old.unplanned_events != new.unplanned_events:
        found.append(Change(new.unplanned_events in STRICT, "settings",
                            f"unplanned events {old.unplanned_events} → {new.unplanned_events}"))
    if old.identity != new.identity:
        stricter = any(v in STRICT for v in (new.identity or {}).values())
        found.append(Change(stricter, "identity", f"{old.identity} → {new.identity}"))
    if old.annotations != new.annotations:
        found.append(Change(True, "annotations", "fields Customer.io segments read were renamed: "
                            + ", ".join(f"{k} {old.annotations.get(k)} → {v}" for k, v in new.annotations.items()
                                        if old.annotations.get(k) != v)))
    return sorted(found, key=lambda c: (not c.breaking,))


def bump(old: Contract, new: Contract, found: list[Change]) -> tuple[str, bool]:
    """The bump the changes call for, and whether NEW's version makes it."""
    needed = "major" if any(c.breaking for c in found) else "minor" if found else "none"
    if needed == "none":
        return needed, True
    return needed, _newer(old.version, new.version, major=needed == "major")


def _newer(old: Any, new: Any, *, major: bool) -> bool:
    def parts(version: Any) -> list[int]:
        return [int(p) if p.isdigit() else 0 for p in str(version).lstrip("v").split(".")]

    a, b = parts(old), parts(new)
    if major:
        return b[0] > a[0]
    return b > a
