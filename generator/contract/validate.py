"""Stage 2, validate: every problem in the contract at once, each at its line and column.

The contract language is documented in docs/contract.md; this module is its grammar.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from typing import Any

from . import patterns, reference, structure
from .diagnostics import Diagnostic, Severity
from .load import Path, Source
from .names import variant_key
from .schema import GRAMMAR, MAX_DECIMALS, NORMALIZE, POLICIES, TIMESTAMP_OUTPUTS, TYPES, keys
from .structure import kind_of
from .values import check_value

# The vocabulary comes from the grammar (schema.py), the one editors read too.
TOP_KEYS = tuple(GRAMMAR["properties"])
CONTRACT_KEYS = keys("contract")
SETTINGS_KEYS = keys("settings")
SCOPE_KEYS = keys("scope")
IDENTITY_KEYS = keys("identity")
STITCH_KEYS = keys("identity", "stitch")
TRAITS_KEYS = keys("traits")
DERIVE_NAMES_KEYS = keys("traits", "derive_names")
REPLAY_KEYS = keys("replay")
EVENT_REPLAY_KEYS = keys("event", "replay")
DEDUPE_KEYS = keys("event", "dedupe")
LINE_ITEM_KEYS = keys("event", "line_items")
ANNOTATION_KEYS = keys("annotations")
EVENT_KEYS = keys("event")
SHAPE_KEYS = keys("shapes")
PROPERTY_KEYS = keys("property")
# Keys a property that uses a shared one may still set: they say how this event names and
# handles it, not what it is.
USE_OVERRIDES = ("use", "required", "default", "description", "aliases", "on_invalid")
# The boolean spellings the generated code knows (settings.true_values/false_values add more).
TRUE_WORDS = ("true", "yes", "y", "t", "on", "1")
FALSE_WORDS = ("false", "no", "n", "f", "off", "0")
DEFAULT_REPLAY = {
    "flag": "is_replay", "context": "gen_replay", "markers": ["context.replay"], "future_tolerance": "10m",
}
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def duration_seconds(text: Any) -> int | None:
    """`4h`, `30m`, `1h30m`, `2d`, `90s` → seconds; None when it is not a duration."""
    if not isinstance(text, str) or not text:
        return None
    match = _DURATION.match(text.strip())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds
DEFAULT_ANNOTATIONS = {
    "violations": "violationErrors",
    "flag": "dq_issues",
    "repairs": "gen_repairs",
    "stamp": "tracking_plan",
}
_FIELD_NAME = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
# Keys Customer.io's destination refuses (`Cannot set unsafe key`, HTTP 500): the generated
# code removes them from every event, so the contract cannot declare them.
UNSAFE_KEYS = ("__proto__", "constructor", "prototype")
# What every JavaScript object inherits: a field gen writes or reads by name must not be one.
PROTOTYPE_NAMES = frozenset({
    *UNSAFE_KEYS, "toString", "toLocaleString", "valueOf", "hasOwnProperty", "isPrototypeOf",
    "propertyIsEnumerable", "__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__",
})
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufeff]")


class Validator:
    """Walks the loaded data and records diagnostics; it never stops at the first."""

    def __init__(self, data: Any, source: Source) -> None:
        self.data = data
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self.faulted: list[Path] = []  # where errors were reported

    # -- reporting ---------------------------------------------------------------------------

    def report(self, path: Path, message: str, *, key: bool = False, severity: Severity = "error") -> None:
        if severity == "error":
            self.faulted.append(path)
        where = self.source.at(path, key=key)
        self.diagnostics.append(Diagnostic(self.source.file, where.line, where.column, severity, message))

    def unknown_keys(self, path: Path, mapping: dict[str, Any], allowed: Iterable[str], what: str) -> None:
        allowed = tuple(allowed)
        for key in mapping:
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f" (expected one of: {', '.join(allowed)})"
            if " " in key.strip():
                hint += "; a comma inside an unquoted value in {…} starts a new key: quote the value"
            self.report((*path, key), f"unknown key '{key}' in {what}{hint}", key=True)

    def expect_mapping(self, path: Path, value: Any, what: str) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.report(path, f"{what} must be a mapping, not {kind_of(value)}")
            return None
        return value

    def expect_string(self, path: Path, value: Any, what: str, *, allow_empty: bool = False) -> str | None:
        if not isinstance(value, str):
            self.report(path, f"{what} must be a string, not {kind_of(value)}")
            return None
        if not allow_empty and not value.strip():
            self.report(path, f"{what} must not be empty")
            return None
        return value

    def expect_bool(self, path: Path, value: Any, what: str) -> None:
        if not isinstance(value, bool):
            self.report(path, f"{what} must be true or false, not {kind_of(value)}")

    def expect_choice(self, path: Path, value: Any, choices: tuple[str, ...], what: str) -> None:
        if value not in choices:
            close = difflib.get_close_matches(str(value), choices, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            self.report(path, f"{what} must be one of {', '.join(choices)}, not {value!r}{hint}")

    # -- the document ------------------------------------------------------------------------

    def run(self) -> list[Diagnostic]:
        root = self.data
        if root is None:
            self.report((), "the contract is empty: it needs at least `contract` and `events`")
            return self.diagnostics
        if not isinstance(root, dict):
            self.report((), f"the contract must be a mapping, not {kind_of(root)}")
            return self.diagnostics
        # `x-` keys are free space, for YAML anchors the rest of the contract merges (`<<: *base`).
        self.unknown_keys((), {k: v for k, v in root.items() if not k.startswith("x-")}, TOP_KEYS, "the contract")
        self.contract_block(root)
        self.settings_block(root)
        self.annotations_block(root)
        self.scope_block(root)
        self.identity_block(root)
        self.replay_block(root)
        shared = self.shared_properties(root)
        shapes = self.shapes_block(root, shared)
        self.traits_block(root, shared, shapes)
        self.common_properties(root, shared)
        self.events_block(root, shared, shapes)
        return self.diagnostics

    def string_list(self, path: Path, value: Any, what: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.report(path, f"{what} must be a list of non-empty strings")
            return []
        return value

    def field_name(self, path: Path, value: Any, what: str) -> str | None:
        text = self.expect_string(path, value, what)
        if text is not None and not _FIELD_NAME.match(text):
            self.report(path, f"{what} must be a plain field name, not {text!r}")
            return None
        if text in PROTOTYPE_NAMES:
            self.report(path, f"{what} cannot be {text!r}: every JavaScript object already has a member by that name")
            return None
        return text

    def name(self, path: Path, name: str, what: str, *, key: bool = True) -> None:
        """A name the contract declares (event, alias, property, trait): warn about invisible characters."""
        found = _UNPRINTABLE.search(name)
        if found:
            self.report(path, f"{what} {name!r} contains U+{ord(found.group()):04X}, a control or invisible character; "
                        "events must spell it exactly the same way", key=key, severity="warning")

    def property_name(self, path: Path, name: str, what: str) -> None:
        """A property or trait name: not one Customer.io's destination refuses."""
        if name in UNSAFE_KEYS:
            self.report(path, f"{what} cannot be named {name!r}: Customer.io's destination refuses events carrying "
                        "that key (HTTP 500), so gen removes it from every event", key=True)
        self.name(path, name, what)

    def pattern(self, path: Path, value: Any, what: str) -> None:
        """A regular expression the generated code will run on any value (generator/contract/patterns.py)."""
        text = self.expect_string(path, value, what)
        if text is None:
            return
        verdict = patterns.verdict(text)
        if verdict.error:
            self.report(path, f"{what} {verdict.error}")
        elif verdict.warning:
            self.report(path, f"{what} {verdict.warning}", severity="warning")

    def duration(self, path: Path, value: Any, what: str) -> None:
        if duration_seconds(value) is None:
            self.report(path, f"{what} must be a duration such as 4h, 30m, 1h30m, 2d or 90s, not {value!r}")

    def scope_block(self, root: dict[str, Any]) -> None:
        block = self.expect_mapping(("scope",), root.get("scope"), "`scope`")
        if block is None:
            return
        self.unknown_keys(("scope",), block, SCOPE_KEYS, "`scope`")
        for key in SCOPE_KEYS:
            if key in block:
                self.string_list(("scope", key), block[key], f"`scope.{key}`")
        if not any(block.get(key) for key in SCOPE_KEYS):
            self.report(("scope",), "`scope` needs destination_types or destination_ids (or leave it out)", key=True)

    def identity_block(self, root: dict[str, Any]) -> None:
        block = self.expect_mapping(("identity",), root.get("identity"), "`identity`")
        if block is None:
            return
        self.unknown_keys(("identity",), block, IDENTITY_KEYS, "`identity`")
        if "primary_id" in block and block["primary_id"] != "userId":
            self.report(("identity", "primary_id"), f"`primary_id` must be userId, not {block['primary_id']!r}: "
                        "Customer.io's destination takes the person's id from userId first, and gen enforces it there")
        for key in ("require_ids", "email_user_id"):
            if key in block:
                self.expect_choice(("identity", key), block[key], POLICIES[key], f"`identity.{key}`")
        if "user_id_pattern" in block:
            self.pattern(("identity", "user_id_pattern"), block["user_id_pattern"], "`user_id_pattern`")
        if "stitch" in block:
            self.stitch(root, block["stitch"])

    def stitch(self, root: dict[str, Any], value: Any) -> None:
        where: Path = ("identity", "stitch")
        if isinstance(value, bool):
            return
        block = self.expect_mapping(where, value, "`identity.stitch`")
        if block is None:
            self.report(where, "`identity.stitch` is true, or a mapping with `email` (paths) and `events`")
            return
        self.unknown_keys(where, block, STITCH_KEYS, "`identity.stitch`")
        if "email" in block:
            for index, path in enumerate(self.string_list((*where, "email"), block["email"], "`stitch.email`")):
                self.event_path((*where, "email", index), path, "an email to stitch by", "context.traits.email")
        if "events" in block:
            events: dict[str, Any] = root["events"] if isinstance(root.get("events"), dict) else {}
            for index, name in enumerate(self.string_list((*where, "events"), block["events"], "`stitch.events`")):
                if name not in events:
                    close = difflib.get_close_matches(name, list(events), n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    self.report((*where, "events", index), f"no event '{name}' under `events:`{hint}")

    def event_path(self, path: Path, value: str, what: str, example: str) -> None:
        """A dotted path into an event: context.…, properties.… or traits.…"""
        parts = value.split(".")
        if len(parts) < 2 or parts[0] not in ("context", "properties", "traits") or not all(parts):
            self.report(path, f"{what} must be a path under context, properties or traits, such as {example}, "
                        f"not {value!r}")
        elif any(part in PROTOTYPE_NAMES for part in parts):
            self.report(path, f"{what} cannot go through a member every JavaScript object has ({value!r})")

    def replay_block(self, root: dict[str, Any]) -> None:
        block = self.expect_mapping(("replay",), root.get("replay"), "`replay`")
        if block is None:
            return
        self.unknown_keys(("replay",), block, REPLAY_KEYS, "`replay`")
        for key in ("flag", "context"):
            if key in block:
                self.field_name(("replay", key), block[key], f"`replay.{key}`")
        if "markers" in block:
            for index, marker in enumerate(self.string_list(("replay", "markers"), block["markers"], "`markers`")):
                self.event_path(("replay", "markers", index), marker, "a replay marker", "context.replay")
        if "future_tolerance" in block:
            self.duration(("replay", "future_tolerance"), block["future_tolerance"], "`future_tolerance`")
        if "identify" in block:
            self.event_replay(("replay",), block["identify"], key="identify")

    def traits_block(self, root: dict[str, Any], shared: dict[str, Any], shapes: dict[str, Any]) -> None:
        block = self.expect_mapping(("traits",), root.get("traits"), "`traits`")
        if block is None:
            return
        self.unknown_keys(("traits",), block, TRAITS_KEYS, "`traits`")
        if "on_track" in block:
            self.expect_bool(("traits", "on_track"), block["on_track"], "`traits.on_track`")
        if "undeclared" in block:
            self.expect_choice(("traits", "undeclared"), block["undeclared"], POLICIES["undeclared_properties"],
                               "`traits.undeclared`")
        fields = self.expect_mapping(("traits", "fields"), block.get("fields"), "`traits.fields`")
        if not fields:
            self.report(("traits",), "`traits` needs `fields`: the person attributes Customer.io receives", key=True)
            return
        if "derive_names" in block:
            self.derive_names(block["derive_names"], fields)
        owner: dict[str, str] = {}
        for name, spec in fields.items():
            path: Path = ("traits", "fields", name)
            aliases: Any = []
            if isinstance(spec, dict) and "aliases" in spec:
                aliases = spec["aliases"]
                spec = {k: v for k, v in spec.items() if k != "aliases"}
            self.property(path, name, spec, shared=shared, shapes=shapes)
            for index, alias in enumerate(self.string_list((*path, "aliases"), aliases, "`aliases`")
                                          if aliases != [] else []):
                self.property_name((*path, "aliases", index), alias, "a trait alias")
                if alias in fields or alias in owner:
                    other = alias if alias in fields else owner[alias]
                    self.report((*path, "aliases", index), f"trait alias {alias!r} is already trait '{other}'")
                owner.setdefault(alias, name)

    def derive_names(self, value: Any, fields: dict[str, Any]) -> None:
        where: Path = ("traits", "derive_names")
        if isinstance(value, bool):
            names = {"from": "name", "first": "first_name", "last": "last_name"}
        else:
            block = self.expect_mapping(where, value, "`traits.derive_names`")
            if block is None:
                self.report(where, "`derive_names` is true, or a mapping with `from`, `first` and `last`")
                return
            self.unknown_keys(where, block, DERIVE_NAMES_KEYS, "`derive_names`")
            names = {"from": "name", "first": "first_name", "last": "last_name"}
            for key in DERIVE_NAMES_KEYS:
                if key in block:
                    name = self.field_name((*where, key), block[key], f"`derive_names.{key}`")
                    if name is not None:
                        names[key] = name
        for key in ("first", "last"):
            spec = fields.get(names[key])
            if spec is None:
                self.report(where, f"`derive_names` writes the trait '{names[key]}': declare it under `fields`")
            elif isinstance(spec, dict) and spec.get("type") not in (None, "string"):
                self.report(where, f"`derive_names` writes text into '{names[key]}', which is not a string trait")

    def contract_block(self, root: dict[str, Any]) -> None:
        if "contract" not in root:
            self.report((), "missing `contract:` (name and version of the tracking plan)")
            return
        block = self.expect_mapping(("contract",), root["contract"], "`contract`")
        if block is None:
            if root["contract"] is None:
                self.report(("contract",), "`contract` needs a `name` and a `version`")
            return
        self.unknown_keys(("contract",), block, CONTRACT_KEYS, "`contract`")
        if "name" not in block:
            self.report(("contract",), "`contract` needs a `name`", key=True)
        else:
            self.expect_string(("contract", "name"), block["name"], "`contract.name`")
        if "version" not in block:
            self.report(("contract",), "`contract` needs a `version`", key=True)
        elif isinstance(block["version"], bool) or not isinstance(block["version"], (int, str)):
            self.report(("contract", "version"), "`contract.version` must be an integer or a string")
        if "description" in block:
            self.expect_string(("contract", "description"), block["description"], "`contract.description`")
        # The contract's identity travels as text into every event's stamp, the API and file
        # names; a description is prose, written escaped where it goes.
        for key in ("name", "version"):
            text = block.get(key)
            found = _LONE_SURROGATE.search(text) if isinstance(text, str) else None
            if found is not None:
                self.report(("contract", key), f"`contract.{key}` holds a lone surrogate "
                            f"(\\u{ord(found.group()):04x}), which no file or API can carry as text")

    def settings_block(self, root: dict[str, Any]) -> None:
        block = self.expect_mapping(("settings",), root.get("settings"), "`settings`")
        if block is None:
            return
        self.unknown_keys(("settings",), block, SETTINGS_KEYS, "`settings`")
        for key, value in block.items():
            if key in ("match_variants", "batch_dedupe"):
                self.expect_bool(("settings", key), value, f"`settings.{key}`")
            elif key in POLICIES:
                self.expect_choice(("settings", key), value, POLICIES[key], f"`settings.{key}`")
            elif key == "normalize":
                self.expect_choice(("settings", key), value, NORMALIZE, "`settings.normalize`")
            elif key == "default_region":
                self.region(("settings", key), value, "`settings.default_region`")
        words: dict[str, str] = {word: "true" for word in TRUE_WORDS} | {word: "false" for word in FALSE_WORDS}
        for key, meaning in (("true_values", "true"), ("false_values", "false")):
            if key not in block:
                continue
            for index, word in enumerate(self.string_list(("settings", key), block[key], f"`settings.{key}`")):
                lowered = word.strip().lower()
                if words.get(lowered, meaning) != meaning:
                    self.report(("settings", key, index), f"{word!r} already means {words[lowered]}")
                words.setdefault(lowered, meaning)

    def region(self, path: Path, value: Any, what: str) -> None:
        """A phone region: an ISO 3166 country code libphonenumber knows."""
        if value is False:
            # YAML 1.1 reads an unquoted NO as false: the one region code it turns into a boolean.
            self.report(path, f"{what} is false here because YAML reads NO as a boolean; for Norway write 'NO' "
                        "in quotes")
            return
        text = self.expect_string(path, value, what)
        if text is None:
            return
        regions = [key for key in reference.phone_plans()["regions"] if not key.startswith("+")]
        if text not in regions:
            # The United Kingdom's ISO code is GB; UK is only its internet domain.
            close = ["GB"] if text.upper() == "UK" else (
                [text.upper()] if text.upper() in regions else difflib.get_close_matches(text.upper(), regions, n=1)
            ) if len(text) == 2 else []
            hint = f"; did you mean '{close[0]}'?" if close else ""
            self.report(path, f"{what} must be a two-letter country code such as US or GB, not {text!r}{hint}")

    def annotations_block(self, root: dict[str, Any]) -> None:
        block = self.expect_mapping(("annotations",), root.get("annotations"), "`annotations`")
        if block is None:
            return
        self.unknown_keys(("annotations",), block, ANNOTATION_KEYS, "`annotations`")
        names: dict[str, str] = {}
        for key, value in block.items():
            if key not in ANNOTATION_KEYS:
                continue
            text = self.expect_string(("annotations", key), value, f"`annotations.{key}`")
            if text is None:
                continue
            if not _FIELD_NAME.match(text):
                self.report(("annotations", key), f"`annotations.{key}` must be a plain field name, not {text!r}")
            elif text in PROTOTYPE_NAMES:
                self.report(("annotations", key), f"`annotations.{key}` cannot be {text!r}: every JavaScript object "
                            "already has a member by that name")
            if key != "flag" and text in names:
                self.report(("annotations", key), f"`annotations.{key}` uses the same context field as "
                            f"`annotations.{names[text]}`")
            names.setdefault(text, key)

    # -- properties --------------------------------------------------------------------------

    def shared_properties(self, root: dict[str, Any]) -> dict[str, Any]:
        block = self.expect_mapping(("properties",), root.get("properties"), "`properties`")
        if block is None:
            return {}
        for name, spec in block.items():
            self.property((("properties", name)), name, spec, shared={}, shapes=None, allow_use=False)
        return block

    def shapes_block(self, root: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
        block = self.expect_mapping(("shapes",), root.get("shapes"), "`shapes`")
        if block is None:
            return {}
        for name, spec in block.items():
            path: Path = ("shapes", name)
            body = self.expect_mapping(path, spec, f"shape '{name}'")
            if body is None:
                if spec is None:
                    self.report(path, f"shape '{name}' needs `properties`")
                continue
            self.unknown_keys(path, body, SHAPE_KEYS, f"shape '{name}'")
            if "description" in body:
                self.expect_string((*path, "description"), body["description"], "`description`")
            if "undeclared_properties" in body:
                self.expect_choice((*path, "undeclared_properties"), body["undeclared_properties"],
                                   POLICIES["undeclared_properties"], "`undeclared_properties`")
            props = self.expect_mapping((*path, "properties"), body.get("properties"), "`properties`")
            if not props:
                self.report(path, f"shape '{name}' needs `properties`", key=True)
                continue
            for prop, prop_spec in props.items():
                self.property((*path, "properties", prop), prop, prop_spec, shared=shared, shapes=block)
            self.property_aliases((*path, "properties"), props, shared)
        return block

    def property_aliases(
        self, path: Path, props: dict[str, Any], shared: dict[str, Any], flag_field: str | None = None
    ) -> None:
        """Aliases of an object's properties must name nothing else in that object."""
        owner: dict[str, str] = {}
        for name, spec in props.items():
            if not isinstance(spec, dict) or not isinstance(spec.get("aliases"), list):
                continue
            for index, alias in enumerate(spec["aliases"]):
                if not isinstance(alias, str):
                    continue
                where: Path = (*path, name, "aliases", index)
                if alias in props:
                    self.report(where, f"alias {alias!r} is already the property '{alias}'")
                elif alias in owner and owner[alias] != name:
                    self.report(where, f"alias {alias!r} is already an alias of '{owner[alias]}'")
                elif alias == flag_field:
                    self.report(where, f"alias {alias!r} is the violation flag field (`annotations.flag`)")
                owner.setdefault(alias, name)

    def common_properties(self, root: dict[str, Any], shared: dict[str, Any]) -> None:
        """Rules for a property name on every event, planned or not."""
        block = self.expect_mapping(("common_properties",), root.get("common_properties"), "`common_properties`")
        if block is None:
            return
        for name, spec in block.items():
            path: Path = ("common_properties", name)
            self.property(path, name, spec, shared=shared, shapes=None)
            if isinstance(spec, dict) and spec.get("required") is True:
                self.report((*path, "required"), "a common property cannot be required: it applies to events that "
                            "never carry it", key=True)
            if isinstance(spec, dict) and "default" in spec:
                self.report((*path, "default"), "a common property cannot have a default: it is checked where it "
                            "appears, not added to every event", key=True)
        self.property_aliases(("common_properties",), block, shared)

    def property(
        self,
        path: Path,
        name: str,
        spec: Any,
        *,
        shared: dict[str, Any],
        shapes: dict[str, Any] | None,
        allow_use: bool = True,
    ) -> None:
        """One property definition: inline (`type: …`) or a shared one (`use: name`) with overrides."""
        if not name.strip():
            self.report(path, "a property name must not be empty", key=True)
        self.property_name(path, name, "a trait" if path[:2] == ("traits", "fields") else "a property")
        if isinstance(spec, str) and allow_use:
            self.report(path, f"write `{{use: {spec}}}` to use a shared property, or give a mapping with `type`")
            return
        body = self.expect_mapping(path, spec, f"property '{name}'")
        if body is None:
            if spec is None:
                self.report(path, f"property '{name}' needs a definition (a mapping with `type` or `use`)")
            return
        self.unknown_keys(path, body, PROPERTY_KEYS, f"property '{name}'")
        if "use" in body:
            if not allow_use:
                self.report((*path, "use"), "shared properties cannot `use` other shared properties", key=True)
                return
            target = self.expect_string((*path, "use"), body["use"], "`use`")
            if target is None:
                return
            if target not in shared:
                close = difflib.get_close_matches(target, list(shared), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                self.report((*path, "use"), f"no shared property '{target}' under `properties:`{hint}")
                return
            structural = sorted(set(body) - set(USE_OVERRIDES))
            if structural:
                self.report((*path, structural[0]), f"with `use`, only required, default, description, aliases and "
                            f"on_invalid can be overridden, not '{structural[0]}'", key=True)
            self.handling(path, body)
            base = shared[target] if isinstance(shared[target], dict) else {}
            merged = {**base, **{k: v for k, v in body.items() if k != "use"}}
            if isinstance(shared[target], dict) and "default" in body:
                self.default_value((*path, "default"), merged)
            if "required" in body:
                self.expect_bool((*path, "required"), body["required"], "`required`")
            return
        if "required" in body:
            self.expect_bool((*path, "required"), body["required"], "`required`")
        if "description" in body:
            self.expect_string((*path, "description"), body["description"], "`description`")
        self.handling(path, body)
        if "type" not in body:
            if not difflib.get_close_matches("type", [k for k in body if k not in PROPERTY_KEYS], n=1):
                self.report(path, f"property '{name}' needs a `type` (one of: {', '.join(TYPES)}) or `use`")
            return
        kind = body["type"]
        self.expect_choice((*path, "type"), kind, TYPES, "`type`")
        if kind not in TYPES:
            return
        self.type_keys(path, body, kind, shared=shared, shapes=shapes)
        if "default" in body:
            self.default_value((*path, "default"), body)

    def handling(self, path: Path, body: dict[str, Any]) -> None:
        """Keys about how a property is named and handled, whatever its type: aliases, on_invalid."""
        if "aliases" in body:
            for index, alias in enumerate(self.string_list((*path, "aliases"), body["aliases"], "`aliases`")):
                self.property_name((*path, "aliases", index), alias, "a property alias")
        if "on_invalid" in body:
            self.expect_choice((*path, "on_invalid"), body["on_invalid"], POLICIES["on_invalid"], "`on_invalid`")

    def type_keys(
        self, path: Path, body: dict[str, Any], kind: str, *, shared: dict[str, Any], shapes: dict[str, Any] | None
    ) -> None:
        allowed = {
            "enum": {"values", "synonyms"},
            "string": {"pattern", "normalize"},
            "number": {"minimum", "maximum", "decimals"},
            "integer": {"minimum", "maximum"},
            "array": {"items"},
            "object": {"properties"},
            "timestamp": {"output"},
            "phone": {"region"},
        }.get(kind, set())
        for key in ("values", "synonyms", "pattern", "minimum", "maximum", "items", "properties", "output",
                    "decimals", "normalize", "region"):
            if key in body and key not in allowed:
                self.report((*path, key), f"`{key}` does not apply to type {kind}", key=True)
        if "decimals" in body and kind == "number":
            value = body["decimals"]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DECIMALS:
                self.report((*path, "decimals"), f"`decimals` must be a whole number from 0 to {MAX_DECIMALS}")
        if "normalize" in body and kind == "string":
            self.expect_choice((*path, "normalize"), body["normalize"], NORMALIZE, "`normalize`")
        if "region" in body and kind == "phone":
            self.region((*path, "region"), body["region"], "`region`")
        if kind == "enum":
            self.enum_keys(path, body)
        if "output" in body and kind == "timestamp":
            self.expect_choice((*path, "output"), body["output"], TIMESTAMP_OUTPUTS, "`output`")
        if "pattern" in body and kind == "string":
            self.pattern((*path, "pattern"), body["pattern"], "`pattern`")
        for bound in ("minimum", "maximum"):
            if bound in body and kind in ("number", "integer"):
                value = body[bound]
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                    self.report((*path, bound), f"`{bound}` must be a number")
        if (
            isinstance(body.get("minimum"), (int, float)) and isinstance(body.get("maximum"), (int, float))
            and body["minimum"] > body["maximum"]
        ):
            self.report((*path, "maximum"), "`maximum` is below `minimum`")
        if kind == "array":
            if "items" not in body:
                self.report(path, "an array needs `items`: a shape name, or a property definition", key=True)
            else:
                self.items((*path, "items"), body["items"], shared=shared, shapes=shapes)
        if kind == "object" and "properties" in body:
            props = self.expect_mapping((*path, "properties"), body["properties"], "`properties`")
            for prop, spec in (props or {}).items():
                self.property((*path, "properties", prop), prop, spec, shared=shared, shapes=shapes)
            self.property_aliases((*path, "properties"), props or {}, shared)

    def items(self, path: Path, value: Any, *, shared: dict[str, Any], shapes: dict[str, Any] | None) -> None:
        if isinstance(value, str):
            if shapes is None:
                self.report(path, "shared properties cannot refer to shapes; declare the array on the event")
            elif value not in shapes:
                close = difflib.get_close_matches(value, list(shapes), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                self.report(path, f"no shape '{value}' under `shapes:`{hint}")
            return
        self.property(path, "items", value, shared=shared, shapes=shapes)

    def enum_keys(self, path: Path, body: dict[str, Any]) -> None:
        values = body.get("values")
        if not isinstance(values, list) or not values:
            self.report(path if "values" not in body else (*path, "values"),
                        "an enum needs `values`: a non-empty list of strings", key="values" not in body)
            return
        seen: dict[str, int] = {}
        for index, value in enumerate(values):
            if not isinstance(value, str) or not value.strip():
                self.report((*path, "values", index), f"enum values must be non-empty strings, not {value!r}")
                continue
            if value.lower() in seen:
                self.report((*path, "values", index), f"enum value {value!r} repeats {values[seen[value.lower()]]!r} "
                            "(enums compare without case)")
            seen.setdefault(value.lower(), index)
        synonyms = body.get("synonyms")
        if synonyms is None:
            return
        block = self.expect_mapping((*path, "synonyms"), synonyms, "`synonyms`")
        if block is None:
            return
        owner: dict[str, str] = {}
        for canonical, alternatives in block.items():
            if canonical not in values:
                self.report((*path, "synonyms", canonical), f"synonyms for {canonical!r}, which is not one of the "
                            f"`values`", key=True)
            if not isinstance(alternatives, list) or not all(isinstance(a, str) and a.strip() for a in alternatives):
                self.report((*path, "synonyms", canonical), "synonyms are a list of non-empty strings")
                continue
            for index, alternative in enumerate(alternatives):
                lowered = alternative.strip().lower()
                if lowered in seen and values[seen[lowered]] != canonical:
                    self.report((*path, "synonyms", canonical, index),
                                f"synonym {alternative!r} is already the value {values[seen[lowered]]!r}")
                elif lowered in owner and owner[lowered] != canonical:
                    self.report((*path, "synonyms", canonical, index),
                                f"synonym {alternative!r} is also a synonym of {owner[lowered]!r}")
                owner.setdefault(lowered, canonical)

    def default_value(self, path: Path, body: dict[str, Any]) -> None:
        problem = check_value(body, body["default"])  # a default must already be a valid, canonical value
        if problem:
            self.report(path, f"`default` {problem}")
        if body.get("required") is True:
            self.report(path, "a required property cannot have a `default` (the default would hide the violation)")

    # -- events ------------------------------------------------------------------------------

    def events_block(self, root: dict[str, Any], shared: dict[str, Any], shapes: dict[str, Any]) -> None:
        if "events" not in root:
            self.report((), "missing `events:` (the canonical events of the tracking plan)")
            return
        block = self.expect_mapping(("events",), root["events"], "`events`")
        if not block:
            if block is not None or root["events"] is None:
                self.report(("events",), "`events` must declare at least one event")
            return
        settings: dict[str, Any] = root["settings"] if isinstance(root.get("settings"), dict) else {}
        default_variants = settings.get("match_variants", False) is True
        claimed: dict[str, tuple[str, Path, str]] = {}  # exact name → (event, path, how)
        variants: dict[str, tuple[str, Path, str]] = {}  # variant key → (event, path, spelling)
        annotations: dict[str, Any] = root["annotations"] if isinstance(root.get("annotations"), dict) else {}
        flag_field = annotations.get("flag", DEFAULT_ANNOTATIONS["flag"])
        for name in block:
            claimed[name] = (name, ("events", name), "the canonical name")
        for name, spec in block.items():
            path: Path = ("events", name)
            if not name.strip():
                self.report(path, "an event name must not be empty", key=True)
            self.name(path, name, "event name")
            body = self.expect_mapping(path, spec, f"event '{name}'")
            if body is None:
                body = {}
            self.unknown_keys(path, body, EVENT_KEYS, f"event '{name}'")
            if "description" in body:
                self.expect_string((*path, "description"), body["description"], "`description`")
            for key in ("undeclared_properties", "on_violation"):
                if key in body:
                    self.expect_choice((*path, key), body[key], POLICIES[key], f"`{key}`")
            match_variants = default_variants
            if "match_variants" in body:
                self.expect_bool((*path, "match_variants"), body["match_variants"], "`match_variants`")
                match_variants = body["match_variants"] is True
            spellings = [(name, path, "the canonical name")]
            aliases = body.get("aliases", [])
            if not isinstance(aliases, list):
                self.report((*path, "aliases"), "`aliases` must be a list of event names")
                aliases = []
            for index, alias in enumerate(aliases):
                alias_path: Path = (*path, "aliases", index)
                if self.expect_string(alias_path, alias, "an alias") is None:
                    continue
                self.name(alias_path, alias, "alias", key=False)
                owner = claimed.get(alias)
                if owner and owner[0] == name and owner[2] == "the canonical name":
                    self.report(alias_path, f"alias {alias!r} is the event's own name", severity="warning")
                    continue
                if owner:
                    self.report(alias_path, f"alias {alias!r} is already {owner[2]} of event '{owner[0]}' "
                                f"(line {self.source.line(owner[1])})")
                    continue
                claimed[alias] = (name, alias_path, "an alias")
                spellings.append((alias, alias_path, "an alias"))
            if match_variants:
                for spelling, spelling_path, how in spellings:
                    key = variant_key(spelling)
                    other = variants.get(key)
                    if other and other[0] != name:
                        self.report(spelling_path, f"{how} {spelling!r} of event '{name}' and {other[2]!r} of event "
                                    f"'{other[0]}' (line {self.source.line(other[1])}) are spelling variants of each "
                                    f"other ('{key}'); with match_variants they cannot be told apart")
                    variants.setdefault(key, (name, spelling_path, spelling))
            props = self.expect_mapping((*path, "properties"), body.get("properties"), "`properties`") or {}
            for prop, prop_spec in props.items():
                self.property((*path, "properties", prop), prop, prop_spec, shared=shared, shapes=shapes)
                if prop == flag_field:
                    self.report((*path, "properties", prop), f"property '{prop}' is the violation flag field "
                                "(`annotations.flag`); rename one of them", key=True)
            self.property_aliases((*path, "properties"), props, shared, flag_field)
            self.require_any_of(path, body.get("require_any_of"), props)
            self.dedupe(path, body.get("dedupe"), props)
            self.event_replay(path, body.get("replay"))
            self.line_items(path, body.get("line_items"), props, block)
        # a canonical name that is a variant of another event's spelling, when only one side matches variants
        self.cross_variant_shadows(block, default_variants)

    def cross_variant_shadows(self, block: dict[str, Any], default_variants: bool) -> None:
        """A spelling of an event that does not match variants must not be a variant of one that does.

        Pairs where both events match variants are reported by events_block.
        """

        def body(name: str) -> dict[str, Any]:
            value = block.get(name)
            return value if isinstance(value, dict) else {}

        def matches(name: str) -> bool:
            return body(name).get("match_variants", default_variants) is True

        spellings: list[tuple[str, str, Path]] = []
        for name in block:
            spellings.append((name, name, ("events", name)))
            aliases = body(name).get("aliases")
            for index, alias in enumerate(aliases if isinstance(aliases, list) else []):
                if isinstance(alias, str):
                    spellings.append((name, alias, ("events", name, "aliases", index)))
        keys = {
            name: {variant_key(spelling) for owner, spelling, _ in spellings if owner == name}
            for name in block
            if matches(name)
        }
        for owner, spelling, path in spellings:
            if matches(owner):
                continue
            for name, variant_keys in keys.items():
                if name != owner and variant_key(spelling) in variant_keys:
                    self.report(path, f"{spelling!r} of event '{owner}' is a spelling variant of event '{name}', "
                                f"which matches variants: '{name}' would take it")

    def dedupe(self, path: Path, value: Any, props: dict[str, Any]) -> None:
        where: Path = (*path, "dedupe")
        block = self.expect_mapping(where, value, "`dedupe`")
        if block is None:
            return
        self.unknown_keys(where, block, DEDUPE_KEYS, "`dedupe`")
        keys = self.string_list((*where, "keys"), block.get("keys"), "`dedupe.keys`")
        if not keys and "keys" not in block:
            self.report(where, "`dedupe` needs `keys`: the properties that identify the action", key=True)
        for index, key in enumerate(keys):
            if key not in props:
                self.report((*where, "keys", index), f"dedupe key '{key}' is not a property of this event")
        if "into" not in block:
            self.report(where, "`dedupe` needs `into`: the property that receives the event id", key=True)
            return
        into = self.field_name((*where, "into"), block["into"], "`dedupe.into`")
        if into is not None and into in keys:
            self.report((*where, "into"), f"`into` cannot be one of the keys ('{into}')")

    def event_replay(self, path: Path, value: Any, key: str = "replay") -> None:
        where: Path = (*path, key)
        block = self.expect_mapping(where, value, "`replay`")
        if block is None:
            return
        self.unknown_keys(where, block, EVENT_REPLAY_KEYS, "`replay`")
        if "window" not in block:
            self.report(where, "`replay` needs a `window`, such as 4h", key=True)
        else:
            self.duration((*where, "window"), block["window"], "`window`")
        if "policy" in block:
            self.expect_choice((*where, "policy"), block["policy"], POLICIES["replay"], "`replay.policy`")

    def line_items(self, path: Path, value: Any, props: dict[str, Any], events: dict[str, Any]) -> None:
        where: Path = (*path, "line_items")
        block = self.expect_mapping(where, value, "`line_items`")
        if block is None:
            return
        self.unknown_keys(where, block, LINE_ITEM_KEYS, "`line_items`")
        source = block.get("from")
        if source is None:
            self.report(where, "`line_items` needs `from`: the array property holding the items", key=True)
        elif not isinstance(source, str):
            self.report((*where, "from"), "`from` must be the name of an array property")
        elif source not in props:
            self.report((*where, "from"), f"'{source}' is not a property of this event")
        elif not (isinstance(props[source], dict) and props[source].get("type") == "array"):
            self.report((*where, "from"), f"'{source}' must be declared as an array to split into line items")
        target = self.expect_string((*where, "event"), block.get("event"), "`line_items.event`")
        if target is not None:
            target_body = events.get(target)
            if target == path[-1]:
                self.report((*where, "event"), "line items must be another event than the order itself")
            elif isinstance(target_body, dict) and target_body.get("line_items") is not None:
                self.report((*where, "event"), f"event '{target}' has line items of its own; they would never end")
        for index, key in enumerate(self.string_list((*where, "copy"), block.get("copy", []), "`copy`")):
            if key not in props:
                self.report((*where, "copy", index), f"'{key}' is not a property of this event")
        for key in ("parent_id", "index"):
            if key in block:
                self.field_name((*where, key), block[key], f"`line_items.{key}`")

    def require_any_of(self, path: Path, value: Any, props: dict[str, Any]) -> None:
        if value is None:
            return
        where: Path = (*path, "require_any_of")
        groups = value if isinstance(value, list) and all(isinstance(v, list) for v in value) else [value]
        for group_index, group in enumerate(groups):
            if not isinstance(group, list) or len(group) < 2 or not all(isinstance(g, str) for g in group):
                self.report(where, "`require_any_of` is a list of property names (or a list of such lists), "
                            "each with at least two names")
                return
            for index, prop in enumerate(group):
                if prop not in props:
                    at = (*where, group_index, index) if groups is value else (*where, index)
                    self.report(at, f"'{prop}' is not a property of this event")


def validate(data: Any, source: Source) -> list[Diagnostic]:
    """Every diagnostic: the validator's own, then whatever else the grammar forbids."""
    validator = Validator(data, source)
    validator.run()
    if isinstance(data, dict):
        # One report per problem: none where the validator already spoke about the same part.
        for path, key, message in structure.problems(data, GRAMMAR):
            if not any(path[:len(done)] == done or done[:len(path)] == path for done in validator.faulted):
                validator.report(path, message, key=key)
    return validator.diagnostics
