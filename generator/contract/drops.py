"""Why the generated code dropped an event: the log lines its `dropped()` writes, read back.

templates/transformation.js.j2 logs `log('gen: dropped', {messageId, reason})` at every drop;
RudderStack writes that as `Log: gen: dropped {...}` in a test run. gen replay reports the
reasons and gen check counts them as evidence a fixture exercised a rule.
"""

from __future__ import annotations

from typing import Any

from ..runtime import jsvalues

DROP_LOG = "Log: gen: dropped "


def drop_reasons(logs: list[str]) -> dict[str, str]:
    """{messageId: reason} from the log lines gen's generated code writes when it drops an event."""
    reasons: dict[str, str] = {}
    for drop in drops(logs):
        if isinstance(drop["messageId"], str):
            reasons.setdefault(drop["messageId"], drop["reason"])
    return reasons


def drops(logs: list[str]) -> list[dict[str, Any]]:
    """Every drop the logs record, in order: {messageId, type, event, derived, reason}. The name
    and type are None when the build did not log them or the event had none; `derived` is
    True for an event gen made (a line item, a stitching identify), None when not logged."""
    found = []
    for line in logs:
        if not line.startswith(DROP_LOG):
            continue
        try:
            drop = jsvalues.loads(line[len(DROP_LOG):])
        except jsvalues.JSONError:
            continue
        if isinstance(drop, dict) and isinstance(drop.get("reason"), str):
            found.append({"messageId": drop.get("messageId"), "reason": drop["reason"],
                          **{key: drop.get(key) if isinstance(drop.get(key), str) else None
                             for key in ("type", "event")},
                          "derived": drop.get("derived") if isinstance(drop.get("derived"), bool) else None})
    return found
