"""gen replay's throughput and peak memory on N events, against a plain Node script on the same events.

    python bench/replay_bench.py [--events 100000] [--workers N]

The transformation is the example contract's (its frozen copy in tests/contract/cases/example).
The Node script (bench/node_runner.mjs) parses, transforms and serializes each request of
200 events in one process, as a hand-written harness would, on the Node.js the v8 engine uses.
Prints one line per engine and executor, whether their outputs are identical, and the ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from events import generate

from generator.contract import compile_contract
from generator.replay import run
from generator.runtime import v8

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "tests" / "contract" / "cases" / "example" / "contract.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=run.default_workers())
    parser.add_argument("--executor", choices=["local", "dask", "both"], default="both",
                        help="the local process pool, a local Dask cluster, or both (default; Dask when installed)")
    args = parser.parse_args()
    code = compile_contract(EXAMPLE.read_text(encoding="utf-8"), "contract.yaml").files["transformation.js"]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "transformation.js").write_text(code, encoding="utf-8")
        # Written as they are generated: the benchmark itself never holds the events.
        with (folder / "events.ndjson").open("w", encoding="utf-8") as lines, \
                (folder / "events.json").open("w", encoding="utf-8") as array:
            array.write("[")
            for index, event in enumerate(generate(args.events)):
                text = json.dumps(event)
                lines.write(text + "\n")
                array.write(("," if index else "") + text)
            array.write("]")
        size = (folder / "events.ndjson").stat().st_size
        print(f"events: {args.events:,} synthetic web events, {size / 1e6:.0f} MB of NDJSON; "
              f"{args.workers} worker(s) on {run.default_workers()} core(s) seen")

        executors = ["local", "dask"] if args.executor == "both" else [args.executor]
        if "dask" in executors and importlib.util.find_spec("distributed") is None:
            executors.remove("dask")
            print("dask: not installed, skipped")
        engines = ["quickjs", "v8"] if v8.available() else ["quickjs"]
        if "v8" not in engines:
            print("v8: no Node.js for the v8 engine, skipped (pip install '.[v8]')")
        rates: dict[str, float] = {}
        digests: dict[str, str] = {}
        gen = shutil.which("gen") or "gen"
        for engine in engines:
            for executor in executors:
                started = time.monotonic()
                out = folder / f"out-{engine}-{executor}"
                # The command users run, in a process of its own: its peak memory is its own.
                tree = _run_sampled([gen, "replay", str(folder / "transformation.js"), str(folder / "events.ndjson"),
                                     "--out", str(out), "--workers", str(args.workers), "--executor", executor,
                                     "--engine", engine])
                seconds = time.monotonic() - started
                rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
                rate = args.events / seconds
                rates.setdefault(engine, rate)
                digests[f"{engine}/{executor}"] = _digest(out / "outputs.ndjson")
                summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
                print(f"gen replay ({summary.get('engine', engine)}, {executor} executor, {args.workers} workers): "
                      f"{seconds:.1f} s, {rate:,.0f} events/s end to end ({summary['events_per_second']:,.0f} "
                      f"while replaying); peak RSS {rss:.0f} MB (the largest process so far)"
                      + _tree_text(tree))
        same = len(set(digests.values())) == 1
        print(f"outputs identical across {', '.join(digests)}: {'yes' if same else 'NO'}")

        node = v8.node_path()
        if node is None:
            print("node: not found, no comparison")
            return
        answer = subprocess.run([node, str(HERE / "node_runner.mjs"), "--transformation",
                                 str(folder / "transformation.js"), str(folder / "events.json")],
                                capture_output=True, text=True, check=True)
        result = json.loads(answer.stdout.strip().splitlines()[-1])
        node_seconds = result.get("seconds") or result.get("median_seconds")
        node_rate = args.events / node_seconds
        print(f"node {subprocess.run([node, '--version'], capture_output=True, text=True).stdout.strip()} "
              f"(one process, same transformation, JSON in and out): {node_seconds:.2f} s, "
              f"{node_rate:,.0f} events/s")
        default = "v8" if "v8" in rates else "quickjs"
        print(f"ratio gen replay (default engine, {default}) / node: {rates[default] / node_rate:.2f}")
        for engine, rate in rates.items():
            print(f"ratio gen replay ({engine}) per worker / node: {rate / args.workers / node_rate:.2f}")


def _run_sampled(command: list[str]) -> tuple[float, float | None] | None:
    """Run the command; the peak memory of its whole process tree in MB, sampled every 0.1 s.

    Two sums, as (RSS, PSS): RSS counts a page once in every process that maps it, so the
    pages the forked workers share with the main process, and the two Node hosts' shared
    code, count twice; PSS splits each shared page between its processes (Linux only:
    None elsewhere). None without psutil.
    """
    try:
        psutil: Any = importlib.import_module("psutil")  # Dask's dependency: optional here, and untyped
    except ImportError:
        subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
        return None
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    root = psutil.Process(process.pid)
    peak_rss = 0
    peak_pss: int | None = 0
    while process.poll() is None:
        rss = pss = 0
        try:
            members = [root, *root.children(recursive=True)]
        except psutil.Error:
            members = []
        for member in members:
            with contextlib.suppress(psutil.Error):  # a process that ended between the two calls
                if peak_pss is None:
                    rss += member.memory_info().rss
                    continue
                info = member.memory_full_info()
                rss += info.rss
                if getattr(info, "pss", None) is None:
                    peak_pss = None
                else:
                    pss += info.pss
        peak_rss = max(peak_rss, rss)
        if peak_pss is not None:
            peak_pss = max(peak_pss, pss)
        time.sleep(0.1)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return peak_rss / 1e6, (peak_pss / 1e6 if peak_pss is not None else None)


def _tree_text(tree: tuple[float, float | None] | None) -> str:
    if tree is None:
        return ""
    rss, pss = tree
    text = f"; all its processes together: {rss:.0f} MB of RSS"
    return text + (f", {pss:.0f} MB of PSS (shared pages counted once)" if pss is not None else "")


def _digest(path: Path) -> str:
    """The result rows (one per output: status, names, ids, violations), whatever order requests finished in."""
    lines = sorted(path.read_text(encoding="utf-8").splitlines())
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
