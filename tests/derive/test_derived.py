"""Derived cases: outcomes worked out from the contract, and a transformation missing any rule fails one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator import derive
from generator.contract import compile_contract

CASES = Path(__file__).resolve().parents[1] / "contract" / "cases"
CONTRACTS = sorted(CASES.glob("*/contract.yaml"))


def _compiled(path: Path):  # type: ignore[no-untyped-def]
    result = compile_contract(path.read_text(encoding="utf-8"), "contract.yaml")
    assert result.ok and result.contract is not None
    return result.contract, result.files["transformation.js"]


@pytest.mark.parametrize("path", CONTRACTS, ids=[p.parent.name for p in CONTRACTS])
def test_the_generated_code_meets_every_derived_case(path: Path) -> None:
    model, code = _compiled(path)
    failing = [(case.rule, problem) for case, problem in derive.run(model, code) if problem]
    assert not failing, failing[:3]


def test_the_example_yields_a_case_per_rule() -> None:
    model, _ = _compiled(CASES / "example" / "contract.yaml")
    rules = [case.rule for case in derive.cases(model)]
    assert "Order Completed: alias 'purchase'" in rules
    assert "Added to Cart: 'cart_value' is required" in rules
    assert "Subscription Canceled: 'cancelled' means status 'canceled'" in rules
    assert "Added to Cart: cart_value '$10.00' is repaired to 10" in rules
    assert "Added to Cart: currency 'usd' is repaired to 'USD'" in rules
    assert len(rules) == len(set(rules))


def test_removing_any_enforced_rule_fails_a_derived_case() -> None:
    """Every property and trait rule is load-bearing: a mutant missing any checkProperty line fails a case."""
    model, code = _compiled(CASES / "example" / "contract.yaml")
    lines = code.splitlines()
    # An equivalent mutant is left out: with an identity block, every email trait is checked
    # by the identity rules too (normalizeEmails), so the trait's own line changes nothing here.
    targets = [i for i, line in enumerate(lines) if re.match(r'\s*checkProperty\((properties|traits), ', line)
               and not line.lstrip().startswith('checkProperty(traits, "email", { "type": "email" }')]
    assert len(targets) > 80
    survivors = []
    for index in targets:
        mutant = "\n".join(lines[:index] + lines[index + 1:])
        if not any(problem for _, problem in derive.run(model, mutant)):
            survivors.append(lines[index].strip()[:100])
    assert not survivors, survivors


# Each mutant takes one rule out of the generated code (or moves a bound by one); a derived
# case worked out from the contract alone must notice. (text in the code, replacement)
MUTANTS = [
    ("value < rule.minimum", "value <= rule.minimum"),                 # minimum is inclusive
    ("value > rule.minimum", "value >= rule.maximum"),
    ("rule.minimum !== undefined && value", "false && value"),          # no minimum at all
    ("  stampDedupeId(event, rules, report);\n", "\n"),                 # no dedupe id
    ("if (!isBlank(earlier) && earlier !== id)", "if (!isBlank(earlier)) return;\n  if (false)"),  # upstream id kept
    ("event.properties[spec.index] = index;", ""),                      # line items lose their position
    ("event.properties[spec.parentId] = properties[rules.dedupe.into];", ""),  # and their order
    ("for (const key of spec.copy) {", "for (const key of []) {"),     # and the copied properties
    ("reason = 'older than the '", "reason = null && 'older than the '"),  # no replay window
    ("if (readPath(event, marker) === true)", "if (false)"),           # upstream markers ignored
    ("if (isPlainObject(event.properties)) event.properties[REPLAY.flag] = true;", ""),  # no replay flag
    ("action > received + REPLAY.futureTolerance * 1000", "false"),    # future timestamps pass
    ("  if (!requireIds(event, report)) return dropped(event, report.dropReason, derived);\n", "\n"),
    ("moveEmailUserId(event, report);", ""),                            # an email userId stays
    ("const broken = patternProblem(rule.pattern, rule.patternLimit, value);", "const broken = null;"),
    ("  renameAliases(traits, TRAIT_ALIASES, path, report, 'trait-alias');\n", "\n"),  # trait aliases kept
    ("  deriveNames(traits, path, report);\n", "\n"),                  # no first and last names
    ("checkProperty(traits, \"timezone\"", "(() => {})(traits, \"timezone\""),  # time zones unchecked
    ("checkProperty(traits, \"phone\"", "(() => {})(traits, \"phone\""),        # phones unchecked
    ("checkProperty(traits, \"last_order_date\"", "(() => {})(traits, \"last_order_date\""),  # dates unchecked
]


@pytest.mark.parametrize(("find", "replace"), MUTANTS, ids=[m[0][:40] for m in MUTANTS])
def test_each_rule_family_is_load_bearing(find: str, replace: str) -> None:
    model, code = _compiled(CASES / "example" / "contract.yaml")
    if find == "value > rule.minimum":  # the maximum bound lives in the `types` case
        model, code = _compiled(CASES / "types" / "contract.yaml")
        find, replace = "value > rule.maximum", "value >= rule.maximum"
    assert code.count(find) >= 1, f"the generated code no longer has {find!r}: update the mutant"
    mutant = code.replace(find, replace)
    failing = [case.rule for case, problem in derive.run(model, mutant) if problem]
    assert failing, f"no derived case notices {find!r} → {replace!r}"


@pytest.mark.parametrize("name", ["example", "identity", "traits", "people", "patterns"])
def test_derived_cases_hold_on_hostile_edits_of_a_contract(name: str) -> None:
    """Whatever a valid contract says, its derived cases pass: they never blame the code for the contract."""
    import yaml

    from generator.contract import mutations

    checked = 0
    for data in mutations.seeded(mutations.load(CASES / name / "contract.yaml"), 200, 31):
        result = compile_contract(yaml.safe_dump(data, allow_unicode=True), "contract.yaml")
        if not result.ok or result.contract is None:
            continue
        checked += 1
        failing = [(case.rule, problem[:300]) for case, problem in derive.run(result.contract,
                                                                               result.files["transformation.js"])
                   if problem]
        assert not failing, (data, failing[:2])
    assert checked > 10
