"""Stage 1, load: YAML text → plain data plus the line and column of every key and value."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..safeyaml import YAMLLimitError
from ..safeyaml import compose as compose_checked
from .diagnostics import Diagnostic

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass
class Source:
    """Where each part of the loaded document came from."""

    file: str
    text: str
    keys: dict[Path, Position] = field(default_factory=dict)
    values: dict[Path, Position] = field(default_factory=dict)

    def at(self, path: Path, *, key: bool = False) -> Position:
        """The position of a value (or of its key), falling back to the nearest enclosing one."""
        table = self.keys if key else self.values
        probe = path
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.keys:
                return self.keys[probe]
            probe = probe[:-1]
        return self.values.get((), Position(1, 1))

    def line(self, path: Path) -> int:
        return self.at(path, key=True).line


@dataclass
class Loaded:
    data: Any
    source: Source
    diagnostics: list[Diagnostic]


def load(text: str, file: str = "contract.yaml") -> Loaded:
    """Parse YAML keeping positions; YAML errors and duplicate keys become diagnostics."""
    source = Source(file=file, text=text)
    diagnostics: list[Diagnostic] = []
    try:
        node = compose_checked(text)
    except YAMLLimitError as exc:
        diagnostics.append(Diagnostic(file, exc.line, exc.column, "error", str(exc)))
        return Loaded(None, source, diagnostics)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        diagnostics.append(Diagnostic(file, line, column, "error", f"invalid YAML: {problem}"))
        if exc.context and exc.context_mark and exc.problem_mark:
            start = exc.context_mark
            diagnostics.append(Diagnostic(file, start.line + 1, start.column + 1, "note", exc.context))
        return Loaded(None, source, diagnostics)
    except yaml.YAMLError as exc:
        diagnostics.append(Diagnostic(file, 1, 1, "error", f"invalid YAML: {exc}"))
        return Loaded(None, source, diagnostics)
    if node is None:
        return Loaded(None, source, diagnostics)
    constructor = yaml.SafeLoader("")
    try:
        data = _convert(node, (), source, diagnostics, constructor)
    except RecursionError:
        diagnostics.append(Diagnostic(file, 1, 1, "error", "merge keys (`<<`) chain too deeply to resolve"))
        return Loaded(None, source, diagnostics)
    return Loaded(data, source, diagnostics)


def _position(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _convert(
    node: yaml.Node, path: Path, source: Source, diagnostics: list[Diagnostic], constructor: yaml.SafeLoader
) -> Any:
    source.values[path] = _position(node.start_mark)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_COLLECTIONS:
        where = _position(node.start_mark)
        diagnostics.append(Diagnostic(source.file, where.line, where.column, "error",
                                      f"unsupported YAML tag {node.tag!r}: write a plain mapping or list"))
        return None
    if isinstance(node, yaml.MappingNode):
        return _mapping(node, path, source, diagnostics, constructor)
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            element: Path = (*path, index)
            source.keys[element] = _position(item.start_mark)
            items.append(_convert(item, element, source, diagnostics, constructor))
        return items
    try:
        value = constructor.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        where = _position(node.start_mark)
        problem = getattr(exc, "problem", None) or str(exc)
        diagnostics.append(Diagnostic(source.file, where.line, where.column, "error", f"invalid YAML value: {problem}"))
        return None
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


def _mapping(
    node: yaml.MappingNode, path: Path, source: Source, diagnostics: list[Diagnostic], constructor: yaml.SafeLoader
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    first_seen: dict[str, Position] = {}
    for key_node, value_node, explicit in _pairs(node, source, diagnostics):
        where = _position(key_node.start_mark)
        if not isinstance(key_node, yaml.ScalarNode):
            diagnostics.append(Diagnostic(
                source.file, where.line, where.column, "error", "keys must be strings, not a list or mapping"))
            continue
        try:
            key = constructor.construct_object(key_node, deep=True)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            diagnostics.append(
                Diagnostic(source.file, where.line, where.column, "error", f"invalid YAML key: {problem}")
            )
            continue
        if not isinstance(key, str):
            diagnostics.append(Diagnostic(
                source.file, where.line, where.column, "error", f"keys must be strings, not {key!r}"))
            key = str(key)
        if key in first_seen:
            if explicit:
                earlier = first_seen[key]
                diagnostics.append(Diagnostic(
                    source.file, where.line, where.column, "error",
                    f"duplicate key '{key}' (first defined at line {earlier.line})",
                ))
            continue
        first_seen[key] = where
        child: Path = (*path, key)
        source.keys[child] = where
        result[key] = _convert(value_node, child, source, diagnostics, constructor)
    return result


def _pairs(
    node: yaml.MappingNode, source: Source, diagnostics: list[Diagnostic]
) -> list[tuple[yaml.Node, yaml.Node, bool]]:
    """The mapping's (key, value, written here?) pairs, with YAML merge keys (`<<: *base`) resolved.

    Keys written in the mapping win over merged ones; earlier merge sources over later ones.
    """
    pairs: list[tuple[yaml.Node, yaml.Node, bool]] = []
    sources: list[yaml.MappingNode] = []
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE:
            pairs.append((key_node, value_node, True))
            continue
        for merge_source in value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]:
            if isinstance(merge_source, yaml.MappingNode):
                sources.append(merge_source)
            else:
                where = _position(key_node.start_mark)
                diagnostics.append(Diagnostic(
                    source.file, where.line, where.column, "error",
                    "a merge key `<<` takes a mapping or a list of mappings",
                ))
    for merge_source in sources:
        merged = _pairs(merge_source, source, diagnostics)
        pairs.extend((key_node, value_node, False) for key_node, value_node, _ in merged)
    return pairs
