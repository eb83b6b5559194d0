"""Hostile events through a contract's generated transformation, at scale: the invariants and the figures.

    python bench/property_fuzz.py [CONTRACT ...] [--events N] [--seed N] [--batch N]

Events come from generator.fuzzing (hypothesis strategies, not shrunk here); every request's
outputs are run again for idempotence. Prints, per contract, how many events, outputs,
line items, violations and repairs it saw, how many problems, and events per second;
exits 1 if any invariant broke. The test suite runs 10,000 such events
(tests/property/test_hostile_events.py); this runs 100,000 by default.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from generator import fuzzing
from generator.contract import compile_contract
from generator.runtime import Transformation

ROOT = Path(__file__).resolve().parents[1]


def fuzz(path: Path, events: int, batch: int, random_seed: int) -> fuzzing.Figures:
    result = compile_contract(path.read_text(encoding="utf-8"), path.name)
    if not result.ok or result.contract is None:
        raise SystemExit(f"{path} does not compile:\n" + "\n".join(map(str, result.diagnostics)))
    transformation = Transformation(result.files["transformation.js"], "transformation.js")
    return fuzzing.fuzz(result.contract, transformation, events, batch=batch, random_seed=random_seed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("contracts", nargs="*", type=Path,
                        help="contracts (default: the example and the test contracts)")
    parser.add_argument("--events", type=int, default=100_000, help="events in all, shared between the contracts")
    parser.add_argument("--batch", type=int, default=200, help="events per request (rudder-server sends at most 200)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    contracts = args.contracts or [
        ROOT / "contract.yaml", *sorted((ROOT / "tests/contract/cases").glob("*/contract.yaml"))
    ]
    per_contract = max(args.events // len(contracts), 1)
    failed = False
    grand = fuzzing.Figures()
    started = time.perf_counter()
    for path in contracts:
        began = time.perf_counter()
        figures = fuzz(path, per_contract, args.batch, args.seed)
        seconds = time.perf_counter() - began
        grand.add(figures)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {figures.events} events, "
              f"{figures.outputs} outputs ({figures.line_items} line items), {figures.filtered} filtered, "
              f"{figures.violations} violations, {figures.repairs} repairs, {figures.reruns} re-run; "
              f"{len(figures.problems)} problems; {figures.events / seconds:,.0f} events/s", flush=True)
        for problem in figures.problems[:20]:
            print("   ", problem)
        failed = failed or bool(figures.problems)
    seconds = time.perf_counter() - started
    print(f"total: {grand.events} events, {grand.outputs} outputs, {len(grand.problems)} problems, "
          f"{seconds:.1f} s ({grand.events / seconds:,.0f} events/s, generation included)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
