"""YAML from people and tools we do not control: bounded before anything is built from it.

PyYAML composes nodes recursively and expands aliases when data is built, so a short
document can exhaust the stack (ten thousand nested brackets) or memory (nested anchors,
"billion laughs"). Every YAML file gen reads (contracts, fixtures, option files) goes
through here: the nesting depth is checked on PyYAML's event stream, which is parsed
without recursion, and the size the aliases expand to is counted on the composed nodes,
before any data is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

MAX_DEPTH = 100
MAX_NODES = 200_000

# The depth check reads events with libyaml when PyYAML has it (every wheel does): ten times
# faster. Documents are built with the pure-Python loader, so that diagnostics read the
# same on every machine.
_FAST_PARSER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Loader = yaml.SafeLoader


@dataclass
class YAMLLimitError(Exception):
    """The document is valid YAML but larger than gen will build; line and column are 1-based."""

    message: str
    line: int
    column: int

    def __str__(self) -> str:
        return self.message


def check_depth(text: str) -> None:
    """Raise YAMLLimitError when collections nest deeper than MAX_DEPTH (yaml.YAMLError if not YAML)."""
    try:
        _check_depth(text, _FAST_PARSER)
    except yaml.YAMLError:
        # Report the problem in the pure-Python parser's words.
        _check_depth(text, yaml.SafeLoader)


def _check_depth(text: str, parser: type[yaml.SafeLoader]) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=parser):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                line, column = _where(event.start_mark)
                raise YAMLLimitError(f"the document nests more than {MAX_DEPTH} levels deep", line, column)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def check_expansion(node: yaml.Node) -> None:
    """Raise YAMLLimitError when aliases expand past MAX_NODES nodes, or refer to themselves."""
    sizes: dict[int, int] = {}
    # Iterative post-order walk; `open_nodes` holds the nodes on the current path.
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, done = stack.pop()
        key = id(current)
        children = _children(current)
        if done:
            open_nodes.discard(key)
            total = 1 + sum(sizes[id(child)] for child in children)
            if total > MAX_NODES:
                line, column = _where(current.start_mark)
                raise YAMLLimitError(f"aliases expand this document past {MAX_NODES:,} nodes", line, column)
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            line, column = _where(current.start_mark)
            raise YAMLLimitError("an alias refers to a node that contains it", line, column)
        open_nodes.add(key)
        stack.append((current, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)


def _where(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def compose(text: str) -> yaml.Node | None:
    """The single document's node graph, checked (yaml.YAMLError or YAMLLimitError otherwise)."""
    check_depth(text)
    node = yaml.compose(text, Loader=Loader)
    if node is not None:
        check_expansion(node)
    return node


def load_all(text: str) -> list[Any]:
    """Every document as plain data (yaml.safe_load_all), checked first."""
    check_depth(text)
    loader = Loader(text)
    try:
        nodes: list[yaml.Node] = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                nodes.append(node)
        for node in nodes:
            check_expansion(node)
        return [loader.construct_document(node) for node in nodes]
    finally:
        loader.dispose()


def load(text: str) -> Any:
    """One document as plain data (yaml.safe_load), checked first."""
    documents = load_all(text)
    if len(documents) > 1:
        raise yaml.YAMLError("expected a single document, found more than one")
    return documents[0] if documents else None
