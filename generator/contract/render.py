"""Stage 4, render: the model through the Jinja templates in templates/ → {path: text}. Pure."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import jinja2

from . import manifest
from .escape import comment_text, js_literal
from .model import Contract

# templates/ at the top of the checkout; generator/templates links to it, and an installed
# package carries a copy there.
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
OUTPUT = "transformation.js"


@functools.lru_cache(maxsize=8)
def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    """The Jinja environment for a templates directory (built once: compiling templates is slow)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["js"] = js_literal
    env.filters["comment"] = comment_text
    return env


def render(contract: Contract, templates: Path = TEMPLATES) -> dict[str, str]:
    """The generated files, keyed by their path inside the output directory."""
    functions = function_names([event.name for event in contract.events], reserved_identifiers(templates))
    text = environment(templates).get_template("transformation.js.j2").render(
        contract=contract, functions=functions, manifest=manifest.lines(manifest.of(contract)))
    return {OUTPUT: text}


_DECLARATION = re.compile(
    r"^(?:export\s+)?(?:async\s+)?(?:function\s*\*?\s*|const\s+|let\s+|var\s+|class\s+)([A-Za-z_$][\w$]*)", re.M
)


@functools.lru_cache(maxsize=8)
def reserved_identifiers(templates: Path = TEMPLATES) -> frozenset[str]:
    """Every name the templates declare at the top level of the generated module."""
    names: set[str] = set()
    for path in sorted(templates.iterdir()):
        if path.is_file():
            names.update(_DECLARATION.findall(path.read_text(encoding="utf-8")))
    return frozenset(names)


def function_names(events: list[str], reserved: frozenset[str]) -> dict[str, str]:
    """A JavaScript function name per event (`Order Completed` → `enforceOrderCompleted`), unique,
    and never one of the module's own declarations (an event named `Identity` must not become
    `enforceIdentity`, which the module already declares)."""
    taken = set(reserved)
    names: dict[str, str] = {}
    for event in events:
        words = re.findall(r"[A-Za-z0-9]+", event)
        base = "enforce" + "".join(w[:1].upper() + w[1:] for w in words)
        if base == "enforce":
            base = "enforceEvent"
        name, counter = base, 2
        while name in taken:
            name, counter = f"{base}{counter}", counter + 1
        taken.add(name)
        names[event] = name
    return names
