"""Stage 4, render: the model through the Jinja templates in templates/ → {path: text}. Pure."""

from __future__ import annotations

from pathlib import Path

import jinja2

from .escape import comment_text, js_literal
from .model import Contract

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
OUTPUT = "transformation.js"


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
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
    text = environment(templates).get_template("transformation.js.j2").render(contract=contract)
    return {OUTPUT: text}
