"""One self-contained HTML page from the Markdown gen writes (headings, tables, lists, `code`).

Reports and catalogues are written as Markdown first (for pull requests and terminals); the
HTML page is the same text, with no script and nothing fetched, so it opens offline.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

STYLE = ("body{font:14px/1.45 system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}"
         "table{border-collapse:collapse;margin:.5em 0 1.4em}td,th{border-bottom:1px solid #ddd;padding:3px 8px;"
         "text-align:left;vertical-align:top}th{background:#f3f3f3}h2{margin-top:1.6em}code{font-size:12px}")


def inline(text: str) -> str:
    """`code` spans, and Markdown's backslash escapes outside them, as HTML."""
    out = []
    position = 0
    for match in _TOKEN.finditer(text):
        out.append(html.escape(text[position:match.start()]))
        token = match.group(0)
        out.append(html.escape(token[1]) if token[0] == "\\" else f"<code>{html.escape(token[1:-1])}</code>")
        position = match.end()
    out.append(html.escape(text[position:]))
    return "".join(out)


# A backslash before ASCII punctuation (an escape), or a code span, whichever starts first.
_TOKEN = re.compile(r"\\[!-/:-@\[-`{-~]|`[^`]*`")


def page(markdown: str, title: str, after_heading: Callable[[str], str] | None = None) -> str:
    """The Markdown as HTML; `after_heading(title)` may add markup (a chart) after a heading."""
    body = []
    for block in markdown.split("\n\n"):
        rows = block.strip().splitlines()
        while rows and rows[0].startswith("#"):
            level = len(rows[0]) - len(rows[0].lstrip("#"))
            heading = rows[0][level:].strip()
            body.append(f"<h{level}>{inline(heading)}</h{level}>")
            if after_heading is not None:
                body.append(after_heading(heading))
            rows = rows[1:]
        if not rows:
            continue
        if rows[0].startswith("|"):
            cells = [[c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", r.strip().strip("|"))]
                     for r in rows if not re.match(r"^\|[-:| ]+\|$", r)]
            body.append("<table>" + "".join(
                "<tr>" + "".join(f"<{'th' if i == 0 else 'td'}>{inline(c)}</{'th' if i == 0 else 'td'}>"
                                 for c in row) + "</tr>" for i, row in enumerate(cells)) + "</table>")
        elif rows[0].startswith("- "):
            body.append("<ul>" + "".join(f"<li>{inline(r[2:])}</li>" for r in rows) + "</ul>")
        else:
            body.append(f"<p>{inline(' '.join(rows))}</p>")
    return (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>" + "\n".join(body) + "</body></html>\n")
