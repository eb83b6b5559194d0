"""Why the generated code dropped an event: the log lines its `dropped()` writes, read back.

templates/transformation.js.j2 logs `log('gen: dropped', {messageId, reason})` at every drop;
RudderStack writes that as `Log: gen: dropped {...}` in a test run. gen replay reports the
reasons and gen check counts them as evidence a fixture exercised a rule.
"""

from __future__ import annotations

from ..runtime import jsvalues

DROP_LOG = "Log: gen: dropped "


def drop_reasons(logs: list[str]) -> dict[str, str]:
    """{messageId: reason} from the log lines gen's generated code writes when it drops an event."""
    reasons: dict[str, str] = {}
    for line in logs:
        if not line.startswith(DROP_LOG):
            continue
        try:
            found = jsvalues.loads(line[len(DROP_LOG):])
        except jsvalues.JSONError:
            continue
        if isinstance(found, dict) and isinstance(found.get("messageId"), str) and isinstance(found.get("reason"), str):
            reasons.setdefault(found["messageId"], found["reason"])
    return reasons
