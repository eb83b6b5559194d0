"""The replay's database (DuckDB), its figures, and the reports: summary.json, report.md, report.html.

DuckDB because a team's next question is one we did not think of: the rows stay queryable
(`duckdb DIR/replay.duckdb "select event, count(*) from outputs group by 1"`), and the
report's own figures are SQL over the same tables.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import duckdb

from .. import htmlpage
from ..contract.manifest import DEFAULT_DEDUPE
from ..runtime import jsvalues

EVENT_COLUMNS = {
    "request": "INTEGER", "message_id": "VARCHAR", "source_id": "VARCHAR", "destination_id": "VARCHAR",
    "type": "VARCHAR", "event": "VARCHAR", "user_id": "VARCHAR", "anonymous_id": "VARCHAR",
    "user_id_is_email": "BOOLEAN", "timestamp": "VARCHAR", "received_at": "VARCHAR",
}
OUTPUT_COLUMNS = {
    "request": "INTEGER", "message_id": "VARCHAR", "source_id": "VARCHAR", "status": "INTEGER", "error": "VARCHAR",
    "reason": "VARCHAR", "type": "VARCHAR", "event": "VARCHAR", "user_id": "VARCHAR", "anonymous_id": "VARCHAR",
    "email": "VARCHAR",
    "dedupe_id": "VARCHAR", "violations": "VARCHAR[]", "repairs": "VARCHAR[]", "replay": "BOOLEAN",
    "stitched": "BOOLEAN", "timestamp": "VARCHAR", "received_at": "VARCHAR", "property_keys": "VARCHAR[]",
    "customerio_rejected": "BOOLEAN", "stamped": "BOOLEAN",
}
# Every event gen's generated code dropped, from its log lines: a line item dropped while
# its order is delivered shows here and nowhere in the response.
DROP_COLUMNS = {"request": "INTEGER", "message_id": "VARCHAR", "type": "VARCHAR", "event": "VARCHAR",
                "derived": "BOOLEAN", "reason": "VARCHAR"}
EXAMPLES = 3
# Input events per (request, messageId): SDK retries repeat messageIds, and rudder-server's
# answer names an event by its messageId alone, so copies in one request share their outputs.
INPUTS = """(SELECT request, message_id, count(*) AS n, any_value(event) AS event, any_value(type) AS type
             FROM events GROUP BY ALL)"""

def _name(table: str = "") -> str:
    """What a row is called in the tables: a track by its event, anything else by its type
    (and name: a page keeps its name, so it never sums with a track of that name)."""
    event, kind = f"{table}event", f"{table}type"
    return (f"CASE WHEN {kind} = 'track' THEN coalesce({event}, '(track)') "
            f"ELSE '(' || coalesce({kind}, 'no type') || coalesce(': ' || {event}, '') || ')' END")


NAME = _name()
# The database lives in DIR; past this, DuckDB spills to disk instead of growing with the input.
MEMORY_LIMIT = "192MB"


def build_database(out: Path) -> duckdb.DuckDBPyConnection:
    """DIR/replay.duckdb, tables `events`, `outputs` and `drops`, from the row files the replay wrote."""
    path = out / "replay.duckdb"
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path), config={"memory_limit": MEMORY_LIMIT, "threads": 2})
    for table, columns in (("events", EVENT_COLUMNS), ("outputs", OUTPUT_COLUMNS), ("drops", DROP_COLUMNS)):
        con.execute(f"CREATE TABLE {table} ({', '.join(f'{k} {v}' for k, v in columns.items())})")
        source = out / f"{table}.ndjson"
        if source.exists() and source.stat().st_size > 0:
            spec = "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"
            con.execute(f"INSERT INTO {table} SELECT * FROM read_json(?, format='newline_delimited', "
                        f"columns={spec})", [str(source)])
    return con


def _rows(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return con.execute(sql, list(params)).fetchall()


def _grouped(con: duckdb.DuckDBPyConnection, label: str, rows: str, inner: str = "", outer: str = ""
             ) -> list[tuple[Any, ...]]:
    """(label, events, examples, *outer) for each label of the outputs in `rows`, most events first.

    Counted in input events, as the summary counts: an order and its line items carrying
    the same label are one event. The examples are up to EXAMPLES distinct messageIds,
    first by request: a bounded aggregate, so a label on every one of millions of events
    costs a few ids, not a list of millions.
    """
    found = _rows(con, f"""SELECT label, sum(coalesce(i.n, 1)), min_by(o.message_id, (o.r, o.message_id),
                                                                  {2 * EXAMPLES}){outer}
                           FROM (SELECT {label} AS label, request AS r, message_id{inner}
                                 FROM {rows} GROUP BY 1, 2, 3) o
                           LEFT JOIN {INPUTS} i ON i.request = o.r AND i.message_id IS NOT DISTINCT FROM o.message_id
                           GROUP BY label ORDER BY 2 DESC, 1""")
    # A messageId repeated in two requests (a retry) is one example.
    return [(row[0], row[1], _ids(row[2]), *row[3:]) for row in found]


def _ids(found: list[Any] | None) -> list[Any]:
    """Up to EXAMPLES distinct messageIds: a retry's id is one example, and a null one none.
    (A messageId can be any JSON value: a list or an object is told apart by its text.)"""
    distinct: dict[tuple[str, str], Any] = {}
    for m in found or []:
        if m is not None:
            distinct.setdefault((type(m).__name__, m if isinstance(m, str) else json.dumps(m, sort_keys=True,
                                                                                              default=str)), m)
    return list(distinct.values())[:EXAMPLES]


# A delivered output whose messageId names no input event of its request (the transformation
# dropped or changed it, and RudderStack gave it a new one): counted as an event of its own.
UNTRACED = """NOT EXISTS (SELECT 1 FROM events e WHERE e.request = o.request
                                AND e.message_id IS NOT DISTINCT FROM o.message_id)"""


def _events_with(con: duckdb.DuckDBPyConnection, condition: str) -> int:
    """Input events with at least one delivered output where `condition` holds (and untraced outputs)."""
    traced = _one(con, f"""SELECT coalesce(sum(i.n), 0) FROM {INPUTS} i
                           WHERE EXISTS (SELECT 1 FROM outputs o WHERE o.request = i.request
                                         AND o.message_id IS NOT DISTINCT FROM i.message_id
                                         AND o.status = 200 AND {condition})""") or 0
    return int(traced) + (_one(con, f"SELECT count(*) FROM outputs o WHERE o.status = 200 AND {condition} "
                                    f"AND {UNTRACED}") or 0)


# An id that is absent or blank.
_BLANK = "coalesce(trim({}), '') = ''"
# The identify gen sends to stitch a guest: it shares its messageId with the event it was made from.
STITCHING = """(o.type = 'identify' AND EXISTS (SELECT 1 FROM outputs t WHERE t.request = o.request
                                                AND t.message_id IS NOT DISTINCT FROM o.message_id
                                                AND t.type IS DISTINCT FROM 'identify'))"""
# The row's event (request and messageId) has a delivered output.
DELIVERED = """EXISTS (SELECT 1 FROM outputs o WHERE o.request = {row}.request
                      AND o.message_id IS NOT DISTINCT FROM {row}.message_id AND o.status = 200)"""


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    return row[0] if row else None


def figures(con: duckdb.DuckDBPyConnection, *, seconds: float, request_failures: int, interrupted: bool,
            declared: dict[str, list[str]] | None = None, people: Any = None,
            failures: list[dict[str, Any]] | None = None, warnings: dict[str, int] | None = None,
            stopped: str | None = None, calls: dict[tuple[str, str, int, str], int] | None = None,
            reading: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every figure of the report, as plain JSON data.

    `failures`: the failed requests grouped by error (run.Failures.as_json); `warnings`: the
    harness's warnings, counted; `stopped`: why the replay ended before its input did;
    `calls`: the Customer.io calls the deliveries became, counted by (kind, method, status, error);
    `reading`: the names the outputs were read with, and where they came from (build, contract, defaults).
    """
    # Input events with at least one output of each status.
    by_status = f"""
        SELECT coalesce(sum(n) FILTER (WHERE has_200), 0), coalesce(sum(n) FILTER (WHERE has_298), 0),
               coalesce(sum(n) FILTER (WHERE has_400), 0)
        FROM (SELECT i.request, i.message_id, any_value(i.n) AS n,
                     bool_or(o.status = 200) AS has_200, bool_or(o.status = 298) AS has_298,
                     bool_or(o.status = 400) AS has_400
              FROM {INPUTS} i LEFT JOIN outputs o
                ON o.request = i.request AND o.message_id IS NOT DISTINCT FROM i.message_id
              GROUP BY ALL)"""
    delivered, filtered, failed = con.execute(by_status).fetchone() or (0, 0, 0)
    events_in = _one(con, "SELECT count(*) FROM events") or 0
    outputs = _one(con, "SELECT count(*) FROM outputs WHERE status = 200") or 0
    summary = {
        "events_in": events_in,
        "outputs": outputs,
        "delivered": delivered,
        "filtered": filtered,
        "failed": failed,
        "request_failures": request_failures,
        "request_failed_events": sum(f["events"] for f in failures or []),
        "untraced_outputs": _one(con, f"SELECT count(*) FROM outputs o WHERE o.status = 200 AND {UNTRACED}") or 0,
        # Input events delivered, with an event gen made from them dropped (a line item, the
        # identify that stitches a guest).
        "partly_dropped": _one(con, f"""SELECT coalesce(sum(i.n), 0) FROM {INPUTS} i
                                        WHERE EXISTS (SELECT 1 FROM drops d WHERE d.request = i.request
                                                      AND d.message_id IS NOT DISTINCT FROM i.message_id
                                                      AND d.derived AND {DELIVERED.format(row="d")})""") or 0,
        "violations": _events_with(con, "len(o.violations) > 0"),
        "violation_labels": _one(con, "SELECT coalesce(sum(len(violations)), 0) FROM outputs") or 0,
        "repairs": _events_with(con, "len(o.repairs) > 0"),
        "repair_labels": _one(con, "SELECT coalesce(sum(len(repairs)), 0) FROM outputs") or 0,
        "seconds": round(seconds, 3),
        "events_per_second": round(events_in / seconds, 1) if seconds > 0 else None,
        "interrupted": interrupted,
    }
    if stopped is not None:
        summary["stopped"] = stopped
    report: dict[str, Any] = {"summary": summary}
    if reading is not None:
        report["reading"] = reading
    report["request_failures"] = failures or []
    report["warnings"] = [{"warning": w, "count": n}
                          for w, n in sorted((warnings or {}).items(), key=lambda item: (-item[1], item[0]))]
    report["volume"] = [
        {"event": e, "source": s, "outputs": n}
        for e, s, n in _rows(con, f"""SELECT {NAME}, coalesce(source_id, ''), count(*)
                                      FROM outputs WHERE status = 200 GROUP BY ALL ORDER BY 3 DESC, 1, 2""")
    ]
    report["completeness"] = _completeness(con, declared)
    report["violations"] = [
        {"label": label, "count": n, "examples": examples[:EXAMPLES]}
        for label, n, examples in _grouped(con, "v", "(SELECT *, unnest(violations) AS v FROM outputs)")
    ]
    report["repairs"] = [{"rule": r, "count": n, "examples": x} for r, n, x in _grouped(
        con, "rule", "(SELECT *, unnest(repairs) AS rule FROM outputs)")]
    report["unplanned"] = _unplanned(con, declared)
    # Counted in input events, as `filtered` is: rudder-server answers one 298 per messageId.
    report["filtered"] = _dropped(con, _name("i."), "SELECT DISTINCT request, message_id, reason FROM outputs "
                                                    "WHERE status = 298")
    # Events gen made from delivered events (line items, stitching identifies) and dropped.
    report["dropped_parts"] = _dropped(con, _name("d."), "SELECT DISTINCT request, message_id, type, event, reason "
                                                         "FROM drops WHERE derived", DELIVERED.format(row="d"))
    report["errors"] = [{"error": e, "count": n, "examples": x[:EXAMPLES]} for e, n, x in _grouped(
        con, "split_part(error, chr(10), 1)", "outputs WHERE status = 400")]
    report["duplicates"] = [{"dedupe_id": d, "event": e, "copies": n, "requests": r, "examples": _ids(x)}
                            for d, e, n, r, x in _rows(
        con, f"""SELECT dedupe_id, {NAME}, count(*), count(DISTINCT request),
                       (list(DISTINCT message_id ORDER BY message_id))[1:{EXAMPLES}]
                FROM outputs WHERE status = 200 AND dedupe_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1
                ORDER BY 3 DESC, 1, 2""")]
    report["replayed"] = [{"event": e, "count": n, "examples": x[:EXAMPLES]} for e, n, x in _grouped(
        con, NAME, "outputs WHERE status = 200 AND replay")]
    late = ("epoch(try_cast(received_at AS TIMESTAMPTZ)) - epoch(try_cast(timestamp AS TIMESTAMPTZ))")
    report["backfilled"] = [
        {"event": e, "count": n, "oldest_days": d, "examples": x[:EXAMPLES]} for e, n, x, d in _grouped(
            # Named by the first output of each input event (an order, not its line items).
            con, "name", f"""(SELECT request, message_id, arg_min({NAME}, o.rowid) AS name, max({late}) AS late
                            FROM outputs o WHERE status = 200 AND {late} > 86400
                            AND NOT EXISTS (SELECT 1 FROM outputs f WHERE f.request = o.request
                                            AND f.message_id IS NOT DISTINCT FROM o.message_id AND f.replay)
                            AND NOT {STITCHING} GROUP BY 1, 2)""",
            inner=", max(late) AS oldest", outer=", round(max(oldest) / 86400, 1)")]
    report["identity"] = {
        # Input events, as every table but volume counts them: an order and its line items are one.
        # A blank id is no id (the JavaScript SDK sends `userId: ""` on anonymous events, and
        # the destination reads it so), whatever transformation kept it.
        "without_ids": _events_with(con, f"{_BLANK.format('o.user_id')} AND {_BLANK.format('o.anonymous_id')} "
                                         "AND o.email IS NULL"),
        "anonymous_only": _events_with(con, f"{_BLANK.format('o.user_id')} AND NOT {_BLANK.format('o.anonymous_id')} "
                                            "AND o.email IS NULL"),
        "email_user_ids_in": _one(con, "SELECT count(*) FROM events WHERE user_id_is_email"),
        # The identify gen sends to tie a guest's email to its anonymousId answers the
        # event it was made from: it shares the messageId of the stitched track.
        "stitched": _events_with(con, """o.type = 'identify'
                                         AND EXISTS (SELECT 1 FROM outputs t WHERE t.request = o.request
                                                     AND t.message_id = o.message_id
                                                     AND t.type IS DISTINCT FROM 'identify'
                                                     AND t.status = 200 AND t.stitched)"""),
    }
    if people is not None:
        kinds: dict[str, dict[str, Any]] = {}
        for warning in people.warnings:
            entry = kinds.setdefault(warning.kind, {"kind": warning.kind, "count": 0, "examples": []})
            entry["count"] += 1
            # An order and its line items share a messageId: it is one example.
            ids = ", ".join(str(m) for m in _ids(warning.message_ids))
            example = warning.message + (f" (messageIds: {ids})" if ids else "")
            # An order and its line items can raise the same warning: one example.
            if len(entry["examples"]) < EXAMPLES and example not in entry["examples"]:
                entry["examples"].append(example)
        if "rejected" in kinds:
            # Rejections are counted in input events, so `customerio_rejected>1%` is a share of
            # the events in: an order's line items go with it, a retry's copies count each.
            kinds["rejected"]["count"] = _events_with(con, "o.customerio_rejected")
        report["customerio"] = {"profiles": len(people.people), "warnings": sorted(
            kinds.values(), key=lambda k: (-k["count"], k["kind"]))}
        report["customerio"]["calls"] = [
            {"kind": kind, "method": method, "status": status, "error": error, "count": n}
            for (kind, method, status, error), n in sorted((calls or {}).items(), key=lambda i: (-i[1], i[0]))]
        # The calls that reach Customer.io: a refusal is the destination's answer, not a call.
        summary["customerio_calls"] = sum(n for (_, _, status, _), n in (calls or {}).items() if status == 200)
        for kind in CUSTOMERIO_KINDS:
            summary[f"customerio_{kind.replace('-', '_')}"] = kinds.get(kind, {}).get("count", 0)

    return report


def _dropped(con: duckdb.DuckDBPyConnection, name: str, drops: str, where: str = "TRUE") -> list[dict[str, Any]]:
    """Drops `d` (rows of `drops`: request, message_id, reason…) by event `name` and reason, in
    input events. The reason is the generated code's drop log (its kind, before the rule in
    parentheses); another transformation's drops have none."""
    return [{"event": e, "reason": r, "count": n, "examples": _ids(x)} for e, r, n, x in _rows(
        con, f"""SELECT event, reason, sum(n), min_by(message_id, (r, message_id), {EXAMPLES})
                FROM (SELECT {name} AS event, coalesce(split_part(d.reason, ' (', 1), 'not given') AS reason,
                             i.message_id, sum(i.n) AS n, min(i.request) AS r
                      FROM {INPUTS} i
                      JOIN ({drops}) d ON d.request = i.request AND d.message_id IS NOT DISTINCT FROM i.message_id
                      WHERE {where}
                      GROUP BY 1, 2, 3)
                GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2""")]


def _unplanned(con: duckdb.DuckDBPyConnection, declared: dict[str, list[str]] | None) -> list[dict[str, Any]]:
    """Track events the plan does not have, delivered (flagged, or passed when the build lists
    its events) or dropped (gen's drop reason says so), in input events."""
    flagged = "list_contains(o.violations, 'Unplanned-Event:')"
    if declared is not None:
        # A track the plan went over (it carries the plan's stamp: an event out of the plan's
        # scope passes untouched) under a name the plan does not have; one without a usable
        # name is a violation of its own, not an unplanned event.
        con.execute("CREATE OR REPLACE TEMP TABLE planned (event VARCHAR)")
        con.executemany("INSERT INTO planned VALUES (?)", [[event] for event in sorted(declared)])
        flagged = f"""({flagged} OR (o.type = 'track' AND o.stamped
                       AND NOT list_has_any(o.violations, ['Required-Missing:event', 'Datatype-Mismatch:event'])
                       AND NOT EXISTS (SELECT 1 FROM planned p WHERE p.event = o.event)))"""
    delivered = [{"event": e, "outcome": "delivered", "count": n, "examples": x} for e, n, x in _grouped(
        con, "coalesce(event, '')", f"outputs o WHERE o.status = 200 AND {flagged}")]
    # A build older than its drop log's names: the name of a whole event dropped is its input's.
    named = f"""coalesce(d.event, CASE WHEN d.derived IS NULL AND NOT {DELIVERED.format(row="d")}
                                       THEN (SELECT any_value(e.event) FROM events e WHERE e.request = d.request
                                             AND e.message_id IS NOT DISTINCT FROM d.message_id) END, '(unnamed)')"""
    dropped = [{"event": e, "outcome": "dropped", "count": n, "examples": x} for e, n, x in _grouped(
        con, "name", f"(SELECT d.*, {named} AS name FROM drops d WHERE starts_with(d.reason, 'unplanned-event'))")]
    return sorted(delivered + dropped, key=lambda u: (-u["count"], u["event"], u["outcome"]))


def _completeness(con: duckdb.DuckDBPyConnection, declared: dict[str, list[str]] | None) -> list[dict[str, Any]]:
    totals = dict(_rows(con, "SELECT event, count(*) FROM outputs WHERE status = 200 AND type = 'track' "
                             "AND event IS NOT NULL GROUP BY 1"))
    present: dict[tuple[str, str], int] = {
        (e, k): n for e, k, n in _rows(con, """SELECT event, k, count(*) FROM outputs, unnest(property_keys) AS t(k)
                                               WHERE status = 200 AND type = 'track' GROUP BY 1, 2""")
    }
    table = []
    for event, total in sorted(totals.items(), key=lambda item: (-item[1], item[0])):
        keys = declared[event] if declared and event in declared else sorted(
            {k for (e, k) in present if e == event and present[(e, k)] * 100 >= total})
        for key in keys:
            share = present.get((event, key), 0) / total
            table.append({"event": event, "property": key, "events": total, "share": round(share, 4)})
    return table


# -- --fail-on ------------------------------------------------------------------------------

# The summary's figures --fail-on can test; the customerio_ ones exist with --destination.
METRICS = ("events_in", "outputs", "delivered", "filtered", "failed", "request_failures", "request_failed_events",
           "untraced_outputs", "partly_dropped", "violations", "violation_labels", "repairs", "repair_labels",
           "seconds", "events_per_second")
# Not counts of events: a share of the events in means nothing for them.
NOT_A_SHARE = {"request_failures": "request_failed_events", "seconds": None, "events_per_second": None,
               "outputs": None, "violation_labels": "violations", "repair_labels": "repairs",
               # Calls, and people or profiles: customerio_rejected counts events.
               "customerio_calls": "customerio_rejected", "customerio_ghost": None, "customerio_split": None,
               "customerio_late_merge": None, "customerio_stale_overwrite": None, "customerio_id_case": None,
               "customerio_unmerged": None}
CUSTOMERIO_KINDS = ("ghost", "split", "rejected", "late-merge", "stale-overwrite", "id-case", "unmerged")
CUSTOMERIO_METRICS = ("customerio_calls",
                      *(f"customerio_{kind.replace('-', '_')}" for kind in CUSTOMERIO_KINDS))

_CONDITION = re.compile(r"^\s*([a-z_]+)\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?)\s*(%?)\s*$")


def parse_condition(text: str, metrics: tuple[str, ...] | None = None) -> tuple[str, str, float, bool]:
    """METRIC OP NUMBER[%]; with `metrics`, METRIC must be one of them."""
    match = _CONDITION.match(text)
    if not match:
        raise ValueError(f"--fail-on {text!r}: write METRIC OP NUMBER[%], e.g. 'failed>0' or 'violations>1%'")
    name, op, number, percent = match.groups()
    if metrics is not None and name not in metrics:
        hint = " (it needs --destination customerio)" if name in CUSTOMERIO_METRICS else ""
        raise ValueError(f"--fail-on {text!r}: no metric {name!r}{hint}; known: {', '.join(metrics)}")
    if percent and name in NOT_A_SHARE:
        instead = NOT_A_SHARE[name]
        raise ValueError(f"--fail-on {text!r}: {name} is not a number of events, so it has no share of the events in"
                         + (f"; {instead} is" if instead else ""))
    return name, op, float(number), bool(percent)


def failed_conditions(conditions: list[str], summary: dict[str, Any]) -> list[str]:
    """The conditions that hold, each as a sentence; a % is of the events in."""
    reasons = []
    for text in conditions:
        name, op, number, percent = parse_condition(text)
        if name not in summary or not isinstance(summary[name], (int, float)) or isinstance(summary[name], bool):
            known = ", ".join(k for k, v in summary.items() if isinstance(v, (int, float)) and not isinstance(v, bool))
            raise ValueError(f"--fail-on {text!r}: no metric {name!r} (known: {known})")
        value = float(summary[name])
        if percent:
            value = value * 100 / summary["events_in"] if summary["events_in"] else 0.0
        holds = {">": value > number, ">=": value >= number, "<": value < number, "<=": value <= number,
                 "==": value == number, "!=": value != number}[op]
        if holds:
            shown = f"{value:.2f}%" if percent else f"{summary[name]}"
            reasons.append(f"{name} is {shown} ({text.strip()})")
    return reasons


# -- report.md and report.html --------------------------------------------------------------

def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~&])")
_LINE_BREAKS = re.compile("[\r\n\t\v\f\u0085\u2028\u2029]+")


def _cell(value: Any) -> str:
    """A value for a Markdown table cell, shown as it is: names and errors come from client
    traffic, and must neither break the table nor render as links, images or markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(value)))


def _reading_lines(reading: dict[str, Any] | None) -> list[str]:
    """Where the report looked on each output: the names the transformation's build writes."""
    if reading is None:
        return []
    names, replay, dedupe = reading["annotations"], reading["replay"], reading["dedupe"]
    if dedupe is None:
        ids = f"dedupe ids in properties.{_cell(DEFAULT_DEDUPE)} (of any event)"
    elif dedupe:
        events: dict[str, list[str]] = {}
        for event, into in sorted(dedupe.items()):
            events.setdefault(into, []).append(event)
        ids = "dedupe ids in " + "; ".join(f"properties.{_cell(into)} ({', '.join(map(_cell, found))})"
                                            for into, found in sorted(events.items()))
    else:
        ids = "no dedupe ids (no event dedupes)"
    where = (f"violations in context.{_cell(names['violations'])}, repairs in context.{_cell(names['repairs'])}, "
             f"the stamp in context.{_cell(names['stamp'])}, the issues flag properties.{_cell(names['flag'])}; "
             f"{ids}; replays marked by context.{_cell(replay['context'])} or properties.{_cell(replay['flag'])}")
    source = {"build": "as the transformation's build says (with the properties each event declares)",
              "contract": "as --contract says (with the properties each event declares)",
              "defaults": "with gen's default names, since the transformation does not say how it was built "
                          "(pass --contract)"}[reading["source"]]
    return [f"Outputs read {source}: {where}.", ""]


def markdown(report: dict[str, Any]) -> str:
    s = report["summary"]
    lines = ["# Replay report", ""]
    if s["interrupted"]:
        lines += ["**Interrupted**: these figures cover the events read before Ctrl-C.", ""]
    if s.get("stopped"):
        lines += [f"**Stopped early** ({_cell(s['stopped'])}): these figures cover the events answered before.", ""]
    lines += ["| events in | outputs | delivered | filtered (298) | failed (400) | request failures | "
              "with violations | events/s |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|",
              f"| {s['events_in']:,} | {s['outputs']:,} | {s['delivered']:,} | {s['filtered']:,} | {s['failed']:,} | "
              f"{s['request_failures']:,} | {s['violations']:,} | {s['events_per_second'] or 0:,.0f} |", ""]
    lines += _reading_lines(report.get("reading"))

    def section(title: str, header: list[str], rows: list[list[Any]], empty: str) -> None:
        lines.append(f"## {title}")
        lines.append("")
        if not rows:
            lines.extend([empty, ""])
            return
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---" for _ in header) + "|")
        for row in rows[:30]:
            lines.append("| " + " | ".join(_cell(cell) for cell in row) + " |")
        if len(rows) > 30:
            lines.append(f"| … {len(rows) - 30} more | " + " | " * (len(header) - 1))
        lines.append("")

    section("Volume per event and source", ["event", "source", "outputs"],
            [[v["event"], v["source"], f"{v['outputs']:,}"] for v in report["volume"]], "No outputs.")
    section("Property completeness", ["event", "property", "carried by"],
            [[c["event"], c["property"], _pct(c["share"])] for c in report["completeness"] if c["share"] < 1],
            "Every event carries every property it declares (or, when the transformation does not say, "
            "every property seen).")
    section("Violations", ["violation", "events", "examples"],
            [[v["label"], f"{v['count']:,}", ", ".join(map(str, v["examples"]))] for v in report["violations"]],
            "None.")
    section("Repairs", ["rule", "events", "examples"],
            [[r["rule"], f"{r['count']:,}", ", ".join(map(str, r["examples"]))] for r in report["repairs"]], "None.")
    section("Unplanned events", ["event", "outcome", "events", "examples"],
            [[u["event"], u["outcome"], f"{u['count']:,}", ", ".join(map(str, u["examples"]))]
             for u in report["unplanned"]],
            "None.")
    section("Dropped by the transformation (298)", ["event", "reason", "events", "examples"],
            [[f["event"], f["reason"], f"{f['count']:,}", ", ".join(map(str, f["examples"]))]
             for f in report["filtered"]],
            "None.")
    section("Dropped from delivered events (line items, identifies stitching a guest)",
            ["event", "reason", "events", "examples"],
            [[f["event"], f["reason"], f"{f['count']:,}", ", ".join(map(str, f["examples"]))]
             for f in report["dropped_parts"]], "None.")
    section("Errors (400)", ["error", "events", "examples"],
            [[e["error"], e["count"], ", ".join(map(str, e["examples"]))] for e in report["errors"]], "None.")
    section("Requests the transformer failed as a whole (HTTP 500: rudder-server retries them)",
            ["error", "requests", "events", "first messageIds"],
            [[f["error"], f["requests"], f["events"], ", ".join(map(str, f["examples"]))]
             for f in report.get("request_failures", [])], "None.")
    section("Duplicates a stateless transformation cannot catch (Customer.io receives each more than once)",
            ["dedupe id", "event", "copies", "requests", "examples"],
            [[d["dedupe_id"], d["event"], d["copies"], d["requests"], ", ".join(map(str, d["examples"]))]
             for d in report["duplicates"]], "None.")
    section("Replays and backfills (flagged)", ["event", "events", "examples"],
            [[r["event"], r["count"], ", ".join(map(str, r["examples"]))] for r in report["replayed"]], "None.")
    section("Delivered more than a day after they happened, not flagged (stale or backfilled)",
            ["event", "events", "oldest (days)", "examples"],
            [[b["event"], b["count"], b["oldest_days"], ", ".join(map(str, b["examples"]))]
             for b in report["backfilled"]], "None.")
    ident = report["identity"]
    lines += ["## Identity", "",
              f"- events delivered without userId, anonymousId or email: {ident['without_ids']:,}",
              f"- events delivered anonymous only (no userId, no email): {ident['anonymous_only']:,}",
              f"- events sending an email as userId (in the input): {ident['email_user_ids_in']:,}",
              f"- events whose guest was stitched by an identify: {ident['stitched']:,}", ""]
    if report.get("warnings"):
        section("Harness warnings (what gen could not emulate exactly)", ["warning", "requests"],
                [[w["warning"], w["count"]] for w in report["warnings"]], "None.")
    if "customerio" in report:
        cio = report["customerio"]
        section("Customer.io: the calls the deliveries become", ["call", "method", "status", "calls", "error"],
                [[c["kind"], c["method"], c["status"], f"{c['count']:,}", c["error"]] for c in cio["calls"]],
                "No call.")
        section(f"Customer.io: {cio['profiles']:,} profiles", ["warning", "count", "examples"],
                [[w["kind"], w["count"], "; ".join(w["examples"])] for w in cio["warnings"]], "No warning.")
    return "\n".join(lines) + "\n"


def _bars(rows: list[tuple[str, float]], unit: str = "") -> str:
    """An inline SVG bar chart: no script, no network."""
    if not rows:
        return ""
    width, height = 640, 22
    top = max(value for _, value in rows) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height * len(rows)}" role="img">']
    for index, (label, value) in enumerate(rows):
        length = max(1.0, (width - 260) * value / top)
        y = index * height
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{html.escape(label[:38])}</text>'
                     f'<rect x="250" y="{y + 4}" width="{length:.1f}" height="14" fill="#4a7bd0"/>'
                     f'<text x="{255 + length:.1f}" y="{y + 15}" font-size="12">{value:,.4g}{unit}</text>')
    parts.append("</svg>")
    return "".join(parts)


def page(report: dict[str, Any]) -> str:
    """report.html: the report's Markdown as one page, with charts for volume and completeness."""

    def chart(heading: str) -> str:
        if heading.startswith("Volume"):
            return _bars([(f"{v['event']} ({v['source']})", v["outputs"]) for v in report["volume"][:15]])
        if heading.startswith("Property completeness"):
            return _bars([(f"{c['event']}.{c['property']}", c["share"] * 100)
                          for c in report["completeness"] if c["share"] < 1][:15], "%")
        return ""

    return htmlpage.page(markdown(report), "gen replay", chart)


def write(out: Path, report: dict[str, Any]) -> None:
    texts = {
        "summary.json": json.dumps(report["summary"], indent=2) + "\n",
        "report.json": json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n",
        "report.md": markdown(report),
        "report.html": page(report),
    }
    for name, text in texts.items():
        # The people view quotes ids as the traffic sent them: a lone surrogate shows as U+FFFD.
        (out / name).write_text(jsvalues.LONE_SURROGATE.sub("\ufffd", text), encoding="utf-8")
