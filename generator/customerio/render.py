"""A preview as text for a terminal, or as one self-contained HTML page (no script, no network)."""

from __future__ import annotations

import html
import json
from typing import Any

from ..runtime import jsvalues
from .people import People
from .preview import Preview


def _short(value: Any, width: int) -> str:
    text = jsvalues.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= width else text[: width - 1] + "…"


def _ids(entry: dict[str, Any]) -> str:
    return ",".join(jsvalues.string(i) for i in entry.get("messageIds") or [])


def table(preview: Preview, *, people_view: bool = False) -> str:
    lines: list[str] = []
    if not people_view:
        lines.append(f"{'messageId':<24} {'status':>6}  {'call':<60} body / error")
        for entry in preview.entries:
            if "error" in entry or entry.get("stage") == "transformation":
                what = f"{entry.get('stage')}: " + ("filtered" if entry.get("statusCode") == 298 else "refused")
                lines.append(f"{_short(_ids(entry), 24):<24} {entry['statusCode']:>6}  {what:<60} "
                             f"{_short(entry.get('error', ''), 80)}")
            else:
                call = f"{entry['method']} {entry['endpoint']}"
                lines.append(f"{_short(_ids(entry), 24):<24} {entry['statusCode']:>6}  {_short(call, 60):<60} "
                             f"{_short(entry['body'], 80)}")
        lines.append("")
    lines += _people_lines(preview.people, full=people_view)
    return "\n".join(lines) + "\n"


def _people_lines(model: People, *, full: bool) -> list[str]:
    lines = [f"{len(model.people)} profile(s), {len(model.warnings)} warning(s)"]
    if full:
        for person in model.people:
            lines.append("")
            lines.append(person.key)
            for name, value in person.attributes.items():
                lines.append(f"  {name} = {_short(value, 60)}   (set by {person.set_by.get(name)})")
            for event in person.events:
                lines.append(f"  event {event.get('name')} [{event.get('messageId')}]")
            for gone in person.overwritten:
                lines.append(f"  overwritten: {gone['attribute']} = {_short(gone['value'], 40)} "
                             f"(set by {gone['set_by']}) by the older {gone['by']}")
    for warning in model.warnings:
        ids = ", ".join(jsvalues.string(i) for i in warning.message_ids if i is not None)
        lines.append(f"warning: {warning.kind}: {warning.message}" + (f" [{ids}]" if ids else ""))
    return lines


STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;
vertical-align:top}th{background:#f4f4f4}code,pre{font:12px/1.3 ui-monospace,monospace}pre{margin:0;
white-space:pre-wrap;word-break:break-all}.bad{color:#a00}.warn{background:#fff4e0}.person{border:1px solid #ccc;
border-radius:6px;padding:8px 12px;margin:10px 0}.kind{color:#666;font-size:.9em}
"""


def page(preview: Preview) -> str:
    """The whole preview: warnings, people (attributes and timeline), and every call."""
    model = preview.people
    parts = [
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        "<title>gen preview</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>What Customer.io receives</h1>",
        f"<p>{preview.events} event(s) in, {len(preview.calls)} Customer.io call(s), "
        f"{len(model.people)} profile(s), {len(model.warnings)} warning(s).</p>",
    ]
    if model.warnings:
        parts.append("<h2>Warnings</h2><table><tr><th>kind</th><th>what</th><th>messageIds</th></tr>")
        for warning in model.warnings:
            ids = ", ".join(jsvalues.string(i) for i in warning.message_ids if i is not None)
            parts.append(f"<tr class=warn><td>{html.escape(warning.kind)}</td><td>{html.escape(warning.message)}"
                         f"</td><td><code>{html.escape(ids)}</code></td></tr>")
        parts.append("</table>")
    parts.append("<h2>People</h2>")
    for person in model.people:
        parts.append(f"<div class=person><b>{html.escape(person.key)}</b> "
                     f"<span class=kind>{len(person.events)} event(s)</span>")
        if person.attributes:
            parts.append("<table><tr><th>attribute</th><th>value</th><th>set by</th></tr>")
            for name, value in person.attributes.items():
                parts.append(f"<tr><td><code>{html.escape(name)}</code></td><td><code>"
                             f"{html.escape(_short(value, 200))}</code></td><td><code>"
                             f"{html.escape(jsvalues.string(person.set_by.get(name)))}</code></td></tr>")
            parts.append("</table>")
        if person.events:
            parts.append("<ol>")
            for event in person.events:
                parts.append(f"<li>{html.escape(jsvalues.string(event.get('name')))} "
                             f"<code>{html.escape(jsvalues.string(event.get('messageId')))}</code></li>")
            parts.append("</ol>")
        for gone in person.overwritten:
            parts.append(f"<p class=bad>{html.escape(gone['attribute'])} = "
                         f"{html.escape(_short(gone['value'], 80))} was overwritten by the older "
                         f"{html.escape(jsvalues.string(gone['by']))}</p>")
        parts.append("</div>")
    parts.append("<h2>Calls</h2><table><tr><th>messageIds</th><th>status</th><th>call</th><th>body</th></tr>")
    for entry in preview.entries:
        status = entry.get("statusCode")
        cls = " class=bad" if status != 200 else ""
        call = (f"{entry.get('stage')}: {'filtered' if status == 298 else 'refused'}" if "method" not in entry
                else f"{entry['method']} {entry['endpoint']}")
        body = entry.get("error") if "method" not in entry else json.dumps(entry.get("body"), indent=1,
                                                                            ensure_ascii=False)
        parts.append(f"<tr{cls}><td><code>{html.escape(_ids(entry))}</code></td><td>{status}</td>"
                     f"<td><code>{html.escape(call)}</code></td><td><pre>{html.escape(str(body or ''))}</pre></td>"
                     "</tr>")
    parts.append("</table></body></html>")
    return "\n".join(parts) + "\n"
