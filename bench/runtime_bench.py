"""Throughput of gen's QuickJS runtime on a realistic transformation, against plain Node when available."""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from events import generate

from generator.runtime import Limits, RequestFailed, Transformation, jsvalues

HERE = Path(__file__).resolve().parent
TRANSFORMATION = HERE / "transformation.js"
NODE_RUNNER = HERE / "node_runner.mjs"


@dataclass
class Pass:
    """One timed pass over every request."""

    seconds: float = 0.0
    request_seconds: list[float] = field(default_factory=list)


@dataclass
class Check:
    """What the runtime answered, tallied outside the timed sections."""

    statuses: Counter[int] = field(default_factory=Counter)
    sha1: Any = field(default_factory=hashlib.sha1)
    outputs: int = 0
    json_dumps_differs: int = 0
    first_error: str | None = None

    def add(self, response: list[dict[str, Any]]) -> None:
        """Count outcomes and hash each output event as JSON.stringify would write it."""
        for entry in response:
            self.statuses[entry["statusCode"]] += 1
            if entry["statusCode"] == 400 and self.first_error is None:
                self.first_error = str(entry.get("error"))
            if entry["statusCode"] != 200:
                continue
            text = jsvalues.dumps(entry["output"])
            self.sha1.update(text.encode("utf-8"))
            self.outputs += 1
            # Counted to show whether plain json.dumps would have been a safe canonical form.
            if json.dumps(entry["output"], separators=(",", ":"), ensure_ascii=False) != text:
                self.json_dumps_differs += 1


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000, help="number of synthetic events (default 100000)")
    parser.add_argument("--batch", type=int, default=200, help="events per request (rudder-server sends at most 200)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed requests before timing (default 1)")
    parser.add_argument("--repeat", type=int, default=1, help="timed passes; the median is reported (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--no-node", action="store_true", help="skip the Node comparison")
    return parser.parse_args()


def request_bodies(count: int, batch: int, seed: int) -> list[bytes]:
    """The requests' JSON bodies as UTF-8, so that holding 100k events costs little of the peak RSS."""
    bodies: list[bytes] = []
    pending: list[dict[str, Any]] = []
    for event in generate(count, seed):
        pending.append(event)
        if len(pending) == batch:
            bodies.append(_encode(pending))
            pending = []
    if pending:
        bodies.append(_encode(pending))
    return bodies


def _encode(events: list[dict[str, Any]]) -> bytes:
    return json.dumps(events, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def timed_pass(transformation: Transformation, bodies: list[bytes], check: Check | None) -> Pass:
    """Decode and run every request, timing only that; tally the answers afterwards if asked."""
    result = Pass()
    for body in bodies:
        started = time.perf_counter()
        answer = transformation.run(json.loads(body))
        elapsed = time.perf_counter() - started
        result.seconds += elapsed
        result.request_seconds.append(elapsed)
        if check is not None:
            check.add(answer.response)
    return result


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_node(node: str, bodies: list[bytes], args: argparse.Namespace) -> dict[str, Any]:
    """Run the same events through node_runner.mjs and return its JSON report."""
    with tempfile.TemporaryDirectory(prefix="gen-bench-") as tmp:
        path = Path(tmp) / "events.json"
        with path.open("wb") as out:
            out.write(b"[" + b",".join(body[1:-1] for body in bodies) + b"]")
        command = [node, str(NODE_RUNNER), "--batch", str(args.batch), "--warmup", str(args.warmup)]
        command += ["--repeat", str(args.repeat), str(path)]
        # The runtime pins TZ=UTC as RudderStack's containers run; Node gets the same clock.
        proc = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "TZ": "UTC"}, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"node_runner.mjs failed ({proc.returncode}):\n{proc.stderr}")
    report: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return report


def main() -> int:
    """Run the benchmark and print its figures; non-zero exit when the two engines disagree."""
    args = parse_args()
    bodies = request_bodies(args.events, args.batch, args.seed)
    total_bytes = sum(len(body) for body in bodies) - 2 * len(bodies)
    print(
        f"events: {args.events} synthetic (seed {args.seed}), {total_bytes / args.events:.0f} bytes of JSON each "
        f"on average, {len(bodies)} requests of up to {args.batch}"
    )

    transformation = Transformation(
        TRANSFORMATION.read_text(encoding="utf-8"),
        "bench transformation",
        limits=Limits(execution_timeout=4.0, memory_mb=128),
    )
    for body in bodies[: args.warmup]:
        transformation.run(json.loads(body))
    rss_before = peak_rss_mb()

    check = Check()
    try:
        passes = [timed_pass(transformation, bodies, check if i == 0 else None) for i in range(args.repeat)]
    except RequestFailed as exc:
        print(f"runtime: a request failed outright (HTTP 500): {exc}")
        return 1
    seconds = statistics.median(p.seconds for p in passes)
    per_request = sorted(passes[0].request_seconds)
    label = f" (median of {args.repeat} passes)" if args.repeat > 1 else ""
    print(
        f"runtime (quickjs-ng {version('quickjs-ng')}): {args.events} events in {len(bodies)} requests of "
        f"{args.batch}{label}: {seconds:.2f} s, {args.events / seconds:.0f} events/s, "
        f"{seconds / args.events * 1e6:.1f} µs/event, peak RSS {peak_rss_mb():.0f} MB "
        f"({rss_before:.0f} MB before the first timed request)"
    )
    print(
        "  per request: "
        f"median {statistics.median(per_request) * 1e3:.1f} ms, "
        f"p99 {per_request[math.ceil(len(per_request) * 0.99) - 1] * 1e3:.1f} ms, max {per_request[-1] * 1e3:.1f} ms; "
        f"outcomes 200: {check.statuses[200]}, 298 (dropped): {check.statuses[298]}, 400: {check.statuses[400]}"
    )
    if check.first_error is not None:
        print(f"  first 400 error: {check.first_error.splitlines()[0]}")
    print(
        f"  json.dumps(separators=(',', ':')) differs from JSON.stringify for {check.json_dumps_differs} "
        f"of {check.outputs} outputs; hashes use generator.runtime.jsvalues.dumps"
    )

    node = None if args.no_node else shutil.which("node")
    if node is None:
        print("node: not run (not on PATH or --no-node); runtime sha1 " + check.sha1.hexdigest())
        return 0
    node_version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    report = run_node(node, bodies, args)
    node_rate = report["events"] / report["seconds"]
    print(
        f"node {node_version} (same transformation, same JSON in and out): {report['events']} events{label}: "
        f"{report['seconds']:.2f} s, {node_rate:.0f} events/s, peak RSS {report['peak_rss_mb']} MB"
    )
    same = report["sha1"] == check.sha1.hexdigest() and report["outputs"] == check.outputs
    print(
        f"ratio runtime/node: {args.events / seconds / node_rate:.2f}  outputs identical: "
        f"{'yes' if same else 'NO'} (runtime sha1 {check.sha1.hexdigest()}, {check.outputs} outputs; "
        f"node sha1 {report['sha1']}, {report['outputs']} outputs)"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
