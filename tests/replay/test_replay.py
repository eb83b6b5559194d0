"""gen replay on a small corpus whose duplicates, drops, errors, replays and ghost carts are known."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.contract import compile_contract
from generator.replay import report, run, worker
from generator.replay.worker import Job
from generator.runtime import v8

EXAMPLE = Path(__file__).resolve().parents[1] / "contract" / "cases" / "example" / "contract.yaml"
# No contract: events pass as they came, except one that throws.
PASSTHROUGH = """export function transformEvent(event) {
  if (event.event === 'Boom') throw new Error('boom');
  return event;
}
"""


def _order(index: int, order_id: str) -> dict[str, Any]:
    return {"type": "track", "event": "Order Completed", "userId": "cus_1", "messageId": f"o-{index}",
            "timestamp": "2026-11-29T09:00:00Z", "receivedAt": "2026-11-29T09:00:01Z",
            "properties": {"order_id": order_id, "revenue": 10, "currency": "USD",
                           "products": [{"sku": "A", "price": 10, "quantity": 1}]}}


def corpus() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for index in range(450):
        events.append({"type": "track", "event": "Product Viewed", "anonymousId": f"anon-{index % 40}",
                       "messageId": f"v-{index}", "timestamp": "2026-11-29T08:00:00Z",
                       "receivedAt": "2026-11-29T08:00:01Z",
                       "properties": {"sku": "A", "price": "$12.00", "url": "https://x.co/a"}})
    events[1] = _order(1, "o-1")
    events[301] = _order(301, "o-1")  # a retry 300 events later: another request, delivered twice
    events[5] = {**events[5], "anonymousId": None, "messageId": "no-ids"}  # no one to file it under: dropped
    events[9] = {**_order(9, "o-9"), "messageId": "old-order", "timestamp": "2026-11-19T09:00:01Z"}
    events[7] = {"type": "track", "event": "Added to Cart", "userId": "cus_2", "messageId": "stale",
                 "timestamp": "2026-11-20T09:00:00Z", "receivedAt": "2026-11-29T09:00:00Z",
                 "properties": {"cart_id": "c", "sku": "A", "price": 1, "quantity": 1, "cart_value": 1,
                                "currency": "USD"}}
    return events


@pytest.fixture
def inputs(tmp_path: Path) -> list[str]:
    events = corpus()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(events[:250]), encoding="utf-8")
    with gzip.open(folder / "b.ndjson.gz", "wt", encoding="utf-8") as stream:
        stream.write("\n".join(json.dumps(e) for e in events[250:]))
    return [str(folder)]


def _example(tmp_path: Path) -> str:
    result = compile_contract(EXAMPLE.read_text(encoding="utf-8"), "contract.yaml")
    path = tmp_path / "transformation.js"
    path.write_text(result.files["transformation.js"], encoding="utf-8")
    return str(path)


def test_the_report_counts_what_the_corpus_holds(tmp_path: Path, inputs: list[str]) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["replay", _example(tmp_path), *inputs, "--out", str(out),
                                       "--contract", str(EXAMPLE), "--workers", "2", "--outputs"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["events_in"] == 450
    assert summary["filtered"] == 1 and summary["failed"] == 0 and summary["request_failures"] == 0
    assert summary["delivered"] == 449
    assert summary["outputs"] == 449 + 3  # each order also sends its line item
    figures = json.loads((out / "report.json").read_text(encoding="utf-8"))
    # The order and its line item: each reaches Customer.io twice, from two requests.
    duplicates = {d["event"]: d for d in figures["duplicates"]}
    assert sorted(duplicates) == ["Order Completed", "Order Line Item"]
    duplicate = duplicates["Order Completed"]
    assert duplicate["copies"] == 2 and duplicate["requests"] == 2 and duplicate["examples"] == ["o-1", "o-301"]
    assert figures["replayed"] == [{"event": "Added to Cart", "count": 1, "examples": ["stale"]}]
    # The example does not guard Order Completed with a window: an old one is delivered, unflagged
    # (one event, named as the order: its line items are not events of their own).
    assert figures["backfilled"] == [
        {"event": "Order Completed", "count": 1, "oldest_days": 10.0, "examples": ["old-order"]}]
    assert figures["filtered"] == [{"event": "Product Viewed", "count": 1, "examples": ["no-ids"],
                                    "reason": "no-person: no userId, anonymousId or email"}]
    assert {r["rule"]: r["count"] for r in figures["repairs"]}["number"] == 445  # every "$12.00" → 12
    viewed = {c["property"]: c["share"] for c in figures["completeness"] if c["event"] == "Product Viewed"}
    assert viewed["sku"] == 1 and viewed["product_id"] == 0
    con = duckdb.connect(str(out / "replay.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM outputs WHERE status = 200").fetchone() == (452,)
    assert len((out / "transformed.ndjson").read_text(encoding="utf-8").splitlines()) == 452
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "| Order Completed | 2 | 2 |" in markdown.replace(duplicate["dedupe_id"] + " | ", "")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<script" not in page


def test_the_customerio_view_finds_the_ghost_carts_and_rejections(tmp_path: Path, inputs: list[str]) -> None:
    (tmp_path / "t.js").write_text(PASSTHROUGH, encoding="utf-8")
    extra = tmp_path / "extra.ndjson"
    extra.write_text("\n".join(json.dumps(e) for e in [
        {"type": "track", "event": "Checkout Started", "anonymousId": "anon-3", "messageId": "guest",
         "context": {"traits": {"email": "guest@example.com"}}, "timestamp": "2026-11-29T09:00:00Z"},
        {"type": "track", "event": "Boom", "userId": "u", "messageId": "boom"},
        {"type": "identify", "anonymousId": "anon-9", "messageId": "no-email", "traits": {"plan": "pro"}},
    ]), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["replay", str(tmp_path / "t.js"), *inputs, str(extra), "--out", str(out),
                                       "--destination", "customerio", "--workers", "1",
                                       "--fail-on", "failed>0", "--fail-on", "customerio_ghost>=1"])
    assert result.exit_code == 1
    assert "fail-on: failed is 1 (failed>0)" in result.stderr
    assert "fail-on: customerio_ghost is 1 (customerio_ghost>=1)" in result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["failed"] == 1 and summary["customerio_rejected"] >= 2  # no-email identify, no-ids event
    figures = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert figures["errors"][0]["error"].startswith("Error: boom")


def test_workers_do_not_change_the_results(tmp_path: Path, inputs: list[str]) -> None:
    code = Path(_example(tmp_path)).read_text(encoding="utf-8")
    rows = []
    for workers in (1, 2):
        out = tmp_path / f"out-{workers}"
        run.replay(Job(code, "transformation.js"), inputs, out, workers=workers, batch_size=50)
        rows.append((out / "outputs.ndjson").read_text(encoding="utf-8"))
    assert rows[0] == rows[1]


@pytest.mark.skipif(not v8.available(), reason="the v8 engine needs Node.js (pip install '.[v8]')")
def test_both_engines_give_the_same_rows(tmp_path: Path, inputs: list[str]) -> None:
    code = Path(_example(tmp_path)).read_text(encoding="utf-8")
    rows = []
    for engine in ("quickjs", "v8"):
        out = tmp_path / f"out-{engine}"
        run.replay(Job(code, "transformation.js", engine=engine), inputs, out, workers=2, batch_size=50)
        rows.append(((out / "events.ndjson").read_text(encoding="utf-8"),
                     (out / "outputs.ndjson").read_text(encoding="utf-8")))
    assert rows[0] == rows[1]


@pytest.mark.skipif(not v8.available(), reason="the v8 engine needs Node.js (pip install '.[v8]')")
def test_reused_contexts_change_no_row(tmp_path: Path, inputs: list[str]) -> None:
    """gen replay keeps V8 contexts warm across requests (docs/runtime.md); fresh ones give the same rows."""
    code = Path(_example(tmp_path)).read_text(encoding="utf-8")
    rows = []
    for reuse in (False, True):
        out = tmp_path / f"out-{reuse}"
        run.replay(Job(code, "transformation.js", engine="v8", reuse_contexts=reuse), inputs, out, workers=1,
                   batch_size=50)
        rows.append(((out / "events.ndjson").read_text(encoding="utf-8"),
                     (out / "outputs.ndjson").read_text(encoding="utf-8")))
    assert rows[0] == rows[1]
    program = next(iter(worker._programs.values()))  # workers=1 answers in this process
    assert program.reuse_contexts and program.reused_groups == 450 // 50 - 1


@pytest.mark.skipif(not v8.available(), reason="the v8 engine needs Node.js (pip install '.[v8]')")
def test_fresh_contexts_on_the_command_line(tmp_path: Path, inputs: list[str]) -> None:
    transformation = _example(tmp_path)
    rows = []
    for flags in ([], ["--fresh-contexts"]):
        out = tmp_path / f"out{len(flags)}"
        result = CliRunner().invoke(main, ["replay", transformation, *inputs, "--out", str(out), "--engine", "v8",
                                           "--workers", "1", *flags])
        assert result.exit_code == 0, result.output
        rows.append((out / "outputs.ndjson").read_text(encoding="utf-8"))
    assert rows[0] == rows[1]
    program = next(iter(worker._programs.values()))
    assert not program.reuse_contexts and program.reused_groups == 0


@pytest.mark.skipif(not v8.available(), reason="the v8 engine needs Node.js (pip install '.[v8]')")
def test_replay_picks_v8_when_it_is_installed_and_says_so(tmp_path: Path, inputs: list[str]) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["replay", _example(tmp_path), *inputs, "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["engine"].startswith("v8 ") and "Node.js" in summary["engine"]


def test_ctrl_c_leaves_a_usable_partial_report(tmp_path: Path, inputs: list[str]) -> None:
    code = Path(_example(tmp_path)).read_text(encoding="utf-8")

    def interrupt(progress: run.Progress) -> None:
        if progress.requests == 2:
            raise KeyboardInterrupt

    out = tmp_path / "out"
    progress, _, failures = run.replay(Job(code, "t.js"), inputs, out, batch_size=100, on_progress=interrupt)
    assert progress.interrupted and progress.events == 200
    figures = report.figures(report.build_database(out), seconds=1, request_failures=len(failures),
                             interrupted=True)
    assert figures["summary"]["events_in"] == 200 and figures["summary"]["interrupted"]
    assert report.markdown(figures).splitlines()[2].startswith("**Interrupted**")


@pytest.mark.parametrize(("condition", "holds"), [
    ("failed>0", True), ("failed>1", False), ("violations>1%", True), ("violations>=50%", False),
    ("events_in==10", True), ("filtered!=0", False),
])
def test_fail_on(condition: str, holds: bool) -> None:
    summary = {"events_in": 10, "failed": 1, "violations": 2, "filtered": 0, "interrupted": False}
    assert bool(report.failed_conditions([condition], summary)) is holds


def test_fail_on_says_what_it_understands() -> None:
    with pytest.raises(ValueError, match="write METRIC OP NUMBER"):
        report.parse_condition("failed > lots")
    with pytest.raises(ValueError, match="no metric 'fails'"):
        report.failed_conditions(["fails>0"], {"events_in": 1, "failed": 0})


def test_a_dask_cluster_gives_the_same_rows(tmp_path: Path, inputs: list[str]) -> None:
    pytest.importorskip("distributed")
    code = Path(_example(tmp_path)).read_text(encoding="utf-8")
    rows = []
    for executor in ("local", "dask"):
        out = tmp_path / executor
        run.replay(Job(code, "transformation.js"), inputs, out, workers=2, batch_size=100, executor=executor)
        rows.append((out / "outputs.ndjson").read_text(encoding="utf-8"))
    assert rows[0] == rows[1]


def test_gen_replay_runs_on_a_scheduler_it_is_given(tmp_path: Path, inputs: list[str]) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        out = tmp_path / "out"
        result = CliRunner().invoke(main, ["replay", _example(tmp_path), *inputs, "--out", str(out),
                                           "--executor", "dask", "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["events_in"] == 450
