"""Every node of every contract, replaced by every hostile value (and every key renamed): gen builds or diagnoses.

    python bench/contract_fuzz.py [CONTRACT ...]

Prints, per contract, how many mutations were built, how many were diagnosed, and every
one that made gen fail (a traceback, a file that does not load, an event that fails);
exits 1 if there was any.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from generator.contract import mutations

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    contracts = [Path(a) for a in sys.argv[1:]] or [
        ROOT / "contract.yaml", *sorted((ROOT / "tests/contract/cases").glob("*/contract.yaml"))
    ]
    failures = 0
    started = time.perf_counter()
    total = 0
    for path in contracts:
        base = mutations.load(path)
        count = 0
        found: dict[str, str] = {}
        for node in mutations.paths(base):
            candidates = [mutations.replace(base, node, value) for value in mutations.VALUES]
            candidates += [mutations.rename_key(base, node, key) for key in mutations.KEYS]
            for data in candidates:
                if data is None:
                    continue
                count += 1
                problem = mutations.check(data)
                if problem is not None:
                    found.setdefault(problem[:160], ".".join(map(str, node)))
        total += count
        failures += len(found)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {count} mutations, "
              f"{len(found)} distinct failures", flush=True)
        for problem, where in found.items():
            print(f"    at {where}: {problem}")
    seconds = time.perf_counter() - started
    print(f"total: {total} mutations in {seconds:.0f} s, {failures} distinct failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
