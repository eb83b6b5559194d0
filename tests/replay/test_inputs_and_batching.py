"""Inputs are streamed in every format; requests are split as rudder-server splits them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.replay import inputs
from generator.runtime import batching

EVENTS = [{"type": "track", "event": "E", "messageId": f"m-{i}", "properties": {"n": i}} for i in range(25)]
# Reports the size of the request each event came in, and its source.
SIZES = """export function transformBatch(events, metadata) {
  return events.map((e) => ({ ...e, batch: events.length, source: metadata(e).sourceId }));
}
"""


def test_every_format_streams_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "CHUNK", 64)  # values cut across chunk boundaries everywhere
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "1.json").write_text(json.dumps(EVENTS[:10], indent=2), encoding="utf-8")
    (folder / "2.ndjson").write_text("\n".join(json.dumps(e) for e in EVENTS[10:20]) + "\n\n", encoding="utf-8")
    with gzip.open(folder / "3.jsonl.gz", "wt", encoding="utf-8") as stream:
        stream.write("\n".join(json.dumps(e) for e in EVENTS[20:24]))
    (folder / "4.json").write_text(json.dumps(EVENTS[24], indent=2), encoding="utf-8")
    (folder / "notes.txt").write_text("not events", encoding="utf-8")
    assert list(inputs.read_events([folder])) == EVENTS


@pytest.mark.parametrize(("text", "says"), [
    ('[{"a": 1},\n{"b": NaN}]', "x.json:2: invalid JSON: NaN is not JSON"),
    ('[{"a": 1} {"b": 2}]', "x.json:1: invalid JSON: expected ',' or ']'"),
    ('[{"a": 1},', "x.json:1: invalid JSON"),
    ('{"a": 1}\n{"b": }\n', "x.json:2:7: invalid JSON"),
    # Only another array may follow an array; every event is an object; blank lines count.
    ('[{"a": 1}] garbage', "x.json:1: invalid JSON: extra data after the array"),
    ('[{"a": 1}]\n\n{"b": 2}', "x.json:3: invalid JSON: extra data after the array"),
    ('[{"a": 1},\n 5]', "x.json:2: an event must be a JSON object"),
    ('{"a": 1}\n["b"]\n', "x.json:2: an event must be a JSON object (a RudderStack message or a {message, "
                          "metadata} item), not an array"),
    ('null\n', "x.json:1: an event must be a JSON object"),
    ('\n\n\n{"a": 1}\n{"b": }\n', "x.json:5:7: invalid JSON"),
    ('\n\n[{"a": 1},\n{"b": NaN}]', "x.json:4: invalid JSON: NaN is not JSON"),
])
def test_bad_input_names_file_and_line(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(inputs.InputError) as error:
        list(inputs.read_events([path]))
    assert str(error.value).startswith(str(tmp_path / says.split(":", 1)[0]) + ":" + says.split(":", 1)[1])


def test_requests_are_per_pair_at_most_n_in_order() -> None:
    events = [{"message": {"type": "track", "messageId": f"m-{i}"}, "metadata": {"sourceId": "a" if i % 3 else "b"}}
              for i in range(10)]
    items = list(batching.items(events, {"destinationId": "d"}))
    requests = list(batching.requests(items, 3))
    assert [[i["message"]["messageId"] for i in r] for r in requests] == [
        ["m-1", "m-2", "m-4"], ["m-0", "m-3", "m-6"], ["m-5", "m-7", "m-8"], ["m-9"],
    ]
    assert {i["metadata"]["destinationId"] for r in requests for i in r} == {"d"}


def test_messageids_gen_adds_are_numbered_over_the_whole_input() -> None:
    items = list(batching.items([{"type": "track"}] * 3))
    assert [i["message"]["messageId"][-3:] for i in items] == ["001", "002", "003"]


def test_gen_run_sends_requests_of_batch_size(tmp_path: Path) -> None:
    (tmp_path / "t.js").write_text(SIZES, encoding="utf-8")
    events = [{"message": e, "metadata": {"sourceId": "web" if i < 20 else "app"}} for i, e in enumerate(EVENTS)]
    (tmp_path / "e.json").write_text(json.dumps(events), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(tmp_path / "t.js"), str(tmp_path / "e.json"), "--batch-size", "8"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert [(a["output"]["source"], a["output"]["batch"]) for a in answer] == (
        [("web", 8)] * 16 + [("web", 4)] * 4 + [("app", 5)] * 5)


def test_the_meter_tracks_the_bytes_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "CHUNK", 256)
    (tmp_path / "a.ndjson").write_text("\n".join(json.dumps(e) for e in EVENTS * 400), encoding="utf-8")
    with gzip.open(tmp_path / "b.json.gz", "wt", encoding="utf-8") as stream:
        stream.write(json.dumps(EVENTS * 400))
    meter = inputs.Meter()
    seen = [meter.fraction or 0.0 for _ in inputs.read_events([tmp_path], meter)]
    assert meter.total == sum(p.stat().st_size for p in tmp_path.iterdir())
    assert seen == sorted(seen) and 0 < seen[0] < 0.5 and seen[-1] <= 1 and meter.fraction == 1


def test_arrays_one_after_another_are_read_in_turn(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps(EVENTS[:2]) + "\n" + json.dumps(EVENTS[2:5], indent=1) + " [] \n", encoding="utf-8")
    assert list(inputs.read_events([path])) == EVENTS[:5]


def test_a_corrupt_gz_is_an_input_error(tmp_path: Path) -> None:
    data = bytearray(gzip.compress(("\n".join(json.dumps(e) for e in EVENTS) * 20).encode("utf-8")))
    for index in range(20, 60):
        data[index] ^= 0x5A
    path = tmp_path / "x.ndjson.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(inputs.InputError, match=r"x\.ndjson\.gz: "):
        list(inputs.read_events([path]))


@pytest.mark.parametrize("compress", [False, True])
def test_stdin_reads_where_it_stands_among_the_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      compress: bool) -> None:
    import io
    import sys

    text = "\n".join(json.dumps(e) for e in EVENTS[5:10]).encode("utf-8")
    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(gzip.compress(text) if compress else text)))
    monkeypatch.setattr(sys, "stdin", stdin)
    first, last = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps(EVENTS[:5]), encoding="utf-8")
    last.write_text(json.dumps(EVENTS[10:12]), encoding="utf-8")
    assert list(inputs.read_events([first, "-", last])) == EVENTS[:12]


def test_an_item_of_the_wrong_shape_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "x.ndjson"
    path.write_text(json.dumps({"message": {"type": "track"}, "metadata": {}}) + "\n"
                    + json.dumps({"message": {"type": "track"}, "metadata": 5}) + "\n", encoding="utf-8")
    with pytest.raises(inputs.InputError, match="event 2: `metadata` must be a JSON object"):
        list(inputs.request_items([path]))


@pytest.mark.parametrize("layout", ["one line", "one event per line"])
def test_a_long_array_is_read_in_a_buffer_of_about_one_chunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             layout: str) -> None:
    """Values cut at chunk ends used to grow the buffer to the whole file (and reading it to quadratic time)."""
    import tracemalloc

    monkeypatch.setattr(inputs, "CHUNK", 4096)
    events = [{"type": "track", "event": "E", "messageId": f"m-{i}", "properties": {"pad": "x" * 900, "n": i}}
              for i in range(3000)]  # about 3 MB
    path = tmp_path / "big.json"
    separator = "," if layout == "one line" else ",\n"
    path.write_text("[" + separator.join(json.dumps(e) for e in events) + "]", encoding="utf-8")
    tracemalloc.start()
    try:
        count = sum(1 for _ in inputs.read_events([path]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 3000
    assert peak < 300_000, f"{peak:,} bytes held at once reading a 3 MB array in 4 KB chunks"


@pytest.mark.parametrize("compress", [False, True])
def test_text_that_is_not_utf8_names_its_line(tmp_path: Path, compress: bool) -> None:
    data = b'{"a": 1}\n{"b": 2}\n{"c": "\xff"}\n'
    path = tmp_path / ("x.ndjson.gz" if compress else "x.ndjson")
    path.write_bytes(gzip.compress(data) if compress else data)
    with pytest.raises(inputs.InputError, match=r"x\.ndjson(\.gz)?:3:8: not UTF-8 text \(byte 0xff\)$"):
        list(inputs.read_events([path]))
