"""What gen does with a contract `pattern`: accept it, accept it with a length limit, or refuse it.

A pattern runs as `new RegExp(pattern).test(value)` on V8 12.4 in production (QuickJS
locally), on any value an event carries. It must parse in V8's flag-less dialect (and in
QuickJS), and its backtracking must not let one value spend a request's time budget
(regex.analyze gives the worst-case growth):

- linear: checked on values of any length;
- quadratic: checked on values up to LENGTH_LIMIT characters; longer values are
  violations (`maxLength`) without running the pattern, and the build warns;
- cubic or worse, exponential, or too complex to analyse: refused at build time.
"""

from __future__ import annotations

import functools
import json
import threading
from dataclasses import dataclass

import quickjs

from . import regex

# A quadratic pattern on 1,000 characters costs about half a million backtracking steps:
# a few milliseconds in QuickJS, well inside RudderStack's 4 s for a request of 200.
LENGTH_LIMIT = 1000


@dataclass(frozen=True)
class Verdict:
    """`error` (the pattern is refused), or `limit` (None: any length) and a `warning`."""

    error: str | None = None
    limit: int | None = None
    warning: str | None = None


def _attack(complexity: regex.Complexity) -> str:
    if complexity.attack is None:
        return ""
    prefix, pump, suffix = complexity.attack
    shown = " + ".join(part for part in (repr(prefix) if prefix else "", f"{pump!r} repeated", repr(suffix) if suffix
                                         else "") if part)
    return f" (on inputs like {shown})"


@functools.lru_cache(maxsize=1024)
def verdict(pattern: str) -> Verdict:
    """The build's decision about one pattern (cached: analysis can take a good fraction of a second)."""
    try:
        complexity = regex.analyze(pattern)
    except regex.RegexSyntaxError as exc:
        return Verdict(error=f"is not a regular expression RudderStack's V8 accepts: {exc.message} "
                             f"(at character {exc.offset + 1})")
    local = quickjs_error(pattern)
    if local is not None:
        return Verdict(error=f"is accepted by V8 but not by QuickJS, gen's local engine: {local}")
    culprit = f"`{complexity.culprit}`" if complexity.culprit else "it"
    if complexity.kind == "exponential":
        return Verdict(error=f"backtracks catastrophically: {culprit} can match the same text in more ways than one, "
                             f"so time doubles with each extra character{_attack(complexity)}; one such value would "
                             "time out the whole request. Rewrite it so each character has one way to match "
                             "(e.g. `(a+)+` → `a+`)")
    if complexity.kind == "unknown":
        return Verdict(error=f"is too complex to check for catastrophic backtracking ({complexity.note}); simplify it")
    if complexity.kind == "polynomial" and complexity.degree >= 2:
        power = {2: "cubic"}.get(complexity.degree, f"degree {complexity.degree + 1}")
        return Verdict(error=f"backtracks in {power} time: {culprit} overlaps itself{_attack(complexity)}, so a value "
                             "of a few thousand characters takes seconds. Make the parts exclude each other "
                             "(e.g. `\\S+@\\S+\\.\\S+` → `[^\\s@]+@[^\\s@.]+\\.[^\\s@]+`)")
    if complexity.kind == "polynomial":
        anchor = " or anchor it with ^" if not pattern.startswith("^") else ""
        return Verdict(limit=LENGTH_LIMIT, warning=(
            f"backtracks in quadratic time: {culprit} overlaps itself{_attack(complexity)}; gen checks it only on "
            f"values up to {LENGTH_LIMIT} characters and flags longer ones (maxLength). Make the parts exclude each "
            f"other{anchor} to lift the limit"))
    return Verdict()


def limit(pattern: str) -> int | None:
    """How long a value the generated code runs this (accepted) pattern on; None for any length."""
    return verdict(pattern).limit


def quickjs_error(pattern: str) -> str | None:
    """Why `new RegExp(pattern)` fails in QuickJS, or None."""
    # As JSON, so a lone surrogate crosses into QuickJS as an escape.
    return str(_quickjs_check()(json.dumps(pattern))) or None


def test(pattern: str, value: str) -> bool:
    """`new RegExp(pattern).test(value)` as the generated code runs it (for checking defaults)."""
    return bool(_quickjs_test()(json.dumps(pattern), json.dumps(value)))


_local = threading.local()  # a QuickJS context must stay on the thread that made it


def _functions() -> tuple[quickjs.Object, quickjs.Object]:
    if not hasattr(_local, "functions"):
        context = quickjs.Context()
        _local.functions = (
            context.eval(
                "(p) => { try { new RegExp(JSON.parse(p)); return ''; } catch (e) { return String(e.message); } }"
            ),
            context.eval("(p, v) => new RegExp(JSON.parse(p)).test(JSON.parse(v))"),
        )
    return _local.functions  # type: ignore[no-any-return]


def _quickjs_check() -> quickjs.Object:
    return _functions()[0]


def _quickjs_test() -> quickjs.Object:
    return _functions()[1]
