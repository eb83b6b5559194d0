"""`gen check`: the one CI command. The contract is valid, generated/ is current, every fixture passes.

Results come as data (`Report`), written as text, JSON, JUnit XML or GitHub workflow
annotations by the functions below; the CLI only picks one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from . import contract, derive, fixtures
from .contract.render import OUTPUT
from .runtime.engine import NotUTF8, read_text

OK, FAILED, INVALID = 0, 1, 2


@dataclass
class Item:
    """One checked thing: the contract, the generated files, or a fixture case."""

    kind: str  # contract | generated | fixture
    name: str
    passed: bool
    detail: str = ""
    file: str | None = None
    line: int | None = None
    column: int | None = None


@dataclass
class Report:
    items: list[Item] = field(default_factory=list)
    diagnostics: list[contract.Diagnostic] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)  # rules no derived case or passing fixture exercises
    model: contract.Contract | None = None  # the contract checked, when it compiled

    @property
    def exit_code(self) -> int:
        if any(d.severity == "error" for d in self.diagnostics):
            return INVALID
        return OK if self.items and all(item.passed for item in self.items) else FAILED

    @property
    def counts(self) -> dict[str, int]:
        return {"passed": sum(i.passed for i in self.items), "failed": sum(not i.passed for i in self.items)}


def run(contract_path: Path, out_dir: Path, fixture_paths: list[Path], engine: str | None = None) -> Report:
    """Check everything, on `engine` (default: QuickJS or $GEN_ENGINE); never stops at the first problem."""
    report = Report()
    try:
        text = read_text(contract_path, "contract")
    except OSError as exc:
        report.diagnostics.append(contract.Diagnostic(str(contract_path), 1, 1, "error",
                                                      f"cannot read the contract: {exc.strerror}"))
        return report
    except NotUTF8 as exc:
        report.diagnostics.append(contract.Diagnostic(str(contract_path), exc.line, exc.column, "error", exc.detail))
        return report
    result = contract.compile_contract(text, str(contract_path))
    report.diagnostics.extend(result.diagnostics)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    report.items.append(Item("contract", str(contract_path), not errors,
                             "\n".join(map(str, errors)), str(contract_path)))
    if result.ok and result.contract is not None:
        for derived, problem in derive.run(result.contract, result.files["transformation.js"], engine):
            report.items.append(Item("derived", derived.rule, not problem, problem, str(contract_path)))
        model = report.model = result.contract
        stale = contract.drift(result.files, out_dir)
        report.items.append(Item(
            "generated", str(out_dir), not stale,
            "\n".join(f"{path} is out of date with {contract_path}; run `gen build`" for path in stale),
            str(stale[0]) if stale else None))
    else:
        model = None
    cases = 0
    seen: set[tuple[str, str]] = set()
    try:
        files = fixtures.discover(fixture_paths)
    except fixtures.FixtureError as exc:
        report.items.append(Item("fixture", "fixtures", False, str(exc)))
        return report
    for file in files:
        try:
            loaded = fixtures.load(file)
        except fixtures.FixtureError as exc:
            report.items.append(Item("fixture", str(file), False, str(exc), str(file)))
            continue
        for case in loaded:
            cases += 1
            outcome = fixtures.run_case(case, engine=engine)
            report.items.append(Item("fixture", case.id, outcome.passed, outcome.report, str(file)))
            if model is not None and outcome.passed and outcome.result is not None \
                    and fixtures.runs(case, contract_path, out_dir / OUTPUT):
                seen |= derive.evidence(model, outcome.result)
    if model is not None:
        # Coverage: what the derived cases cannot reach, unless a passing fixture shows it.
        report.uncovered = derive.uncovered(model, seen)
    if cases == 0:
        where = ", ".join(map(str, fixture_paths))
        report.items.append(Item("fixture", "fixtures", False,
                                 f"no fixture cases found in {where}: a check that tests nothing passes nothing"))
    return report


def against(ref: str, contract_path: Path) -> Item:
    """The breaking changes since REF, and whether the version was bumped for them."""
    from . import diff

    try:
        before = diff.load(ref if ":" in ref else f"{ref}:{contract_path.as_posix()}")
        after = diff.load(str(contract_path))
    except diff.DiffError as exc:
        return Item("diff", f"against {ref}", False, str(exc), str(contract_path))
    found = diff.changes(before, after)
    needed, made = diff.bump(before, after, found)
    detail = "\n".join(str(c) for c in found)
    if not made:
        detail += (f"\nthese changes call for a {needed} version bump; contract.version is still "
                   f"{after.version} (was {before.version})")
    return Item("diff", f"against {ref}", made, detail.strip(), str(contract_path))


# -- formats ----------------------------------------------------------------------------------

def text(report: Report) -> str:
    lines = [str(d) for d in report.diagnostics]
    for item in report.items:
        if not item.passed:
            lines.append(f"FAIL {item.name}" + (f"\n{_indent(item.detail)}" if item.detail else ""))
    lines += [f"not exercised by a derived case or fixture (write one): {rule}" for rule in report.uncovered]
    counts = report.counts
    derived = sum(1 for i in report.items if i.kind == "derived")
    lines.append(f"{counts['passed']} passed, {counts['failed']} failed ({derived} derived from the contract)")
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> str:
    return json.dumps({
        "ok": report.exit_code == OK,
        "exit_code": report.exit_code,
        **report.counts,
        "diagnostics": [{"file": d.file, "line": d.line, "column": d.column, "severity": d.severity,
                         "message": d.message} for d in report.diagnostics],
        "items": [{"kind": i.kind, "name": i.name, "passed": i.passed, "detail": i.detail} for i in report.items],
        "uncovered": report.uncovered,
    }, indent=2, ensure_ascii=False) + "\n"


def junit(report: Report) -> str:
    """JUnit XML, one testsuite per kind of check, for CI test-report views."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
    for kind in ("contract", "generated", "derived", "fixture", "diff"):
        items = [i for i in report.items if i.kind == kind]
        failures = sum(not i.passed for i in items)
        parts.append(f'  <testsuite name="gen {kind}" tests="{len(items)}" failures="{failures}">')
        for item in items:
            parts.append(f"    <testcase classname={quoteattr('gen.' + kind)} name={quoteattr(item.name)}>")
            if not item.passed:
                first = item.detail.splitlines()[0] if item.detail else "failed"
                parts.append(f"      <failure message={quoteattr(first)}>{escape(item.detail)}</failure>")
            parts.append("    </testcase>")
        parts.append("  </testsuite>")
    parts.append("</testsuites>")
    return "\n".join(parts) + "\n"


def _annotation_text(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _annotation_text(text).replace(":", "%3A").replace(",", "%2C")


def github(report: Report) -> str:
    """GitHub workflow commands: an annotation at file:line:col for each problem."""
    lines = []
    for d in report.diagnostics:
        command = "error" if d.severity == "error" else "warning"
        lines.append(f"::{command} file={_property(d.file)},line={d.line},col={d.column}::"
                     f"{_annotation_text(d.message)}")
    for item in report.items:
        if item.passed or (item.kind == "contract" and report.diagnostics):
            continue
        title = {"generated": "generated files are stale", "fixture": f"fixture failed: {item.name}",
                 "derived": f"derived case failed: {item.name}"}.get(item.kind, item.name)
        params = ([f"file={item.file}"] if item.file else []) + [f"title={_property(title)}"]
        lines.append(f"::error {','.join(params)}::{_annotation_text(item.detail or title)}")
    where = next((f"file={_property(i.file)}," for i in report.items if i.kind == "contract" and i.file), "")
    for rule in report.uncovered:
        lines.append(f"::warning {where}title=not exercised by a derived case or fixture::{_annotation_text(rule)}")
    counts = report.counts
    lines.append(f"{counts['passed']} passed, {counts['failed']} failed")
    return "\n".join(lines) + "\n"


def step_summary(report: Report) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY."""
    counts = report.counts
    rows = [f"| {'✅' if i.passed else '❌'} | {i.kind} | `{i.name}` |" for i in report.items]
    return "\n".join([f"### gen check: {counts['passed']} passed, {counts['failed']} failed", "",
                      "| | check | name |", "|---|---|---|", *rows]) + "\n"


def write_step_summary(report: Report, environ: Any = os.environ) -> None:
    target = environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with Path(target).open("a", encoding="utf-8") as stream:
            stream.write(step_summary(report))


def _indent(detail: str) -> str:
    return "\n".join("    " + line for line in detail.splitlines())
