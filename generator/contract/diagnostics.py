"""Compiler-style diagnostics: `contract.yaml:14:7: error: …`, collected, sorted, printed together."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff]")

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding at a place in the contract file (line and column are 1-based)."""

    file: str
    line: int
    column: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"
        # A name from the contract may hold a NUL or a lone surrogate: show it, never print it raw.
        return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class ContractError(Exception):
    """The contract has errors; `diagnostics` holds all of them."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(map(str, diagnostics)))
        self.diagnostics = diagnostics


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)
