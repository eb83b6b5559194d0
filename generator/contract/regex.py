"""JavaScript regular expressions as the generated code runs them: V8's flag-less syntax, and backtracking cost.

The generated transformation evaluates a contract `pattern` as ``new RegExp(source).test(value)``: no flags, so the
pattern is read in non-unicode mode with the ECMAScript Annex B (web compatibility) grammar, by V8 12.4 (Node 22) in
production.  This module answers two build-time questions about such a pattern.

`parse(source)` accepts exactly what V8 accepts and raises `RegexSyntaxError` (with V8's message and an offset into
`source`) for the rest.  It mirrors V8's parser rather than the specification wherever the two part ways: regexp
modifiers ``(?i:...)`` and duplicate group names (even in different alternatives) are rejected, an escaped ``\\u003e``
ends a group name, and errors are reported in V8's order (a named reference to a missing group is only reported once
the whole pattern parsed).  The pattern is read as UTF-16 code units, as JavaScript does, so an astral character is
two atoms; offsets are nevertheless indexes into the Python string.  Group names are classified with Python's
`unicodedata`, whose Unicode version may lag or lead V8's ICU: a character assigned in between may be misjudged.

`analyze(source)` estimates the worst-case running time of a backtracking matcher (V8's Irregexp, QuickJS's
libregexp) on ``.test(value)`` as a function of n = ``len(value)``, following Weideman, van der Merwe, Berglund and
Watson (2016), "Analyzing matching time behavior of backtracking regular expression matchers by using ambiguity of
NFA":

* The pattern becomes a prioritised, epsilon-free position (Glushkov) automaton: its states are the pattern's
  character positions, labelled with sets of UTF-16 code units, and each state orders its ways out as the engines
  try them (greedy loops before their exit, alternatives left to right).  ``.test()`` retrying at every start offset
  is a lowest-priority state that reads any code unit and restarts the pattern: so ``[a-z]+@`` is quadratic and
  ``^[a-z]+@`` linear.
* Exponential (EDA): a state with two different paths back to itself over one word, i.e. a strongly connected
  component of the pair automaton holding a diagonal pair (q, q) and an off-diagonal pair, or a pair of parallel
  transitions (two epsilon routes between the same positions, as in ``(a*)*``).
* Polynomial of degree k, Θ(n^(k+1)) (IDA): a chain of k + 1 states where each consecutive p, q have paths p→p,
  p→q and q→q over one word, found in the triple automaton.

Such structures are necessary, not sufficient: a backtracking search stops at its first match, so ``^(a+)+`` (a
match as soon as the loop ends) is linear while ``^(a+)+$`` is exponential.  Each finding is therefore confirmed by
an attack (a prefix reaching it, a pump, a suffix meant to make the match fail) and a measurement: the automaton is
run as the engines run it, depth first in priority order up to the first match, each lookaround body searched where
it is crossed, every step counted; as the pump is repeated more, the counts must keep growing by a steady factor per
pump (exponential) or by about 2^(k+1) each time the repetitions double (degree k; the degree measured is the one
reported).  An unconfirmed finding is dropped.

Approximations, and which way they err:

* Counted repetitions up to 10 are expanded exactly; a larger bound is read as unbounded (``x{7,20}`` as
  ``x{7}x*``, ``x{50}`` as ``x{10}x*``), and a match found after going round such a loop is not trusted.  When a
  blow-up needs such a loop to exceed its bound, the result says so in `note`: the cost is bounded by the counts
  (``^(?:a|a){0,50}$`` takes 2^50 steps), and the attack needs n beyond them.
* Lookarounds are conditions on transitions, evaluated on the actual attack when measuring.  Each lookahead body is
  also analysed as the rest of the pattern reaches it, its own end ending that search (a catastrophic lookahead body
  is catastrophic).  Lookbehind bodies, and lookarounds inside them, are analysed on their own (reversed for a
  lookbehind) from any offset; their attack is then measured on the whole pattern, which may fail to confirm it
  (may under-report, e.g. for a lookbehind nested in another one).
* V8 drops a lookaround quantified with a minimum of 0 (``(?=...)*``); QuickJS evaluates its body, which is what is
  measured (the worse of the two).
* The order of adjacent assertions is not recorded: measuring checks ``^`` first, then lookarounds, then ``$``,
  ``\\b`` and ``\\B``.
* A backreference is read as a fresh copy of its group's body (the same language, not the same string), after which
  a match is not trusted; as empty when the group cannot have matched before it (forward, or inside itself).
  Patterns with backreferences may be over-reported, and their attacks may not work.
* Only attacks with one pump are tried (for a chain: the links' words in a row, each link's word alone, or a single
  character every loop reads, possibly repeated): a chain no such pump keeps is reported at a lower degree.
* The work is bounded: a pattern nested deeper than 120, over 600 positions, or a fixed number of steps exceeded
  (a few tenths of a second at most) gives ``kind="unknown"``, with the reason in `note`.
"""

from __future__ import annotations

import itertools
import math
import time
import unicodedata
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Literal, NoReturn, TypeVar

__all__ = [
    "Alternation",
    "Assertion",
    "Backreference",
    "CharSet",
    "Complexity",
    "Empty",
    "Group",
    "Lookaround",
    "Node",
    "Quantifier",
    "RegexSyntaxError",
    "Sequence",
    "analyze",
    "parse",
]

COPY_LIMIT = 10
MAX_DEPTH = 120
MAX_POSITIONS = 600
WORK_LIMIT = 1_000_000  # basic steps of the automata analyses
MEASURE_CAP = 40_000  # steps of one measured backtracking search
MEASURE_LIMIT = 1_200_000  # steps of all measured searches (about 0.4 s at worst)
DEADLINE = 1.5  # seconds: a safety net, should the step budgets take longer than they should
EXPONENTIAL = -1  # `Complexity.degree` for "exponential" (and "unknown")

# ---------------------------------------------------------------------------------------------------------------------
# The syntax tree.

Interval = tuple[int, int]  # inclusive range of UTF-16 code units
UNITS: tuple[Interval, ...] = ((0, 0xFFFF),)


@dataclass(frozen=True)
class Node:
    """A node of the syntax tree; `start`/`end` delimit its text in the source (end exclusive)."""

    start: int
    end: int

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


@dataclass(frozen=True)
class Empty(Node):
    """Matches the empty string (an empty alternative or pattern)."""


@dataclass(frozen=True)
class CharSet(Node):
    """One UTF-16 code unit from `ranges` (sorted, disjoint, non-adjacent inclusive intervals); literals too."""

    ranges: tuple[Interval, ...]

    def __contains__(self, unit: object) -> bool:
        return isinstance(unit, int) and any(lo <= unit <= hi for lo, hi in self.ranges)


@dataclass(frozen=True)
class Sequence(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Alternation(Node):
    alternatives: tuple[Node, ...]


@dataclass(frozen=True)
class Group(Node):
    """``(...)`` (index set), ``(?<name>...)`` (index and name set) or ``(?:...)`` (neither)."""

    body: Node
    index: int | None
    name: str | None


@dataclass(frozen=True)
class Lookaround(Node):
    body: Node
    behind: bool
    negative: bool


@dataclass(frozen=True)
class Backreference(Node):
    """``\\3`` or ``\\k<name>``; `index` is the referenced group's number."""

    index: int
    name: str | None


@dataclass(frozen=True)
class Assertion(Node):
    kind: Literal["^", "$", "\\b", "\\B"]


@dataclass(frozen=True)
class Quantifier(Node):
    """`body` repeated `min` to `max` times (`max` None: unbounded), greedy or lazy."""

    body: Node
    min: int
    max: int | None
    greedy: bool


class RegexSyntaxError(Exception):
    """`new RegExp(source)` throws a SyntaxError in V8; `message` is V8's wording, `offset` indexes `source`."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} (at offset {offset})")
        self.message = message
        self.offset = offset


def _normalize(ranges: Iterable[Interval]) -> tuple[Interval, ...]:
    merged: list[Interval] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _complement(ranges: tuple[Interval, ...]) -> tuple[Interval, ...]:
    out: list[Interval] = []
    low = 0
    for lo, hi in ranges:
        if lo > low:
            out.append((low, lo - 1))
        low = hi + 1
    if low <= 0xFFFF:
        out.append((low, 0xFFFF))
    return tuple(out)


DIGIT = ((0x30, 0x39),)
WORD = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
SPACE = _normalize(
    [(0x09, 0x0D), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A), (0x2028, 0x2029),
     (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF)]
)
LINE_TERMINATORS = ((0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029))
DOT = _complement(LINE_TERMINATORS)
_CLASS_ESCAPES = {
    ord("d"): DIGIT, ord("D"): _complement(DIGIT), ord("w"): WORD, ord("W"): _complement(WORD),
    ord("s"): SPACE, ord("S"): _complement(SPACE),
}

# ---------------------------------------------------------------------------------------------------------------------
# The parser: a transcription of the behaviour of V8's (12.4) flag-less RegExp parser, checked against Node.

_END = -1
_K_INFINITY = 0x7FFFFFFF
_MAX_CAPTURES = 1 << 16
_OTHER_ID_START = frozenset({0x1885, 0x1886, 0x2118, 0x212E, 0x309B, 0x309C})
_OTHER_ID_CONTINUE = frozenset({0xB7, 0x387, *range(0x1369, 0x1372), 0x19DA, 0x200C, 0x200D, 0x30FB, 0xFF65})
_ID_START_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nl"})
_ID_PART_CATEGORIES = frozenset({"Mn", "Mc", "Nd", "Pc"})
_PATTERN_SYNTAX_LETTERS = frozenset({0x2E2F})  # the one letter that is Pattern_Syntax, hence not ID_Start


def _id_start(cp: int) -> bool:
    if cp in (0x24, 0x5F):  # $ _
        return True
    if cp < 0 or cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF or cp in _PATTERN_SYNTAX_LETTERS:
        return False
    return cp in _OTHER_ID_START or unicodedata.category(chr(cp)) in _ID_START_CATEGORIES


def _id_part(cp: int) -> bool:
    if _id_start(cp) or cp in _OTHER_ID_CONTINUE:
        return True
    if cp < 0 or cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF or cp in _PATTERN_SYNTAX_LETTERS:
        return False
    return unicodedata.category(chr(cp)) in _ID_PART_CATEGORIES


def _digit(c: int) -> bool:
    return 0x30 <= c <= 0x39


def _hex_value(c: int) -> int:
    if 0x30 <= c <= 0x39:
        return c - 0x30
    if 0x41 <= c <= 0x46 or 0x61 <= c <= 0x66:
        return (c | 0x20) - 0x61 + 10
    return -1


class _Frame:
    """An open group (or the whole pattern) while parsing: finished alternatives plus the current one's terms."""

    def __init__(self, kind: str, start: int, body_start: int, index: int | None = None, name: str | None = None,
                 negative: bool = False) -> None:
        self.kind = kind  # "root", "capture", "group", "ahead" or "behind"
        self.start = start
        self.body_start = body_start
        self.index = index
        self.name = name
        self.negative = negative
        self.alternatives: list[Node] = []
        self.terms: list[Node] = []
        self.alt_start = body_start


class _Parser:
    def __init__(self, source: str, names: dict[str, int] | None) -> None:
        units: list[int] = []
        owner: list[int] = []
        leading: list[bool] = []
        for i, ch in enumerate(source):
            cp = ord(ch)
            if cp > 0xFFFF:
                cp -= 0x10000
                units += [0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)]
                owner += [i, i]
                leading += [True, False]
            else:
                units.append(cp)
                owner.append(i)
                leading.append(True)
        owner.append(len(source))
        leading.append(True)
        self.u = units
        self.n = len(units)
        self.owner = owner
        self.leading = leading
        self.pos = 0
        self.resolve = names
        self.captures_started = 0
        self.capture_count = 0
        self.scanned = False
        self.has_named = False
        self.named: dict[str, int] = {}
        self.named_refs: list[tuple[str, int]] = []

    # -- positions

    def cur(self) -> int:
        return self.u[self.pos] if self.pos < self.n else _END

    def at(self, i: int) -> int:
        return self.u[i] if 0 <= i < self.n else _END

    def so(self, unit: int) -> int:
        return self.owner[min(unit, self.n)]

    def se(self, unit: int) -> int:
        unit = min(unit, self.n)
        return self.owner[unit] if self.leading[unit] else self.owner[unit] + 1

    def fail(self, message: str, unit: int) -> NoReturn:
        raise RegexSyntaxError(message, self.so(unit))

    def literal(self, value: int, start: int) -> CharSet:
        return CharSet(start=self.so(start), end=self.se(self.pos), ranges=((value, value),))

    def sequence(self, terms: list[Node], start: int, end: int) -> Node:
        if not terms:
            return Empty(start=self.so(start), end=self.so(start))
        if len(terms) == 1:
            return terms[0]
        return Sequence(start=self.so(start), end=self.se(end), items=tuple(terms))

    def end_alternative(self, frame: _Frame, end: int) -> None:
        frame.alternatives.append(self.sequence(frame.terms, frame.alt_start, end))
        frame.terms = []
        frame.alt_start = end + 1

    def body(self, frame: _Frame, end: int) -> Node:
        self.end_alternative(frame, end)
        if len(frame.alternatives) == 1:
            return frame.alternatives[0]
        return Alternation(start=self.so(frame.body_start), end=self.se(end), alternatives=tuple(frame.alternatives))

    # -- the main loop

    def parse(self) -> Node:
        stack = [_Frame("root", 0, 0)]
        while True:
            frame = stack[-1]
            c = self.cur()
            start = self.pos
            if c == _END:
                if len(stack) > 1:
                    self.fail("Unterminated group", frame.start)
                break
            if c == 0x29:  # )
                if len(stack) == 1:
                    self.fail("Unmatched ')'", start)
                node = self.close(stack.pop())
                frame = stack[-1]
                frame.terms.append(node)
            elif c == 0x7C:  # |
                self.end_alternative(frame, start)
                self.pos += 1
                continue
            elif c in (0x2A, 0x2B, 0x3F):  # * + ?
                self.fail("Nothing to repeat", start)
            elif c in (0x5E, 0x24):  # ^ $
                self.pos += 1
                kind: Literal["^", "$"] = "^" if c == 0x5E else "$"
                frame.terms.append(Assertion(start=self.so(start), end=self.se(self.pos), kind=kind))
                continue
            elif c == 0x2E:  # .
                self.pos += 1
                frame.terms.append(CharSet(start=self.so(start), end=self.se(self.pos), ranges=DOT))
            elif c == 0x28:  # (
                stack.append(self.open())
                continue
            elif c == 0x5B:  # [
                frame.terms.append(self.char_class())
            elif c == 0x5C:  # backslash
                if not self.atom_escape(frame):
                    continue
            elif c == 0x7B:  # {
                if self.interval() is not None:
                    self.fail("Nothing to repeat", start)
                self.pos += 1
                frame.terms.append(self.literal(c, start))
            else:
                self.pos += 1
                frame.terms.append(self.literal(c, start))
            self.quantifier(frame)
        root = self.body(stack[0], self.n)
        for name, unit in self.named_refs:
            if name not in self.named:
                self.fail("Invalid named capture referenced", unit)
        return root

    def quantifier(self, frame: _Frame) -> None:
        c = self.cur()
        qstart = self.pos
        high: int | None
        if c == 0x2A:
            low, high = 0, None
            self.pos += 1
        elif c == 0x2B:
            low, high = 1, None
            self.pos += 1
        elif c == 0x3F:
            low, high = 0, 1
            self.pos += 1
        elif c == 0x7B:
            bounds = self.interval()
            if bounds is None:
                return
            low, top = bounds
            if top < low:
                self.fail("numbers out of order in {} quantifier", qstart)
            high = None if top >= _K_INFINITY else top
        else:
            return
        greedy = True
        if self.cur() == 0x3F:
            greedy = False
            self.pos += 1
        atom = frame.terms[-1]
        if isinstance(atom, Lookaround) and atom.behind:
            self.fail("Invalid quantifier", qstart)
        frame.terms[-1] = Quantifier(start=atom.start, end=self.se(self.pos), body=atom, min=low, max=high,
                                     greedy=greedy)

    def interval(self) -> tuple[int, int] | None:
        """Parse ``{n}``, ``{n,}`` or ``{n,m}`` at the cursor; None (cursor unmoved) when it is not one."""
        start = self.pos
        self.pos += 1
        if not _digit(self.cur()):
            self.pos = start
            return None
        low = self.number()
        if self.cur() == 0x7D:
            self.pos += 1
            return low, low
        if self.cur() != 0x2C:
            self.pos = start
            return None
        self.pos += 1
        if self.cur() == 0x7D:
            self.pos += 1
            return low, _K_INFINITY
        high = self.number()
        if self.cur() != 0x7D:
            self.pos = start
            return None
        self.pos += 1
        return low, high

    def number(self) -> int:
        value = 0
        while _digit(self.cur()):
            d = self.cur() - 0x30
            if value > (_K_INFINITY - d) // 10:
                while _digit(self.cur()):
                    self.pos += 1
                return _K_INFINITY
            value = value * 10 + d
            self.pos += 1
        return value

    # -- groups

    def open(self) -> _Frame:
        start = self.pos
        self.pos += 1
        kind = "capture"
        negative = False
        named = False
        if self.cur() == 0x3F:  # ?
            nxt = self.at(self.pos + 1)
            if nxt == 0x3A:  # :
                kind = "group"
                self.pos += 2
            elif nxt in (0x3D, 0x21):  # = !
                kind, negative = "ahead", nxt == 0x21
                self.pos += 2
            elif nxt == 0x3C:  # <
                after = self.at(self.pos + 2)
                if after in (0x3D, 0x21):
                    kind, negative = "behind", after == 0x21
                    self.pos += 3
                else:
                    named = True
                    self.has_named = True
                    self.pos += 2
            else:
                self.fail("Invalid group", start)
        index: int | None = None
        name: str | None = None
        if kind == "capture":
            if self.captures_started >= _MAX_CAPTURES:
                self.fail("Too many captures", start)
            self.captures_started += 1
            index = self.captures_started
            if named:
                name = self.group_name()
        return _Frame(kind, start, self.pos, index, name, negative)

    def close(self, frame: _Frame) -> Node:
        body = self.body(frame, self.pos)
        self.pos += 1
        start, end = self.so(frame.start), self.se(self.pos)
        if frame.kind == "capture":
            if frame.name is not None:
                if frame.name in self.named:
                    self.fail("Duplicate capture group name", frame.start)
                assert frame.index is not None
                self.named[frame.name] = frame.index
            return Group(start=start, end=end, body=body, index=frame.index, name=frame.name)
        if frame.kind == "group":
            return Group(start=start, end=end, body=body, index=None, name=None)
        return Lookaround(start=start, end=end, body=body, behind=frame.kind == "behind", negative=frame.negative)

    def read_code_point(self) -> int:
        c = self.cur()
        if c == _END:
            return c
        self.pos += 1
        low = self.cur()
        if 0xD800 <= c <= 0xDBFF and 0xDC00 <= low <= 0xDFFF:
            self.pos += 1
            return 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00)
        return c

    def hex_digits(self, count: int) -> int | None:
        value = 0
        for i in range(count):
            d = _hex_value(self.at(self.pos + i))
            if d < 0:
                return None
            value = value * 16 + d
        self.pos += count
        return value

    def forced_unicode_escape(self) -> int | None:
        """After ``\\u`` in a group name, where V8 reads unicode-mode escapes."""
        if self.cur() == 0x7B:
            save = self.pos
            self.pos += 1
            value = 0
            ok = _hex_value(self.cur()) >= 0
            while ok and _hex_value(self.cur()) >= 0:
                value = value * 16 + _hex_value(self.cur())
                if value > 0x10FFFF:
                    ok = False
                    break
                self.pos += 1
            if ok and self.cur() == 0x7D:
                self.pos += 1
                return value
            self.pos = save
            return None
        lead = self.hex_digits(4)
        if lead is not None and 0xD800 <= lead <= 0xDBFF and self.cur() == 0x5C and self.at(self.pos + 1) == 0x75:
            save = self.pos
            self.pos += 2
            trail = self.hex_digits(4)
            if trail is not None and 0xDC00 <= trail <= 0xDFFF:
                return 0x10000 + ((lead - 0xD800) << 10) + (trail - 0xDC00)
            self.pos = save
        return lead

    def group_name(self) -> str:
        """The name after ``(?<`` or ``\\k<``, through the closing ``>``."""
        points: list[int] = []
        while True:
            where = self.pos
            c = self.read_code_point()
            if c == 0x5C and self.cur() == 0x75:  # \u
                self.pos += 1
                escaped = self.forced_unicode_escape()
                if escaped is None:
                    self.fail("Invalid Unicode escape", where)
                c = escaped
            if c == 0x5C:
                self.fail("Invalid capture group name", where)
            if not points:
                if not _id_start(c):
                    self.fail("Invalid capture group name", where)
                points.append(c)
            elif c == 0x3E:  # > (even when escaped, as in V8)
                return "".join(map(chr, points))
            elif _id_part(c):
                points.append(c)
            else:
                self.fail("Invalid capture group name", where)

    # -- escapes

    def scan_for_captures(self, p: int, in_class: bool) -> None:
        """V8's look-ahead for the number of groups and whether any is named, from unit `p` on."""
        count = self.captures_started
        if in_class:
            while self.at(p) != _END:
                c = self.at(p)
                p += 1
                if c == 0x5C:
                    p += 1
                elif c == 0x5D:
                    break
        while self.at(p) != _END:
            c = self.at(p)
            p += 1
            if c == 0x5C:
                p += 1
            elif c == 0x5B:
                while self.at(p) != _END:
                    d = self.at(p)
                    p += 1
                    if d == 0x5C:
                        p += 1
                    elif d == 0x5D:
                        break
            elif c == 0x28:
                if self.at(p) == 0x3F:
                    p += 1
                    if self.at(p) != 0x3C:
                        continue
                    p += 1
                    if self.at(p) in (0x3D, 0x21):
                        continue
                    self.has_named = True
                count += 1
        self.capture_count = count
        self.scanned = True

    def has_named_captures(self, in_class: bool) -> bool:
        if not self.has_named and not self.scanned:
            self.scan_for_captures(self.pos, in_class)
        return self.has_named

    def backreference_index(self) -> int | None:
        value = self.at(self.pos + 1) - 0x30
        p = self.pos + 2
        while _digit(self.at(p)):
            value = value * 10 + self.at(p) - 0x30
            if value > _MAX_CAPTURES:
                return None
            p += 1
        if value > self.captures_started:
            if not self.scanned:
                self.scan_for_captures(p, False)
            if value > self.capture_count:
                return None
        self.pos = p
        return value

    def octal(self) -> int:
        value = self.cur() - 0x30
        self.pos += 1
        if 0x30 <= self.cur() <= 0x37:
            value = value * 8 + self.cur() - 0x30
            self.pos += 1
            if value < 32 and 0x30 <= self.cur() <= 0x37:
                value = value * 8 + self.cur() - 0x30
                self.pos += 1
        return value

    def atom_escape(self, frame: _Frame) -> bool:
        """Parse an escape outside a class; False when it was an assertion (which takes no quantifier)."""
        start = self.pos
        nxt = self.at(start + 1)
        if nxt == _END:
            self.fail("\\ at end of pattern", start)
        if 0x31 <= nxt <= 0x39:
            index = self.backreference_index()
            if index is not None:
                frame.terms.append(Backreference(start=self.so(start), end=self.se(self.pos), index=index, name=None))
                return True
            if nxt >= 0x38:  # \8 \9
                self.pos += 2
                frame.terms.append(self.literal(nxt, start))
                return True
            self.pos += 1
            frame.terms.append(self.literal(self.octal(), start))
            return True
        if nxt == 0x30:
            self.pos += 1
            frame.terms.append(self.literal(self.octal(), start))
            return True
        if nxt in (0x62, 0x42):  # b B
            self.pos += 2
            boundary: Literal["\\b", "\\B"] = "\\b" if nxt == 0x62 else "\\B"
            frame.terms.append(Assertion(start=self.so(start), end=self.se(self.pos), kind=boundary))
            return False
        if nxt in _CLASS_ESCAPES:
            self.pos += 2
            frame.terms.append(CharSet(start=self.so(start), end=self.se(self.pos), ranges=_CLASS_ESCAPES[nxt]))
            return True
        if nxt in (0x70, 0x50):  # \p \P without the u flag
            self.pos += 2
            frame.terms.append(self.literal(nxt, start))
            return True
        if nxt == 0x6B and self.has_named_captures(False):  # \k<name>
            self.pos += 2
            if self.cur() != 0x3C:
                self.fail("Invalid named reference", start)
            self.pos += 1
            name = self.group_name()
            self.named_refs.append((name, start))
            index = self.resolve.get(name, 0) if self.resolve is not None else 0
            frame.terms.append(Backreference(start=self.so(start), end=self.se(self.pos), index=index, name=name))
            return True
        self.pos += 1
        frame.terms.append(self.literal(self.character_escape(False), start))
        return True

    def character_escape(self, in_class: bool) -> int:
        """The code unit of a character escape; the cursor is just after the backslash."""
        c = self.cur()
        simple = {0x66: 0x0C, 0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09, 0x76: 0x0B}
        if c in simple:
            self.pos += 1
            return simple[c]
        if c == 0x63:  # \c
            letter = self.at(self.pos + 1)
            if letter != _END and 0x41 <= (letter & ~0x20) <= 0x5A:
                self.pos += 2
                return letter & 0x1F
            if in_class and (_digit(letter) or letter == 0x5F):
                self.pos += 2
                return letter & 0x1F
            return 0x5C  # a lone backslash; the "c" is read again as a literal
        if c == 0x30 and not _digit(self.at(self.pos + 1)):
            self.pos += 1
            return 0
        if 0x30 <= c <= 0x37:
            return self.octal()
        if c in (0x78, 0x75):  # \xHH \uHHHH, else identity escapes
            self.pos += 1
            value = self.hex_digits(2 if c == 0x78 else 4)
            return c if value is None else value
        if c == 0x6B and self.has_named_captures(in_class):
            self.fail("Invalid escape", self.pos - 1)
        self.pos += 1
        return c

    def class_atom(self, ranges: list[Interval]) -> tuple[int, bool]:
        """One class member: (code unit, False), or (0, True) after adding a class escape's ranges."""
        c = self.cur()
        if c != 0x5C:
            self.pos += 1
            return c, False
        nxt = self.at(self.pos + 1)
        if nxt == 0x62:  # \b is a backspace here
            self.pos += 2
            return 0x08, False
        if nxt == _END:
            self.fail("\\ at end of pattern", self.pos)
        if nxt in _CLASS_ESCAPES:
            ranges.extend(_CLASS_ESCAPES[nxt])
            self.pos += 2
            return 0, True
        self.pos += 1
        return self.character_escape(True), False

    def char_class(self) -> CharSet:
        start = self.pos
        self.pos += 1
        negated = self.cur() == 0x5E
        if negated:
            self.pos += 1
        ranges: list[Interval] = []
        while self.cur() != _END and self.cur() != 0x5D:
            first_at = self.pos
            c1, class1 = self.class_atom(ranges)
            if self.cur() != 0x2D:  # -
                if not class1:
                    ranges.append((c1, c1))
                continue
            self.pos += 1
            if self.cur() == _END:
                break
            if self.cur() == 0x5D:
                if not class1:
                    ranges.append((c1, c1))
                ranges.append((0x2D, 0x2D))
                break
            c2, class2 = self.class_atom(ranges)
            if class1 or class2:
                if not class1:
                    ranges.append((c1, c1))
                ranges.append((0x2D, 0x2D))
                if not class2:
                    ranges.append((c2, c2))
                continue
            if c1 > c2:
                self.fail("Range out of order in character class", first_at)
            ranges.append((c1, c2))
        if self.cur() == _END:
            self.fail("Unterminated character class", start)
        self.pos += 1
        members = _normalize(ranges)
        return CharSet(start=self.so(start), end=self.se(self.pos), ranges=_complement(members) if negated else members)


def parse(source: str) -> Node:
    """The syntax tree of `source` as V8 (Node 22) reads ``new RegExp(source)``; raises `RegexSyntaxError`."""
    parser = _Parser(source, None)
    root = parser.parse()
    if parser.named_refs:  # build again, now knowing which group each name designates
        root = _Parser(source, parser.named).parse()
    return root


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Sequence):
        return node.items
    if isinstance(node, Alternation):
        return node.alternatives
    if isinstance(node, (Group, Lookaround, Quantifier)):
        return (node.body,)
    return ()


def _walk(root: Node) -> Iterable[tuple[Node, tuple[Node, ...]]]:
    """Every node with its ancestors (root first), without recursion."""
    stack: list[tuple[Node, tuple[Node, ...]]] = [(root, ())]
    while stack:
        node, ancestors = stack.pop()
        yield node, ancestors
        inner = (*ancestors, node)
        stack.extend((child, inner) for child in reversed(_children(node)))


# ---------------------------------------------------------------------------------------------------------------------
# Analysis: the prioritised position automaton.

Kind = Literal["linear", "polynomial", "exponential", "unknown"]


@dataclass(frozen=True)
class Complexity:
    """Worst-case cost of ``new RegExp(source).test(value)`` on a backtracking engine, n = len(value).

    `kind` "linear" (degree 0), "polynomial" (Θ(n^(degree+1)), degree ≥ 1), "exponential" (degree -1) or "unknown"
    (degree -1: the analysis gave up, see `note`).  `culprit` is the part of the source responsible, and `attack` is
    (prefix, pump, suffix) such that ``prefix + pump * n + suffix`` exhibits the cost for large n.
    """

    kind: Kind
    degree: int
    culprit: str = ""
    attack: tuple[str, str, str] | None = None
    note: str = ""


class _TooBig(Exception):
    pass


class _Budget:
    """A number of steps; also, as a safety net for steps that cost more than expected, a deadline."""

    def __init__(self, limit: int, deadline: float) -> None:
        self.left = limit
        self.deadline = deadline
        self.check = 0

    def spend(self, amount: int = 1) -> None:
        self.left -= amount
        self.check += amount
        if self.left < 0:
            raise _TooBig("the analysis exceeded its step budget")
        if self.check >= 4096:
            self.check = 0
            if time.monotonic() > self.deadline:
                raise _TooBig(f"the analysis exceeded {DEADLINE} s")


CARET, DOLLAR, WORDB, NWORDB, LOOK = 1, 2, 4, 8, 16  # assertions crossed; LOOK: one that cannot be evaluated
CONDITION_SHIFT = 5  # higher bits, two per lookaround crossed: it must hold; it is only evaluated (QuickJS tries
# a lookaround in an iteration it then rejects for matching empty: that costs, whatever the outcome)
THROUGH, ACCEPT = -1, -2
Entry = tuple[int, int, frozenset[int]]  # (target position / THROUGH / ACCEPT, assertions crossed, loop nodes crossed)
_NONE: frozenset[int] = frozenset()
_EXIT: Entry = (THROUGH, 0, _NONE)
_MAX_ENTRIES = 4000


@dataclass
class _Frag:
    first: list[Entry]  # prioritised ways into the fragment (THROUGH: crossing it without consuming)
    positions: list[int]


def _dedupe(entries: Iterable[Entry]) -> list[Entry]:
    """Keep the first two routes to each (place, assertions): whether there are two is what matters."""
    out: list[Entry] = []
    seen: dict[tuple[int, int], int] = {}
    for entry in entries:
        key = (entry[0], entry[1])
        if seen.get(key, 0) < 2:
            seen[key] = seen.get(key, 0) + 1
            out.append(entry)
    if len(out) > _MAX_ENTRIES:
        raise _TooBig("too many routes between positions")
    return out


def _splice(entries: list[Entry], repl: list[Entry], extra: frozenset[int], after_input: bool) -> list[Entry]:
    """Replace THROUGH entries by `repl`, keeping priorities; drop routes that cannot happen."""
    out: list[Entry] = []
    for target, mask, loops in entries:
        if target != THROUGH:
            out.append((target, mask, loops))
            continue
        for target2, mask2, loops2 in repl:
            both = mask | mask2
            if target2 >= 0 and both & DOLLAR:
                continue  # `$` then more input
            if after_input and both & CARET:
                continue  # `^` after some input
            out.append((target2, both, loops | loops2 | extra))
    return _dedupe(out)


@dataclass(frozen=True)
class _Condition:
    """A lookaround crossed as an assertion: one character next to the offset (`chars`), or a whole body."""

    ahead: bool  # in the automaton's reading direction
    negative: bool
    chars: tuple[Interval, ...] | None
    node: Lookaround | None


class _Text:
    """A concrete input (code units), complete or only a prefix of the input, with evaluations cached.  With a
    `meter`, lookarounds are evaluated by backtracking searches whose steps are charged to it."""

    def __init__(self, units: list[int], complete: bool, meter: list[int] | None = None) -> None:
        self.units = units
        self.complete = complete
        self.meter = meter
        self.atoms: dict[int, list[int]] = {}
        self.memo: dict[tuple[int, int, int], int] = {}
        self.costs: dict[tuple[int, int, int], int] = {}
        self.backwards: _Text | None = None
        self.work = [0]  # steps actually taken (shared with the reversed text)

    def reversed(self) -> _Text:
        """The same text read backwards (offset i here is offset len - i there)."""
        if self.backwards is None:
            self.backwards = _Text(self.units[::-1], self.complete, self.meter)
            self.backwards.backwards = self
            self.backwards.work = self.work
        return self.backwards


class _Exhausted(Exception):
    """A measured search ran out of steps."""


class _Builder:
    """Builds the position automaton of a tree: labels of positions and their prioritised continuations."""

    def __init__(self, groups: dict[int, Group], budget: _Budget, target: Lookaround | None = None,
                 ancestors: frozenset[int] = _NONE, reverse: bool = False, base: tuple[Node, ...] = ()) -> None:
        self.groups = groups
        self.budget = budget
        self.target = target
        self.ancestors = ancestors
        self.reverse = reverse
        self.labels: list[tuple[Interval, ...]] = []
        self.chains: list[tuple[int, ...]] = []  # ids of the tree nodes above each position, root first
        self.cont: list[list[Entry]] = []
        self.nodes: dict[int, Node] = {id(node): node for node in base}
        self.node_chain: dict[int, tuple[int, ...]] = {}
        self.stack: list[int] = [id(node) for node in base]
        self.conditions: list[_Condition] = []
        self.approximated: set[int] = set()  # marks (-id) of loops standing for large bounds
        self.condition_keys: dict[Hashable, int] = {}
        self.copy_of: int | None = None  # inside a backreference's copy of a group: that backreference's id
        self.copy_depth = 0

    def build(self, node: Node) -> _Frag:
        self.budget.spend()
        if self.copy_of is not None:
            return self.build_node(node)
        self.stack.append(id(node))
        self.nodes[id(node)] = node
        self.node_chain[id(node)] = tuple(self.stack)
        try:
            return self.build_node(node)
        finally:
            self.stack.pop()

    def owner(self, node: Node) -> int:
        return self.copy_of if self.copy_of is not None else id(node)

    def build_node(self, node: Node) -> _Frag:
        if isinstance(node, CharSet):
            p = len(self.labels)
            if p >= MAX_POSITIONS:
                raise _TooBig(f"more than {MAX_POSITIONS} positions")
            self.labels.append(node.ranges)
            self.chains.append(tuple(self.stack))
            self.cont.append([_EXIT])
            return _Frag([(p, 0, _NONE)], [p])
        if isinstance(node, Empty):
            return _Frag([_EXIT], [])
        if isinstance(node, Assertion):
            kind = node.kind
            if self.reverse and kind in ("^", "$"):
                kind = "$" if kind == "^" else "^"
            bit = {"^": CARET, "$": DOLLAR, "\\b": WORDB, "\\B": NWORDB}[kind]
            return _Frag([(THROUGH, bit, _NONE)], [])
        if isinstance(node, Sequence):
            items = list(reversed(node.items)) if self.reverse else list(node.items)
            frag = self.build(items[0])
            for item in items[1:]:
                frag = self.seq(frag, self.build(item), _NONE)
            return frag
        if isinstance(node, Alternation):
            first: list[Entry] = []
            positions: list[int] = []
            for alternative in node.alternatives:
                part = self.build(alternative)
                first += part.first
                positions += part.positions
            return _Frag(_dedupe(first), positions)
        if isinstance(node, Group):
            return self.build(node.body)
        if isinstance(node, Lookaround):
            if self.copy_of is None and (node is self.target or id(node) in self.ancestors):
                # Its body, whose search ends when it matches, then (lower priority) the route passing it.
                body = self.seq(self.build(node.body), _Frag([(ACCEPT, 0, _NONE)], []), _NONE)
                return _Frag(_dedupe(body.first + self.lookaround(node).first), body.positions)
            return self.lookaround(node)
        if isinstance(node, Backreference):
            return self.backreference(node)
        assert isinstance(node, Quantifier)
        return self.quantifier(node)

    def lookaround(self, node: Lookaround) -> _Frag:
        """A lookaround crossed without reading its body: a condition, evaluated on actual text when simulating."""
        body = node.body
        while isinstance(body, Group):
            body = body.body
        if isinstance(body, Empty):
            return _Frag([] if node.negative else [_EXIT], [])
        ahead = (not node.behind) != self.reverse
        if isinstance(body, CharSet):
            key: Hashable = (ahead, node.negative, body.ranges)
            condition = _Condition(ahead, node.negative, body.ranges, None)
        else:
            key, condition = id(node), _Condition(ahead, node.negative, None, node)
        if key not in self.condition_keys:
            self.condition_keys[key] = len(self.conditions)
            self.conditions.append(condition)
        return _Frag([(THROUGH, 1 << (CONDITION_SHIFT + 2 * self.condition_keys[key]), _NONE)], [])

    def backreference(self, node: Backreference) -> _Frag:
        group = self.groups.get(node.index)
        if group is None or self.copy_depth >= 3:
            return _Frag([_EXIT], [])
        before = group.start >= node.end if self.reverse else group.end <= node.start
        if not before:  # not matched yet (or the reference is inside it): the reference matches empty
            return _Frag([_EXIT], [])
        saved = self.copy_of
        self.copy_of = saved if saved is not None else id(node)
        self.copy_depth += 1
        try:
            frag = self.build_node(group.body)
        finally:
            self.copy_depth -= 1
            self.copy_of = saved
        # The copy reads what the group could match, not what it did: getting through it is never certain.
        for p in frag.positions:
            self.cont[p] = [(t, m | LOOK, loops) if t == THROUGH else (t, m, loops) for t, m, loops in self.cont[p]]
        return _Frag([(t, m | LOOK, loops) if t == THROUGH else (t, m, loops) for t, m, loops in frag.first],
                     frag.positions)

    def seq(self, a: _Frag, b: _Frag, extra: frozenset[int]) -> _Frag:
        for p in a.positions:
            self.cont[p] = _splice(self.cont[p], b.first, extra, True)
        self.budget.spend(len(a.positions))
        return _Frag(_splice(a.first, b.first, extra, False), a.positions + b.positions)

    def loop(self, frag: _Frag, greedy: bool, owner: int, plus: bool, approximate: bool) -> _Frag:
        # Going round a loop that stands for a large bound is marked (-owner): the simulation then doubts any
        # match found afterwards, since the real bound may forbid it.
        marks = frozenset({owner, -owner}) if approximate else frozenset({owner})
        again = [(t, m, loops | marks) for t, m, loops in frag.first if t != THROUGH]
        repl = [*again, _EXIT] if greedy else [_EXIT, *again]
        for p in frag.positions:
            self.cont[p] = _splice(self.cont[p], repl, _NONE, True)
        self.budget.spend(len(frag.positions))
        return frag if plus else self.optional(frag, greedy)

    @staticmethod
    def optional(frag: _Frag, greedy: bool) -> _Frag:
        # An optional iteration that matches empty fails in JavaScript: only the skip is an empty route.  V8 does
        # not even try a lookaround there; QuickJS evaluates it first, which costs: the skip keeps that cost.
        inside = [e for e in frag.first if e[0] != THROUGH]
        looks = 0
        for target, mask, _ in frag.first:
            if target == THROUGH:
                looks |= mask >> CONDITION_SHIFT
        evaluated = 0
        bit = 0
        while looks >> bit:
            if looks >> bit & 3:
                evaluated |= 2 << bit
            bit += 2
        skip = (THROUGH, evaluated << CONDITION_SHIFT, _NONE) if evaluated else _EXIT
        return _Frag([*inside, skip] if greedy else [skip, *inside], frag.positions)

    def quantifier(self, node: Quantifier) -> _Frag:
        low, high = node.min, node.max
        if high == 0:
            return _Frag([_EXIT], [])
        owner = self.owner(node)
        mark = frozenset({owner})
        parts: list[_Frag] = []
        if high is None or high > COPY_LIMIT:
            mandatory = min(low, COPY_LIMIT)
            approximate = high is not None or low > COPY_LIMIT
            if self.copy_of is None and approximate:
                self.approximated.add(-owner)
            if mandatory == 0:
                parts.append(self.loop(self.build(node.body), node.greedy, owner, False, approximate))
            else:
                parts += [self.build(node.body) for _ in range(mandatory - 1)]
                parts.append(self.loop(self.build(node.body), node.greedy, owner, True, approximate))
            if low > COPY_LIMIT:  # leaving after fewer iterations than required is doubtful too
                last = parts[-1]
                doubt = frozenset({-owner})
                for p in last.positions:
                    self.cont[p] = [(t, m, loops | doubt) if t == THROUGH else (t, m, loops)
                                    for t, m, loops in self.cont[p]]
        else:
            parts += [self.build(node.body) for _ in range(low)]
            if high > low:
                tail = self.optional(self.build(node.body), node.greedy)
                for _ in range(high - low - 1):
                    tail = self.optional(self.seq(self.build(node.body), tail, mark), node.greedy)
                parts.append(tail)
        if self.reverse:
            parts.reverse()
        frag = parts[0]
        for part in parts[1:]:
            frag = self.seq(frag, part, mark)
        return frag


class _Automaton:
    """Epsilon-free, prioritised automaton: state 0 starts at offset 0, state 1 is the retry at later offsets
    (lowest priority, any code unit), state p + 2 is position p.  Labels are bit sets over alphabet atoms."""

    def __init__(self, builder: _Builder, root: _Frag, budget: _Budget) -> None:
        self.builder = builder
        self.budget = budget
        accept = [(ACCEPT, 0, _NONE)]
        first = _splice(root.first, accept, _NONE, False)
        conts = [_splice(c, accept, _NONE, True) for c in builder.cont]
        size = len(builder.labels) + 2
        self.size = size

        cuts = {0, 0x10000}
        for ranges in [*builder.labels, WORD, *(c.chars for c in builder.conditions if c.chars is not None)]:
            for lo, hi in ranges:
                cuts.update((lo, hi + 1))
        bounds = sorted(cuts)
        self.atoms: list[Interval] = [(bounds[i], bounds[i + 1] - 1) for i in range(len(bounds) - 1)]
        self.atom_char = [_representative(lo, hi) for lo, hi in self.atoms]
        self.atom_score = [_score(c) for c in self.atom_char]
        self.atom_word = [_inside(lo, WORD) for lo, _ in self.atoms]
        self.by_score = sorted(range(len(self.atoms)), key=lambda a: (self.atom_score[a], a))
        self.all_bits = (1 << len(self.atoms)) - 1
        self.label = [0, self.all_bits] + [self.bits(ranges) for ranges in builder.labels]
        self.starts = [lo for lo, _ in self.atoms]
        self.conditions = builder.conditions
        self.condition_bits = [self.bits(c.chars) if c.chars is not None else 0 for c in builder.conditions]
        self.bodies: dict[int, _Automaton] = {}
        self.doubtful = frozenset(builder.approximated)
        self.trusting = False  # when set, searches accept matches found after going round approximated loops

        def shift(entries: list[Entry], caret_ok: bool) -> list[Entry]:
            return [(t + 2 if t >= 0 else t, m, loops) for t, m, loops in entries if caret_ok or not m & CARET]

        self.succ: list[list[Entry]] = [
            [*shift(first, True), (1, 0, _NONE)],
            [*shift(first, False), (1, 0, _NONE)],
            *(shift(c, False) for c in conts),
        ]
        self.doubts = [[int(bool(loops & self.doubtful)) for _, _, loops in entries] for entries in self.succ]
        # The static graph (assertions other than ^ and $ assumed passable): how many routes, through which loops.
        self.edges: list[dict[int, tuple[int, frozenset[int]]]] = []
        for entries in self.succ:
            out: dict[int, tuple[int, frozenset[int]]] = {}
            for t, _, loops in entries:
                if t >= 0:
                    count, seen = out.get(t, (0, _NONE))
                    out[t] = (count + 1, seen | loops)
            self.edges.append(out)

    def bits(self, ranges: tuple[Interval, ...]) -> int:
        value = 0
        for i, (lo, _hi) in enumerate(self.atoms):
            if _inside(lo, ranges):
                value |= 1 << i
        return value

    # -- simulation of all paths, with assertions evaluated on actual atoms (-1: no character).  Assertions are
    # three-valued: 1 holds, 0 fails, -1 unknown (a lookaround that cannot be evaluated on what is known).

    def holds(self, mask: int, index: int, prev: int, nxt: int, text: _Text | None = None) -> int:
        """Whether the assertions crossed hold.  Their order is not recorded: as they usually come, `^` is tried
        first, then lookarounds (whose evaluation costs), then `$`, `\\b` and `\\B`."""
        if mask & CARET and index != 0:
            return 0
        verdict = -1 if mask & LOOK else 1
        conditions = mask >> CONDITION_SHIFT
        number = 0
        while conditions:
            if conditions & 3 == 2 and self.conditions[number].chars is None and text is not None \
                    and text.meter is not None:
                self.lookaround(number, index, text)  # only its cost matters
            if conditions & 1:
                condition = self.conditions[number]
                if condition.chars is not None:
                    atom = nxt if condition.ahead else prev
                    inside = atom >= 0 and self.condition_bits[number] >> atom & 1 == 1
                    if inside == condition.negative:
                        return 0
                else:
                    result = self.lookaround(number, index, text)
                    if result == 0:
                        return 0
                    if result < 0:
                        verdict = -1
            conditions >>= 2
            number += 1
        if mask & DOLLAR and nxt >= 0:
            return 0
        if mask & (WORDB | NWORDB):
            a = prev >= 0 and self.atom_word[prev]
            b = nxt >= 0 and self.atom_word[nxt]
            if (mask & WORDB and a == b) or (mask & NWORDB and a != b):
                return 0
        return verdict

    def lookaround(self, number: int, index: int, text: _Text | None) -> int:
        """Whether the lookaround (a whole body) succeeds at `index` of `text`."""
        node = self.conditions[number].node
        if text is None or node is None:
            return -1
        key = (id(self), number, index)
        meter = text.meter
        if key in text.memo:
            if meter is not None:  # an engine evaluates it again: charge its cost again
                meter[0] -= text.costs[key]
                if meter[0] < 0:
                    raise _Exhausted
            return text.memo[key]
        if number not in self.bodies:
            builder = _Builder(self.builder.groups, self.budget, reverse=node.behind)
            self.bodies[number] = _Automaton(builder, builder.build(node.body), self.budget)
        body = self.bodies[number]
        # Offsets count in this automaton's reading direction; the body reads in its own.
        source = text.reversed() if node.behind != self.builder.reverse else text
        start = len(text.units) - index if node.behind != self.builder.reverse else index
        body.trusting = self.trusting
        if meter is not None:
            before = meter[0]
            found = int(body.search(source, start, anchored=True))
            text.costs[key] = before - meter[0]
        else:
            found = body.matches_from(source, start)
        text.memo[key] = 1 - found if node.negative and found >= 0 else found
        return text.memo[key]

    def search(self, text: _Text, start: int = 0, anchored: bool = False) -> bool:
        """Backtracking search from offset `start` in priority order, as the engines run it (unless `anchored`,
        retrying at later offsets): True at the first match.  Each step is charged to `text.meter`."""
        assert text.meter is not None
        meter = text.meter
        atoms = self.atoms_of(text)
        size = len(atoms)
        succ, label, doubts = self.succ, self.label, self.doubts
        stack = [[0, start, 0, 0]]  # state, offset, next entry to try, doubt
        work = text.work
        while stack:
            work[0] += 1
            frame = stack[-1]
            state, i, k, doubt = frame
            entries = succ[state]
            if k == len(entries):
                stack.pop()
                continue
            frame[2] = k + 1
            meter[0] -= 1
            if meter[0] < 0:
                raise _Exhausted
            target, mask, _ = entries[k]
            nxt = atoms[i] if i < size else -1
            doubtful = 0 if self.trusting else doubt or doubts[state][k]
            if target == ACCEPT:
                if not doubtful and (mask == 0 or self.holds(mask, i, atoms[i - 1] if i else -1, nxt, text) == 1):
                    return True
            elif target == 1 and anchored:
                continue
            elif mask == 0:
                if nxt >= 0 and label[target] >> nxt & 1:
                    stack.append([target, i + 1, 0, doubtful])
            elif self.holds(mask, i, atoms[i - 1] if i else -1, nxt, text) and nxt >= 0 and label[target] >> nxt & 1:
                # (a lookaround is evaluated before the character after it is looked at, as engines do)
                stack.append([target, i + 1, 0, doubtful])
        return False

    def measure(self, units: list[int], cap: int, budget: _Budget) -> int:
        """Steps of a backtracking `.test()` on `units` (cap + 1 when it takes more than `cap`)."""
        text = _Text(units, True, [cap])
        try:
            self.search(text)
        except _Exhausted:
            return cap + 1
        finally:
            budget.spend(text.work[0])
        return cap - (text.meter or [0])[0]

    def atoms_of(self, text: _Text) -> list[int]:
        if id(self) not in text.atoms:
            text.atoms[id(self)] = [bisect_right(self.starts, unit) - 1 for unit in text.units]
        return text.atoms[id(self)]

    def matches_from(self, text: _Text, start: int) -> int:
        """Whether some match starts at `start` (three-valued)."""
        atoms = self.atoms_of(text)
        current = {0}
        prev = atoms[start - 1] if start > 0 else -1
        unsure = False
        for i in range(start, len(atoms) + 1):
            if i == len(atoms) and not text.complete:
                return -1
            nxt = atoms[i] if i < len(atoms) else -1
            verdict = self.accepting(current, i, prev, nxt, text)
            if verdict == 1:
                return 1
            unsure = unsure or verdict < 0
            if i == len(atoms):
                break
            current = self.step(current, i, prev, nxt, text)
            if not current:
                break
            prev = nxt
        return -1 if unsure else 0

    # Simulations work on configurations: state << 1 | doubt, where doubt records a path that went round a loop
    # standing for a large bound (its matches may be impossible in reality, so they are not trusted).

    def accepting(self, configs: Iterable[int], index: int, prev: int, nxt: int, text: _Text | None = None) -> int:
        verdict = 0
        for config in configs:
            self.budget.spend(len(self.succ[config >> 1]))
            for t, m, loops in self.succ[config >> 1]:
                if t == ACCEPT:
                    held = self.holds(m, index, prev, nxt, text)
                    if held == 1 and (config & 1 or loops & self.doubtful):
                        held = -1
                    if held == 1:
                        return 1
                    verdict = verdict or held
        return verdict

    def step(self, configs: Iterable[int], index: int, prev: int, atom: int, text: _Text | None = None) -> set[int]:
        out: set[int] = set()
        for config in configs:
            self.budget.spend(len(self.succ[config >> 1]))
            for t, m, loops in self.succ[config >> 1]:
                if t >= 2 and self.label[t] >> atom & 1 and self.holds(m, index, prev, atom, text):
                    out.add(t << 1 | (config & 1 or bool(loops & self.doubtful)))
        return out

    def text(self, word: list[int], complete: bool) -> _Text:
        return _Text([self.atom_char[atom] for atom in word], complete)

    def run(self, configs: Iterable[int], word: list[int], start: int, stop: int | None = None,
            spawn_until: int = -1, check_end: bool = True) -> set[int] | None:
        """Read word[start:stop] from `configs`, starting a new match at each offset <= spawn_until; None once a path
        surely accepts.  Acceptance is checked at every offset from start to stop, where the character after the
        offset is known; at the end of `word` that is the end of the input only when `check_end`."""
        end = len(word) if stop is None else stop
        text = self.text(word, check_end)
        current = set(configs)
        prev = word[start - 1] if start > 0 else -1
        for i in range(start, end + 1):
            if i <= spawn_until:
                current.add(0)
            nxt = word[i] if i < len(word) else -1
            if (nxt >= 0 or check_end) and self.accepting(current, i, prev, nxt, text) == 1:
                return None
            if i == end:
                break
            current = self.step(current, i, prev, nxt, text)
            prev = nxt
        return current


def _inside(unit: int, ranges: tuple[Interval, ...]) -> bool:
    return any(lo <= unit <= hi for lo, hi in ranges)


def _representative(lo: int, hi: int) -> int:
    preferred = ((0x61, 0x7A), (0x30, 0x39), (0x41, 0x5A), (0x21, 0x7E), (0x20, 0x20), (0xA1, 0xD7FF), (0xE000, 0xFFFF))
    for a, b in preferred:
        if lo <= b and hi >= a:
            return max(lo, a)
    return lo


def _score(c: int) -> int:
    if 0x61 <= c <= 0x7A:
        return 0
    if 0x30 <= c <= 0x39:
        return 1
    if 0x41 <= c <= 0x5A:
        return 2
    if 0x20 <= c <= 0x7E:
        return 3
    if c in (0x09, 0x0A):
        return 4
    if c < 0x20 or 0xD800 <= c <= 0xDFFF:
        return 6
    return 5


N = TypeVar("N")


def _sccs(nodes: Iterable[N], succ: Callable[[N], Iterable[N]], budget: _Budget) -> list[list[N]]:
    """Strongly connected components (Tarjan, iterative)."""
    index: dict[N, int] = {}
    low: dict[N, int] = {}
    on_stack: set[N] = set()
    stack: list[N] = []
    out: list[list[N]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work: list[tuple[N, list[N]]] = [(root, list(succ(root)))]
        while work:
            node, todo = work[-1]
            budget.spend()
            if todo:
                child = todo.pop()
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, list(succ(child))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[N] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(component)
    return out


@dataclass
class _Finding:
    kind: Kind
    degree: int
    head: int  # the state where pumping starts (1: the retry state)
    steps: list[int]  # the pump: for each character, the atoms (bit set) it may be
    states: set[int]  # states on the witnessing paths, for the culprit
    loops: set[int]  # loop nodes on them
    chain: list[int]  # polynomial: the chain of states, whose links the pump must keep
    words: list[list[int]]  # polynomial: for each link, a word (atom bit sets) that keeps it
    bounded: bool = False  # pumping goes round a loop standing for a large bound every time


class _Analysis:
    def __init__(self, automaton: _Automaton, budget: _Budget, judge: _Automaton, reverse: bool,
                 meter: _Budget) -> None:
        self.a = automaton
        self.budget = budget
        self.meter = meter  # steps of measured searches
        self.measured: dict[tuple[bool | int, ...], int] = {}
        self.judge = judge  # the automaton of the whole pattern, on which attacks are measured
        self.reverse = reverse  # the automaton reads backwards (a lookbehind body)
        a = automaton
        reach = {0}
        queue = deque([0])
        while queue:
            s = queue.popleft()
            for t in a.edges[s]:
                if t not in reach:
                    reach.add(t)
                    queue.append(t)
        self.reach = reach
        # The states that may be pumped.  One with a route to a match is kept: a loop of higher priority may run
        # before that route is tried (the measured search decides).
        self.live = reach - {0}
        self.gsucc: dict[int, dict[int, tuple[int, frozenset[int]]]] = {
            s: {t: v for t, v in a.edges[s].items() if t in self.live} for s in self.live
        }
        self.comp: dict[int, int] = {}
        self.cyclic: list[list[int]] = []
        for number, component in enumerate(_sccs(sorted(self.live), lambda s: self.gsucc[s], budget)):
            for s in component:
                self.comp[s] = number
            if len(component) > 1 or component[0] in self.gsucc[component[0]]:
                self.cyclic.append(sorted(component))

        # Orders in which to try characters: first those read by the fewest positions (least likely to lead
        # anywhere else; non-word ones first, as they make \b fail), then the most readable ones.
        tested = [*a.label[2:], *a.condition_bits]  # (characters one-character lookarounds test count too)
        count = [sum(1 for label in tested if label >> atom & 1) for atom in range(len(a.atoms))]
        self.orders = [sorted(a.by_score, key=lambda atom: (count[atom], a.atom_word[atom], a.atom_score[atom])),
                       a.by_score]

    def pick(self, bits: int, order: int = 0) -> int:
        for atom in self.orders[order]:
            if bits >> atom & 1:
                return atom
        raise AssertionError("empty label")

    # -- exponential: two different paths from q back to q over one word

    def exponential(self) -> Iterable[_Finding]:
        for component in self.cyclic:
            yield from self.exponential_in(set(component))

    def exponential_in(self, members: set[int]) -> Iterable[_Finding]:
        a = self.a
        Pair = tuple[int, int]

        def pair_succ(node: Pair) -> list[Pair]:
            x, y = node
            out: list[Pair] = []
            for x2 in self.gsucc[x]:
                if x2 in members:
                    for y2 in self.gsucc[y]:
                        self.budget.spend()
                        if y2 in members and a.label[x2] & a.label[y2]:
                            out.append((x2, y2))
            return out

        seen: set[Pair] = {(q, q) for q in members}
        queue: deque[Pair] = deque(sorted(seen))
        while queue:
            for nxt in pair_succ(queue.popleft()):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        for pcomp in _sccs(sorted(seen), pair_succ, self.budget):
            inside = set(pcomp)
            diagonal = sorted(p for p in pcomp if p[0] == p[1])
            if not diagonal:
                continue
            off = sorted(p for p in pcomp if p[0] != p[1])
            # Parallel transitions (two routes between the same positions) split a path without leaving the diagonal.
            parallel = [(p, (t, t)) for p in diagonal for t in self.gsucc[p[0]]
                        if (t, t) in inside and self.gsucc[p[0]][t][0] >= 2]
            if not off and not parallel:
                continue
            # Cycles through a few different off-diagonal pairs, those whose states read more characters first.
            via = sorted(off, key=lambda p: -(a.label[p[0]] & a.label[p[1]]).bit_count())[:3]
            for (q, _), split in itertools.product(diagonal[:4], [None, *via]):
                nodes = self.pair_cycle((q, q), inside, split, parallel, pair_succ)
                if nodes is None:
                    continue
                steps = [a.label[x] & a.label[y] for x, y in nodes[1:]]
                states = {x for x, _ in nodes} | {y for _, y in nodes}
                loops: set[int] = set()
                for (x, y), (x2, y2) in itertools.pairwise(nodes):
                    loops |= a.edges[x][x2][1] | a.edges[y][y2][1]
                # (on a cycle through parallel transitions, each side takes its own one)
                split_at = next((i for i, (x, y) in enumerate(nodes) if x == y and i + 1 < len(nodes)
                                 and nodes[i + 1][0] == nodes[i + 1][1] and split is None
                                 and self.gsucc[x].get(nodes[i + 1][0], (0, _NONE))[0] >= 2), -1)
                bounded = all(self.approximate_round([pair[side] for pair in nodes], split_at, side) for side in (0, 1))
                yield _Finding("exponential", EXPONENTIAL, q, steps, states, loops, [], [], bounded)

    def approximate_round(self, path: list[int], split_at: int = -1, side: int = 0) -> bool:
        """Whether a path has to go round a loop that stands for a large bound (at step `split_at`, through the
        parallel transition numbered `side`)."""
        for i, (s, t) in enumerate(itertools.pairwise(path)):
            marks = [frozenset(m for m in loops if m < 0) for target, _, loops in self.a.succ[s] if target == t]
            if i == split_at and side < len(marks):
                if marks[side]:
                    return True
            elif marks and frozenset.intersection(*marks):
                return True
        return False

    def pair_cycle(self, start: tuple[int, int], inside: set[tuple[int, int]], via: tuple[int, int] | None,
                   parallel: list[tuple[tuple[int, int], tuple[int, int]]],
                   pair_succ: Callable[[tuple[int, int]], list[tuple[int, int]]]) -> list[tuple[int, int]] | None:
        """Pairs along a cycle from `start` back to itself that splits: through the off-diagonal pair `via`, or
        (None) along parallel transitions."""
        Pair = tuple[int, int]

        def path(src: Pair, goal: Callable[[Pair], bool]) -> list[Pair] | None:
            parent: dict[Pair, Pair | None] = {src: None}
            queue = deque([src])
            while queue:
                node = queue.popleft()
                for nxt in pair_succ(node):
                    if nxt in inside and nxt not in parent:
                        parent[nxt] = node
                        if goal(nxt):
                            out = [nxt]
                            back = parent[nxt]
                            while back is not None:
                                out.append(back)
                                back = parent[back]
                            return out[::-1]
                        queue.append(nxt)
            return None

        if via is not None:
            there = path(start, lambda p: p == via)
            back = path(via, lambda p: p == start) if there is not None else None
            return there + back[1:] if there is not None and back is not None else None
        if not parallel:
            return None
        src, dst = min(parallel, key=lambda edge: (edge[0] != start, edge[1] != start))
        to_src = [start] if src == start else path(start, lambda p: p == src)
        from_dst = [start] if dst == start else path(dst, lambda p: p == start)
        if to_src is None or from_dst is None:
            return None
        return to_src + from_dst

    # -- polynomial: chains p1 → p2 → … with p→p, p→q, q→q over one word for each link

    def links(self) -> dict[int, dict[int, tuple[list[int], set[int], set[int], bool]]]:
        a = self.a
        cyclic_states = [s for component in self.cyclic for s in component]
        members = {s: {t for t in cyclic_states if self.comp[t] == self.comp[s]} for s in cyclic_states}
        backward: dict[int, set[int]] = {s: set() for s in self.live}
        for s in self.live:
            for t in self.gsucc[s]:
                backward[t].add(s)

        def closure(s: int, edges: Callable[[int], Iterable[int]]) -> set[int]:
            seen = {s}
            queue = deque([s])
            while queue:
                for t in edges(queue.popleft()):
                    self.budget.spend()
                    if t not in seen:
                        seen.add(t)
                        queue.append(t)
            return seen

        forward = {s: closure(s, lambda x: self.gsucc[x]) for s in cyclic_states}
        coreach = {s: closure(s, lambda x: backward[x]) for s in cyclic_states}
        out: dict[int, dict[int, tuple[list[int], set[int], set[int], bool]]] = {}
        for p in cyclic_states:
            for q in cyclic_states:
                if self.comp[p] != self.comp[q] and q in forward[p]:
                    trail = self.triple_path(p, q, members[p], forward[p] & coreach[q], members[q])
                    if trail is None:
                        continue
                    word = [a.label[x] & a.label[y] & a.label[z] for x, y, z in trail[1:]]
                    states = {s for triple in trail for s in triple}
                    loops: set[int] = set()
                    for t1, t2 in itertools.pairwise(trail):
                        for i in range(3):
                            loops |= a.edges[t1[i]][t2[i]][1]
                    bounded = any(self.approximate_round([triple[i] for triple in trail]) for i in (0, 2))
                    out.setdefault(p, {})[q] = (word, states, loops, bounded)
        return out

    def triple_path(self, p: int, q: int, first: set[int], middle: set[int], last: set[int]
                    ) -> list[tuple[int, int, int]] | None:
        """Triples from (p, p, q) to (p, q, q): paths p→p, p→q and q→q reading one word."""
        a = self.a
        Triple = tuple[int, int, int]
        src: Triple = (p, p, q)
        goal: Triple = (p, q, q)
        parent: dict[Triple, Triple | None] = {src: None}
        queue: deque[Triple] = deque([src])
        while queue and goal not in parent:
            node = queue.popleft()
            x, y, z = node
            for x2 in self.gsucc[x]:
                if x2 not in first:
                    continue
                for y2 in self.gsucc[y]:
                    both = a.label[x2] & a.label[y2]
                    if y2 not in middle or not both:
                        continue
                    for z2 in self.gsucc[z]:
                        self.budget.spend()
                        nxt = (x2, y2, z2)
                        if z2 in last and both & a.label[z2] and nxt not in parent:
                            parent[nxt] = node
                            queue.append(nxt)
        if goal not in parent:
            return None
        trail = [goal]
        back = parent[goal]
        while back is not None:
            trail.append(back)
            back = parent[back]
        return trail[::-1]

    def polynomial(self) -> Iterable[_Finding]:
        links = self.links()
        best: dict[int, int] = {}

        def longest(p: int, visiting: frozenset[int]) -> int:
            if p not in best:
                best[p] = 1 + max((longest(q, visiting | {p}) for q in links.get(p, {}) if q not in visiting),
                                  default=0)
            return best[p]

        for p in links:
            longest(p, frozenset())
        chains: list[list[int]] = []

        def extend(chain: list[int]) -> None:
            if len(chains) >= 40:
                return
            nexts = sorted((q for q in links.get(chain[-1], {}) if q not in chain), key=lambda q: -best.get(q, 1))
            if not nexts:
                chains.append(chain)
            for q in nexts[:3]:
                extend([*chain, q])

        for p in sorted(links, key=lambda p: -best[p]):
            extend([p])
        candidates: dict[tuple[int, ...], None] = {}
        for chain in chains:
            for length in range(len(chain), 1, -1):
                candidates[tuple(chain[:length])] = None
        for candidate in sorted(candidates, key=len, reverse=True):
            pump: list[int] = []
            words: list[list[int]] = []
            states: set[int] = set()
            loops: set[int] = set()
            bounded = False
            for p, q in itertools.pairwise(candidate):
                word, on_path, on_loops, on_bounded = links[p][q]
                pump += word
                words.append(word)
                states |= on_path
                loops |= on_loops
                bounded = bounded or on_bounded
            yield _Finding("polynomial", len(candidate) - 1, candidate[0], pump, states, loops, list(candidate),
                           words, bounded)

    def chain_link(self, p: int, q: int, word: list[int]) -> bool:
        def reads(src: int) -> set[int]:
            current = {src}
            for atom in word:
                self.budget.spend(len(current))
                current = {t for s in current for t in self.gsucc[s] if self.a.label[t] >> atom & 1}
            return current

        from_p = reads(p)
        return p in from_p and q in from_p and q in reads(q)

    # -- witnesses: confirm a finding by measuring an attack on the backtracking search

    def prefix(self, head: int, pump: list[int], choice: int) -> list[int] | None:
        """The word of a shortest path of states 0 → head.  Its characters are, by `choice`: the pump's where
        possible (0), ones no higher-priority branch reads (1), or the least common ones (2)."""
        a = self.a
        for allowed in (self.live, self.reach):
            parent: dict[int, tuple[int, int] | None] = {0: None}
            queue = deque([0])
            while queue and head not in parent:
                s = queue.popleft()
                for t in a.edges[s]:
                    if t in allowed and t != 1 and t not in parent:
                        parent[t] = (s, self.entering_atom(s, t, pump, choice))
                        queue.append(t)
            if head in parent:
                word: list[int] = []
                step = parent[head]
                while step is not None:
                    word.append(step[1])
                    step = parent[step[0]]
                return word[::-1]
        return None

    def entering_atom(self, s: int, t: int, pump: list[int], choice: int) -> int:
        a = self.a
        if choice == 0:
            for atom in pump:
                if a.label[t] >> atom & 1:
                    return atom
            return self.pick(a.label[t], 1)
        if choice == 2:
            return self.pick(a.label[t], 0)
        blocked = 0
        for target, _, _ in a.succ[s]:
            if target == t:
                break
            if target >= 2:
                blocked |= a.label[target]
        return self.pick(a.label[t] & ~blocked or a.label[t], 1)

    def cycle(self, initial: set[int], prefix: list[int], pump: list[int], spawning: bool) -> tuple[int, int] | None:
        """(k0, period): the state sets after prefix + pump * k repeat from k0 on with this period."""
        word = prefix + pump * 41
        index = len(prefix) if not spawning else 0
        current = set(initial)
        seen: dict[frozenset[int], int] = {}
        for k in range(41):
            key = frozenset(current)
            if key in seen:
                return seen[key], k - seen[key]
            seen[key] = k
            stop = index + len(pump)
            after = self.a.run(current, word, index, stop, stop - 1 if spawning else -1)
            if after is None:
                return None
            current, index = after, stop
        return None

    def witness(self, finding: _Finding) -> tuple[int, tuple[list[int], list[int], list[int]]] | None:
        """The degree a measured attack (prefix, pump, suffix) exhibits (EXPONENTIAL, or a polynomial degree up to
        the finding's), with the attack; None when no attempt grows faster than linearly."""
        tried: list[list[int]] = []
        for pump in self.pumps(finding):
            if pump in tried:
                continue
            tried.append(pump)
            for attempt in self.attempts(finding, pump):
                degree = self.grows(finding, *attempt)
                if degree is not None:  # measured: other attempts would mostly measure the same
                    return degree, attempt
        return None

    def pumps(self, finding: _Finding) -> Iterable[list[int]]:
        """Pumps to try.  For a chain, one word must keep every link: try the links' words one after the other,
        each link's word alone, and single characters all its loops read; a small power of one may be needed."""
        candidates = [[self.pick(bits, order) for bits in finding.steps] for order in range(len(self.orders))]
        if len(finding.steps) == 1:
            candidates += [[atom] for atom in self.kinds(finding.steps[0])]
        if finding.chain:
            candidates += [[self.pick(bits, order) for bits in word] for word in finding.words
                           for order in range(len(self.orders))]
            common = self.a.all_bits
            for state in finding.chain:
                common &= self.a.label[state]
            if common:
                candidates += [[self.pick(common, order)] for order in range(len(self.orders))]
                candidates += [[atom] for atom in self.kinds(common)]
        for pump in candidates:
            if not finding.chain:
                yield _root(pump)
                continue
            for power in range(1, 5):
                if all(self.chain_link(p, q, pump * power) for p, q in itertools.pairwise(finding.chain)):
                    yield _root(pump)
                    break

    def kinds(self, bits: int) -> list[int]:
        """One atom of `bits` of each kind (lowercase, digit, uppercase, punctuation, ...)."""
        kinds: dict[int, int] = {}
        for atom in self.orders[0]:
            if bits >> atom & 1:
                kinds.setdefault(self.a.atom_score[atom], atom)
        return list(kinds.values())

    def attempts(self, finding: _Finding, pump: list[int]) -> Iterable[tuple[list[int], list[int], list[int]]]:
        """Candidate attacks: a prefix reaching the pumped state, the pump, and suffixes likely to make it fail."""
        spawning = finding.head == 1
        prefixes: list[list[int]] = []
        for choice in range(3):
            prefix = [] if spawning else self.prefix(finding.head, pump, choice)
            if prefix is not None and prefix not in prefixes:
                prefixes.append(prefix)
        for prefix in prefixes:
            for suffix in self.suffixes(finding, prefix, pump, spawning)[:3]:
                yield prefix, pump, suffix

    def suffixes(self, finding: _Finding, prefix: list[int], pump: list[int], spawning: bool) -> list[list[int]]:
        """Suffixes to try: one after which no path matches (if the simulation finds one), then a few plain ones."""
        initial: set[int] = set() if spawning else {finding.head << 1}
        out: list[list[int]] = []
        period = self.cycle(initial, prefix, pump, spawning)
        if period is not None:
            body = prefix + pump * (period[0] + 2 * period[1])
            settled = self.a.run(initial, body, 0 if spawning else len(prefix), None,
                                 len(body) - 1 if spawning else -1, check_end=False)
            found = self.suffix(settled, body) if settled is not None else None
            if found is not None:
                out.append(found)
        for fallback in ([], self.orders[0][:1], self.orders[0][1:2]):
            if fallback not in out:
                out.append(fallback)
        return out

    def grows(self, finding: _Finding, prefix: list[int], pump: list[int], suffix: list[int]) -> int | None:
        """How the backtracking search on prefix + pump * r + suffix grows: EXPONENTIAL for a steady factor per
        pump (exponential findings only), else the polynomial degree shown by doubling r (at most the finding's),
        or None when it looks linear."""
        def steps(repeat: int) -> int:
            units = [self.a.atom_char[x] for x in prefix + pump * repeat + suffix]
            if self.reverse:
                units.reverse()
            key = (self.judge.trusting, *units)
            if key not in self.measured:
                self.measured[key] = self.judge.measure(units, MEASURE_CAP, self.meter)
            return self.measured[key]

        if finding.kind == "exponential":
            # Per added pump, a polynomial's step ratio keeps falling towards 1; an exponential's levels off.
            values: list[int] = []
            for repeat in range(1, 41):
                value = steps(repeat)
                if value > MEASURE_CAP or (repeat >= 16 and not values):
                    break
                if value >= 50 or values:
                    values.append(value)
                if len(values) >= 3 and values[-1] < 1.4 * values[-2]:
                    return None
            ratios = [b / a for a, b in itertools.pairwise(values)]
            return EXPONENTIAL if len(ratios) >= 2 and ratios[-1] >= 1.4 and ratios[-1] >= 0.9 * ratios[-2] else None
        sizes: list[int] = []
        repeat = 1
        while repeat <= 256:
            value = steps(repeat)
            if value > MEASURE_CAP:
                break
            sizes.append(value)
            repeat *= 2
            if len(sizes) >= 4 and sizes[-3] >= 40 and sizes[-1] <= 2.1 * sizes[-2] and sizes[-2] <= 2.1 * sizes[-3]:
                break  # linear so far (a polynomial's ratio climbs above 2 and keeps climbing)
        pairs = [(a, b) for a, b in itertools.pairwise(sizes) if a >= 40]
        if not pairs:
            return None
        # Θ(n^(d+1)) doubles into a ratio of 2^(d+1); allow for lower-order terms at these small sizes.
        ratio = pairs[-1][1] / pairs[-1][0]
        degree = min(finding.degree, int(math.log2(ratio / 0.6)) - 1)
        return degree if degree >= 1 else None

    def suffix(self, states: set[int], body: list[int]) -> list[int] | None:
        """A shortest continuation after which no path has accepted, nor accepts at the end of the input."""
        a = self.a
        index = len(body)
        prev = body[-1] if body else -1
        if a.accepting(states, index, prev, -1) != 1:
            return []
        visited = {(frozenset(states), prev >= 0 and a.atom_word[prev])}
        queue: deque[tuple[frozenset[int], int, list[int]]] = deque([(frozenset(states), prev, [])])
        while queue and len(visited) < 400:
            current, last, word = queue.popleft()
            if len(word) >= 6:
                continue
            at = index + len(word)
            for atom in a.by_score:
                self.budget.spend()
                if a.accepting(current, at, last, atom) == 1:
                    continue
                after = a.step(current, at, last, atom)
                if a.accepting(after, at + 1, atom, -1) != 1:
                    return [*word, atom]
                key = (frozenset(after), a.atom_word[atom])
                if key not in visited:
                    visited.add(key)
                    queue.append((key[0], atom, [*word, atom]))
        return None


def _string(units: list[int]) -> str:
    """Code units as a Python string, surrogate pairs joined into one character."""
    return "".join(map(chr, units)).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _root(word: list[int]) -> list[int]:
    """The shortest u with word == u * k."""
    for size in range(1, len(word)):
        if len(word) % size == 0 and word[:size] * (len(word) // size) == word:
            return word[:size]
    return word


def _culprit(builder: _Builder, states: set[int], loops: set[int]) -> tuple[int, int] | None:
    """The smallest part of the tree holding the witnessing positions and loops (a run of items of a sequence)."""
    chains = [builder.chains[s - 2] for s in states if s >= 2]
    chains += [builder.node_chain[n] for n in loops if n in builder.node_chain]
    if not chains:
        return None
    common = list(chains[0])
    for chain in chains[1:]:
        size = 0
        while size < len(common) and size < len(chain) and common[size] == chain[size]:
            size += 1
        del common[size:]
    if not common:
        return None
    node = builder.nodes[common[-1]]
    if isinstance(node, Sequence):
        depth = len(common)
        used = [builder.nodes[chain[depth]] for chain in chains if len(chain) > depth]
        if used:
            return min(n.start for n in used), max(n.end for n in used)
    return node.start, node.end


def _rank(result: Complexity) -> tuple[int, int]:
    order = {"linear": 0, "polynomial": 1, "unknown": 2, "exponential": 3}
    return order[result.kind], result.degree if result.kind == "polynomial" else 0


def _analyze_variant(source: str, builder: _Builder, root: Node, budget: _Budget, reverse: bool, where: str,
                     judge: _Automaton | None, meter: _Budget, large_counts: bool) -> tuple[Complexity, _Automaton]:
    automaton = _Automaton(builder, builder.build(root), budget)
    analysis = _Analysis(automaton, budget, judge or automaton, reverse, meter)
    best: tuple[int, _Finding, tuple[list[int], list[int], list[int]]] | None = None
    for finding in itertools.islice(analysis.exponential(), 12):
        found = analysis.witness(finding)
        if found is not None:
            best = (found[0], finding, found[1])
            break
    if best is None:
        def rank(finding: _Finding) -> tuple[int, int]:  # higher degrees first, then loops reading more
            return -finding.degree, -sum(automaton.label[state].bit_count() for state in finding.chain)

        ranked = sorted(itertools.islice(analysis.polynomial(), 150), key=rank)
        measured = 0
        for finding in ranked:
            if (best is not None and finding.degree <= best[0]) or measured >= 16:
                break  # already shown, or enough tried
            before = analysis.meter.left
            found = analysis.witness(finding)
            measured += before != analysis.meter.left
            if found is not None and (best is None or found[0] > best[0]):
                best = (found[0], finding, found[1])
    if best is None:
        return Complexity("linear", 0), automaton
    degree, finding, witness = best
    prefix, pump, suffix = (_string([automaton.atom_char[x] for x in part]) for part in witness)
    if reverse:
        prefix, pump, suffix = suffix[::-1], pump[::-1], prefix[::-1]
    span = _culprit(builder, finding.states, finding.loops)
    culprit = source[span[0]:span[1]] if span else source
    notes = [where] if where else []
    # Bounded: pumping has to go round loops standing for large bounds, or the growth relies on exceeding one.
    bounded = finding.bounded
    if not bounded and large_counts:
        analysis.judge.trusting = True
        try:
            bounded = analysis.grows(finding, *witness) != degree
        except _TooBig:
            pass  # no time left to tell: the finding stands, without the note
        finally:
            analysis.judge.trusting = False
    if bounded:
        notes.append(f"through repetitions counted beyond {COPY_LIMIT}: the cost is bounded by those counts, "
                     "and grows with them as stated")
    kind: Kind = "exponential" if degree == EXPONENTIAL else "polynomial"
    return Complexity(kind, degree, culprit, (prefix, pump, suffix), "; ".join(notes)), automaton


def analyze(source: str) -> Complexity:
    """Worst-case backtracking cost of ``new RegExp(source).test(value)``; raises `RegexSyntaxError`."""
    root = parse(source)
    depth = 0
    large_counts = False  # some repetition is counted beyond COPY_LIMIT
    groups: dict[int, Group] = {}
    variants: list[tuple[_Builder, Node, bool, str]] = []
    deadline = time.monotonic() + DEADLINE
    budget = _Budget(WORK_LIMIT, deadline)
    for node, ancestors in _walk(root):
        depth = max(depth, len(ancestors) + 1)
        if isinstance(node, Quantifier) and (node.min > COPY_LIMIT or (node.max or 0) > COPY_LIMIT):
            large_counts = True
        if isinstance(node, Group) and node.index is not None:
            groups[node.index] = node
        if not isinstance(node, Lookaround):
            continue
        looks = [n for n in ancestors if isinstance(n, Lookaround)]
        if node.behind or any(n.behind for n in looks):  # read on its own, in its direction, at any offset
            where = "in a lookbehind" if node.behind else "in a lookahead inside a lookbehind"
            builder = _Builder(groups, budget, reverse=node.behind, base=(*ancestors, node))
            variants.append((builder, node.body, node.behind, where))
        else:  # as reached by the rest of the pattern
            outer = frozenset(id(n) for n in looks)
            variants.append((_Builder(groups, budget, target=node, ancestors=outer), root, False, "in a lookahead"))
    if depth > MAX_DEPTH:
        return Complexity("unknown", EXPONENTIAL, note=f"nested deeper than {MAX_DEPTH}")
    worst = Complexity("linear", 0)
    judge: _Automaton | None = None
    meter = _Budget(MEASURE_LIMIT, deadline)
    for builder, start, reverse, where in [(_Builder(groups, budget), root, False, ""), *variants]:
        try:
            result, automaton = _analyze_variant(source, builder, start, budget, reverse, where, judge, meter,
                                                 large_counts)
            judge = judge or automaton
        except _TooBig as too_big:
            result = Complexity("unknown", EXPONENTIAL, note=f"not analysed: {too_big}")
            if judge is None:
                return result
        if _rank(result) > _rank(worst):
            worst = result
        if worst.kind == "exponential":
            break
    return worst
