"""`generator.contract.regex`: V8's flag-less RegExp syntax, and worst-case backtracking cost.

Syntax is checked against a corpus and, when `node` is installed, against Node itself (`new RegExp(p)`, one process
per batch).  Node 20 (V8 11.3) and Node 22 (V8 12.4, production) agree on flag-less syntax: neither has regexp
modifiers nor duplicate named groups.  Cost classifications are confirmed empirically with QuickJS (the local
engine), only ever through generous QuickJS time limits, never by timing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator

import pytest
import quickjs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.contract.regex import (
    DOT,
    SPACE,
    Alternation,
    Assertion,
    Backreference,
    CharSet,
    Complexity,
    Empty,
    Group,
    Lookaround,
    Node,
    Quantifier,
    RegexSyntaxError,
    Sequence,
    analyze,
    parse,
)

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")

# --------------------------------------------------------------------------------------------------------------------
# Syntax corpus

ACCEPTED = [
    "", "a", "abc", "a|b|", "|", "(?:)", "()", "(a)(b)\\2\\1", "^$", "a*?b+?c??d{2}?e{1,}?f{1,3}?",
    # Annex B: lone brackets and braces are literals, and so are incomplete braced quantifiers
    "]", "{", "}", "a{1", "a{,5}", "a{1,", "a{1,2", "x{a}", "a{", "{,}", "a{1,2}}", "a]",
    "a{2147483647,}", "a{99999999999}", "a{2147483648,2147483647}", "a{0}",
    # lookaheads are quantifiable in Annex B; a group around a lookbehind is too
    "(?=a)*", "(?!a){2}", "(?=a)+?", "(?:(?<=a))*", "(?<=a)", "(?<!a)b",
    # escapes
    "\\c", "\\c1", "\\c_", "\\cA", "\\cz", "[\\c1]", "[\\c_]", "[\\c]", "\\8", "\\9", "\\07", "\\0", "\\00", "\\377",
    "\\1", "(a)\\2", "\\10", "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10", "\\a", "\\-", "\\/", "\\e", "\\x", "\\x4",
    "\\x41", "\\u", "\\u004", "\\u0041", "\\u{41}", "\\p{L}", "\\P{Lu}", "\\k", "\\k<name>", "\\k<", "[\\k]",
    "[\\b-\\n]", "[\\d-z]", "[a-\\d]", "[\\d-\\w]", "[-a]", "[a-]", "[]", "[^]", "[\\]]", "[]a]", "[\\-]",
    "[\\00-\\01]", "\\b\\B", "[\\B]", "[\\s\\S]", ".",
    # named groups and references
    "(?<a>x)\\k<a>", "\\k<a>(?<a>x)", "(?<a>\\k<a>)", "(?<a>x)(?<b>\\k<a>)", "(?<$_a1>x)", "(?<\\u0061>x)",
    "(?<\\u{61}>x)", "(?<a\\u003e)", "(?<\U0001d453>x)\\k<\U0001d453>", "(?<\\ud835\\udc53>x)", "(?<é>x)",
    "(?<a\u200db>x)",
    "[\\k(?<a>)]", "(?<a>x)|(?<b>y)",
    # astral characters are two code units without the u flag
    "😀", "😀+", "[😀]", "(?<=😀)",
    # the patterns the analysis examples use
    "^\\+?[0-9 ().-]{7,20}$", "^https?://", "^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$", "(?=(a+)+$)",
]

REJECTED = [
    # (pattern, V8's message, offset of the problem)
    ("(?i:a)", "Invalid group", 0),
    ("(?-i:a)", "Invalid group", 0),
    ("x(?i)", "Invalid group", 1),
    ("(?", "Invalid group", 0),
    ("(?a)", "Invalid group", 0),
    ("(?<a>x)|(?<a>y)", "Duplicate capture group name", 8),
    ("(?<a>(?<a>x))", "Duplicate capture group name", 0),
    ("(?<a>x)(?<\\u0061>y)", "Duplicate capture group name", 7),
    ("*", "Nothing to repeat", 0),
    ("a**", "Nothing to repeat", 2),
    ("x**", "Nothing to repeat", 2),
    ("a???", "Nothing to repeat", 3),
    ("{1}", "Nothing to repeat", 0),
    ("{2,1}", "Nothing to repeat", 0),
    ("a{1}{2}", "Nothing to repeat", 4),
    ("^*", "Nothing to repeat", 1),
    ("$+", "Nothing to repeat", 1),
    ("\\b*", "Nothing to repeat", 2),
    ("\\B{2}", "Nothing to repeat", 2),
    ("a|*", "Nothing to repeat", 2),
    ("(*)", "Nothing to repeat", 1),
    ("(?<=a)*", "Invalid quantifier", 6),
    ("(?<!a){2}", "Invalid quantifier", 6),
    ("(?<=a)+?", "Invalid quantifier", 6),
    ("a{2,1}", "numbers out of order in {} quantifier", 1),
    ("a{99999999999,5}", "numbers out of order in {} quantifier", 1),
    ("(?<=a){2,1}", "numbers out of order in {} quantifier", 6),
    ("(", "Unterminated group", 0),
    ("(a", "Unterminated group", 0),
    ("((a)", "Unterminated group", 0),
    ("(?<a>x)(?<a>", "Unterminated group", 7),
    ("(?<a>", "Unterminated group", 0),
    (")", "Unmatched ')'", 0),
    ("a)", "Unmatched ')'", 1),
    ("(a))", "Unmatched ')'", 3),
    ("[", "Unterminated character class", 0),
    ("x[a", "Unterminated character class", 1),
    ("[a-", "Unterminated character class", 0),
    ("[^", "Unterminated character class", 0),
    ("[z-a]", "Range out of order in character class", 1),
    ("x[\\c-a]", "Range out of order in character class", 3),
    ("[😀-😂]", "Range out of order in character class", 1),
    ("\\", "\\ at end of pattern", 0),
    ("ab\\", "\\ at end of pattern", 2),
    ("[\\", "\\ at end of pattern", 1),
    ("(?<", "Invalid capture group name", 3),
    ("(?<a", "Invalid capture group name", 4),
    ("(?<1>x)", "Invalid capture group name", 3),
    ("(?<>x)", "Invalid capture group name", 3),
    ("(?<a-b>x)", "Invalid capture group name", 4),
    ("(?<a\\>x)", "Invalid capture group name", 4),
    ("(?<a\\u005c>x)", "Invalid capture group name", 4),
    ("(?<😀>x)", "Invalid capture group name", 3),
    ("(?<a>x)\\k<1>", "Invalid capture group name", 10),
    ("(?<a>x)\\k<a", "Invalid capture group name", 11),
    ("(?<\\u{110000}>x)", "Invalid Unicode escape", 3),
    ("(?<a\\u00>x)", "Invalid Unicode escape", 4),
    ("(?<a>x)\\k", "Invalid named reference", 7),
    ("(?<a>x)\\ka", "Invalid named reference", 7),
    ("\\k(?<a>)", "Invalid named reference", 0),
    ("(?<a>x)\\k<b>", "Invalid named capture referenced", 7),
    ("\\k<b>(?<a>x)", "Invalid named capture referenced", 0),
    ("(?<a>x)[\\k]", "Invalid escape", 8),
    ("[\\k](?<a>x)", "Invalid escape", 1),
    ("(?<a>x)\\k<b>(", "Unterminated group", 12),  # syntax errors come before unresolved names
    ("a😀**", "Nothing to repeat", 3),
]


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_accepts(pattern: str) -> None:
    assert isinstance(parse(pattern), Node)


@pytest.mark.parametrize(("pattern", "message", "offset"), REJECTED)
def test_rejects_with_v8_message_and_offset(pattern: str, message: str, offset: int) -> None:
    with pytest.raises(RegexSyntaxError) as caught:
        parse(pattern)
    assert (caught.value.message, caught.value.offset) == (message, offset)


def test_error_is_an_exception_with_message_and_offset() -> None:
    error = RegexSyntaxError("Nothing to repeat", 3)
    assert isinstance(error, Exception)
    assert (error.message, error.offset) == ("Nothing to repeat", 3)
    with pytest.raises(RegexSyntaxError):
        analyze("a**")


# --------------------------------------------------------------------------------------------------------------------
# The syntax tree


def single(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    return tuple(ranges)


def test_tree_of_a_typical_pattern() -> None:
    root = parse("^(?<id>usr_[a-z0-9]+)|x{2,}?$")
    assert isinstance(root, Alternation) and root.span == (0, 29)
    first, second = root.alternatives
    assert isinstance(first, Sequence) and first.span == (0, 21)
    caret, group = first.items
    assert isinstance(caret, Assertion) and caret.kind == "^" and caret.span == (0, 1)
    assert isinstance(group, Group) and (group.index, group.name, group.span) == (1, "id", (1, 21))
    assert isinstance(group.body, Sequence)
    letters = group.body.items[:4]
    assert [c.ranges for c in letters if isinstance(c, CharSet)] == [((ord(c), ord(c)),) for c in "usr_"]
    repeat = group.body.items[4]
    assert isinstance(repeat, Quantifier) and (repeat.min, repeat.max, repeat.greedy) == (1, None, True)
    assert isinstance(repeat.body, CharSet) and repeat.body.ranges == ((0x30, 0x39), (0x61, 0x7A))
    assert repeat.span == (11, 20)
    assert isinstance(second, Sequence)
    lazy = second.items[0]
    assert isinstance(lazy, Quantifier) and (lazy.min, lazy.max, lazy.greedy, lazy.span) == (2, None, False, (22, 28))
    assert isinstance(second.items[1], Assertion) and second.items[1].kind == "$"


def test_character_sets_follow_ecmascript() -> None:
    def charset(pattern: str) -> tuple[tuple[int, int], ...]:
        node = parse(pattern)
        assert isinstance(node, CharSet)
        return node.ranges

    assert charset(".") == DOT == ((0, 9), (11, 12), (14, 0x2027), (0x202A, 0xFFFF))
    assert charset("\\s") == SPACE
    assert 0xFEFF in parse("\\s") and 0x85 not in parse("\\s")  # type: ignore[operator]
    assert charset("\\d") == ((0x30, 0x39),)
    assert charset("\\w") == ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
    assert charset("\\W") == ((0, 0x2F), (0x3A, 0x40), (0x5B, 0x5E), (0x60, 0x60), (0x7B, 0xFFFF))
    assert charset("[^\\s\\S]") == ()
    assert charset("[^]") == ((0, 0xFFFF),)
    assert charset("[\\d-z]") == ((0x2D, 0x2D), (0x30, 0x39), (0x7A, 0x7A))
    assert charset("[\\b]") == ((8, 8),)
    assert charset("\\cJ") == ((10, 10),)
    assert charset("[\\c1]") == ((0x11, 0x11),)
    assert charset("\\377") == ((255, 255),)
    assert charset("\\u0041") == ((0x41, 0x41),)
    assert charset("\\a") == ((0x61, 0x61),)


def test_annex_b_readings() -> None:
    # \c without a letter is a backslash, then a "c"
    root = parse("\\c")
    assert isinstance(root, Sequence) and [n.ranges for n in root.items if isinstance(n, CharSet)] == [
        ((0x5C, 0x5C),), ((0x63, 0x63),)]
    # \1 without enough groups is an octal escape; \8 is an identity escape
    assert parse("\\1") == CharSet(start=0, end=2, ranges=((1, 1),))
    assert parse("\\8") == CharSet(start=0, end=2, ranges=((0x38, 0x38),))
    root = parse("(a)\\1")
    assert isinstance(root, Sequence) and root.items[1] == Backreference(start=3, end=5, index=1, name=None)
    # \k<name> is literal text when no group is named, a reference otherwise
    assert len(_flat(parse("\\k<name>"))) == 7
    root = parse("\\k<a>(?<a>x)")
    assert isinstance(root, Sequence) and root.items[0] == Backreference(start=0, end=5, index=1, name="a")
    # \p{L} is "p{L}"; a{,5} is five literal characters
    assert [chr(n.ranges[0][0]) for n in _flat(parse("\\p{L}"))] == list("p{L}")
    assert [chr(n.ranges[0][0]) for n in _flat(parse("a{,5}"))] == list("a{,5}")
    # lookarounds
    root = parse("(?<!a)(?=b)*")
    assert isinstance(root, Sequence)
    behind, ahead = root.items
    assert isinstance(behind, Lookaround) and (behind.behind, behind.negative) == (True, True)
    assert isinstance(ahead, Quantifier) and isinstance(ahead.body, Lookaround) and not ahead.body.behind
    assert isinstance(parse("a|"), Alternation) and isinstance(parse("").span, tuple)
    assert isinstance(parse(""), Empty)


def test_astral_characters_are_two_code_units_with_offsets_into_the_python_string() -> None:
    root = parse("x😀+")
    assert isinstance(root, Sequence)
    _, high, repeat = root.items
    assert high == CharSet(start=1, end=2, ranges=((0xD83D, 0xD83D),))
    assert isinstance(repeat, Quantifier) and repeat.body.ranges == ((0xDE00, 0xDE00),)  # type: ignore[attr-defined]
    assert repeat.span == (1, 3)
    italic_f = "\U0001d453"  # one Python character, two code units
    assert parse(f"(?<{italic_f}>x)") == Group(start=0, end=7, body=CharSet(start=5, end=6, ranges=((0x78, 0x78),)),
                                               index=1, name=italic_f)


def _flat(node: Node) -> list[CharSet]:
    if isinstance(node, CharSet):
        return [node]
    assert isinstance(node, Sequence)
    return [item for item in node.items if isinstance(item, CharSet)]


# --------------------------------------------------------------------------------------------------------------------
# Node as the oracle

ORACLE = r"""
const patterns = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(patterns.map((p) => {
  try { new RegExp(p); return null; } catch (e) {
    const m = String(e.message); const i = m.lastIndexOf('/: '); return i >= 0 ? m.slice(i + 3) : m;
  }
})));
"""


def node_verdicts(patterns: list[str]) -> list[str | None]:
    """V8's message for each pattern (None: accepted), from one Node process."""
    assert NODE is not None
    done = subprocess.run([NODE, "-e", ORACLE], input=json.dumps(patterns), capture_output=True, text=True,
                          check=True, timeout=60)
    verdicts: list[str | None] = json.loads(done.stdout)
    return verdicts


def our_verdict(pattern: str) -> str | None:
    try:
        parse(pattern)
    except RegexSyntaxError as error:
        return error.message
    return None


def assert_agree(patterns: list[str]) -> None:
    theirs = node_verdicts(patterns)
    wrong = [(p, v, our_verdict(p)) for p, v in zip(patterns, theirs, strict=True) if our_verdict(p) != v]
    assert not wrong, "\n".join(f"{p!r}: node {v!r}, parse {o!r}" for p, v, o in wrong[:20])


@needs_node
def test_node_agrees_on_the_corpus() -> None:
    assert_agree(ACCEPTED + [pattern for pattern, _, _ in REJECTED])


TOKENS = [
    *"()[]{}?*+|^$\\.-,<>=!:kbBdDsSwWcuxpP0123456789aAz_ ",
    "(?<", "(?:", "(?=", "(?!", "(?<=", "(?<!", "\\k<", "\\u", "\\x", "{1,2}", "{2}", "{2,}", "\\c", "\\1", "\\2",
    "(?<a>", "(?<b>", "\\k<a>", "a>", "😀", "é",
]
RANDOM_PATTERNS = st.lists(st.sampled_from(TOKENS), max_size=14).map("".join)


@needs_node
def test_node_agrees_on_random_patterns() -> None:
    patterns: list[str] = []

    @settings(max_examples=3000, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(RANDOM_PATTERNS)
    def collect(pattern: str) -> None:
        patterns.append(pattern)

    collect()
    assert len(set(patterns)) > 1000
    assert_agree(patterns)


@needs_node
def test_node_agrees_on_what_character_sets_contain() -> None:
    patterns = ["[a-z0-9._%+-]", "[^\\s\\S]", ".", "\\s", "\\S", "\\w", "\\W", "\\d", "[\\c1\\c_\\cJ]", "[\\b\\-]",
                "[\\d-z]", "[^\\w\\u0100-\\uffff]", "[\\377\\400]", "[\\x41-\\u005A]", "[😀]", "\\cz", "[\\k]"]
    script = r"""
const patterns = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(patterns.map((p) => {
  const r = new RegExp('^(?:' + p + ')$'); const out = []; let start = -1;
  for (let u = 0; u <= 0x10000; u++) {
    const hit = u < 0x10000 && r.test(String.fromCharCode(u));
    if (hit && start < 0) start = u;
    if (!hit && start >= 0) { out.push([start, u - 1]); start = -1; }
  }
  return out;
})));
"""
    assert NODE is not None
    done = subprocess.run([NODE, "-e", script], input=json.dumps(patterns), capture_output=True, text=True,
                          check=True, timeout=60)
    for pattern, ranges in zip(patterns, json.loads(done.stdout), strict=True):
        node = parse(pattern)
        assert isinstance(node, CharSet), pattern
        assert [list(r) for r in node.ranges] == ranges, pattern


# --------------------------------------------------------------------------------------------------------------------
# Cost analysis: classifications

EXPONENTIAL = [
    ("^(a+)+$", "(a+)+"),
    ("(a|a)*$", "(a|a)*"),
    ("(a|aa)+$", "(a|aa)+"),
    ("^(\\w+\\s?)+$", "(\\w+\\s?)+"),
    ("(x+x+)+y", "(x+x+)+"),
    ("^(([a-z])+.)+[A-Z]([a-z])+$", "(([a-z])+.)+"),
    ("(?=(a+)+$)", "(a+)+"),
    ("^(a*)*$", "(a*)*"),
    ("^(?:(a|a)*$|a)", "(a|a)*"),  # the later alternative that matches is only tried after the explosion
    ("^a(?:(b|b)*c|)", "(b|b)*"),
    ("^(\\d+|\\d+,\\d+)*$", "(\\d+|\\d+,\\d+)*"),
    ("^\\w+([\\.-]?\\w+)*@\\w+([\\.-]?\\w+)*(\\.\\w{2,3})+$", "([\\.-]?\\w+)*"),
    ("^(https?:\\/\\/)?([\\da-z\\.-]+)\\.([a-z\\.]{2,6})([\\/\\w \\.-]*)*\\/?$", "([\\/\\w \\.-]*)*"),
    ("x(?=(a|a)*$)y", "(a|a)*"),
    ("(?<=^(a+)+)b", "(a+)+"),
    ("(?:\\s*?|-+-{2})*?(?=a){1,3}(?!b)+?", "(?:\\s*?|-+-{2})*?"),
    ("(?<=\\b(?:(\\S{1,3})a*)*?)\\w{2}", "(?:(\\S{1,3})a*)*?"),  # needs non-word characters, so \b fails
    ("(?!(@{2}[a-z]*|a*?)+?@{2,}-*){0,12}(?!x){2}", "(@{2}[a-z]*|a*?)+?"),  # V8 skips it; QuickJS does not
]

POLYNOMIAL = [
    ("\\d+x", 1, "\\d+"),
    ("[a-z]+@", 1, "[a-z]+"),
    ("^\\d+\\d+$", 1, "\\d+\\d+"),
    ("\\w+.a", 1, "\\w+"),
    ("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", 1, "[^@\\s]+\\.[^@\\s]+"),
    # `\S` and `.` both read "@" and ".": three loops in a chain, so cubic (not quadratic)
    ("^\\S+@\\S+\\.\\S+$", 2, "\\S+@\\S+\\.\\S+"),
    ("^.*@.*\\..*$", 2, ".*@.*\\..*"),
    ("\\d+\\d+x", 2, "\\d+\\d+"),
    ("(?=.*\\d)", 1, ".*"),
    ("^.*?(?![^b]+){2}", 1, ".*?(?![^b]+){2}"),  # each lookahead costs a scan
    ("(?:\\s{2,}){2}^", 2, "(?:\\s{2,}){2}"),
    ("(?:.+?x+?){1,3}\\S(?:(?!b)+?|a+@{2})", 3, "(?:.+?x+?){1,3}"),  # pumped by " x", which \S then refuses
    ("\\w*?\\w+(?:(?<=[a-z]x?)\\w{2}){2}", 2, "\\w*?\\w+"),  # pumped by digits, which the lookbehind refuses
]

LINEAR = [
    "^\\+?[0-9 ().-]{7,20}$",
    "^https?://",
    "^[A-Z]{3}$",
    "^usr_[a-z0-9]+$",
    "usr_[0-9]+",
    # "@" and the last "." separate the loops: no two of them read a common word
    "^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$",
    "^(a+)+",  # the first iteration that ends is a match
    "[a-z]+",
    "^(?:a|(a|a)*$)",  # "a" matches before the explosive branch is tried
    "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$",
    "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?$",
    "^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "^https?://[^\\s/$.?#].[^\\s]*$",
    "^(?=.*[A-Z])(?=.*\\d).{8,}$",
    "^(?!.*--)[a-z-]+$",
    "^[A-Z]{2}\\d{2}[A-Z0-9]{1,30}$",
    "\\b\\w+\\b",
    "foo|bar|baz",
    "",
    "^$",
    "(?<!\\d)\\d{3}(?!\\d)",
]


@pytest.mark.parametrize(("pattern", "culprit"), EXPONENTIAL)
def test_exponential(pattern: str, culprit: str) -> None:
    result = analyze(pattern)
    assert (result.kind, result.degree, result.culprit) == ("exponential", -1, culprit), result
    assert result.attack is not None and result.attack[1]


@pytest.mark.parametrize(("pattern", "degree", "culprit"), POLYNOMIAL)
def test_polynomial(pattern: str, degree: int, culprit: str) -> None:
    result = analyze(pattern)
    assert (result.kind, result.degree, result.culprit) == ("polynomial", degree, culprit), result
    assert result.attack is not None and result.attack[1]


@pytest.mark.parametrize("pattern", LINEAR)
def test_linear(pattern: str) -> None:
    assert analyze(pattern) == Complexity("linear", 0)


def test_gives_up_clearly_on_what_is_too_big() -> None:
    deep = analyze("(" * 150 + "a" + ")" * 150)
    assert (deep.kind, deep.degree) == ("unknown", -1) and "deeper" in deep.note
    large = analyze("((a{10}){10}){10}")
    assert (large.kind, large.degree) == ("unknown", -1) and "positions" in large.note
    assert analyze("(" * 2000 + ")" * 2000).kind == "unknown"  # and parsing needs no recursion


def test_large_counted_repetitions_are_read_as_unbounded_and_said_so() -> None:
    result = analyze("^(?:a|a){0,50}$")  # 2^50 paths: bounded, but by far too much
    assert result.kind == "exponential" and "counted" in result.note
    assert analyze("^(?:\\d{1,20})+$").note == ""  # the unbounded + makes it exponential regardless
    assert analyze("^\\d{1,64}$").kind == "linear"
    bounded = analyze("(?=.{1,20}$)\\d+")  # each offset's lookahead scans at most 20 characters
    assert (bounded.kind, bounded.degree) == ("polynomial", 1) and "counted" in bounded.note


# --------------------------------------------------------------------------------------------------------------------
# Cost analysis: confirmed with QuickJS


@pytest.fixture(scope="module")
def engine() -> Iterator[Callable[[str, str, float], bool]]:
    """`slow(pattern, text, seconds)`: whether QuickJS's `new RegExp(pattern).test(text)` exceeds the limit."""
    context = quickjs.Context()
    test = context.eval("(s, p) => new RegExp(p).test(s)")

    def slow(pattern: str, text: str, seconds: float) -> bool:
        context.set_time_limit(seconds)
        try:
            test(text, pattern)
        except quickjs.JSException as error:
            assert "interrupted" in str(error)
            return True
        finally:
            context.set_time_limit(-1)
        return False

    yield slow


def attack(result: Complexity, *, repeat: int = 0, length: int = 0) -> str:
    """The witness with its pump repeated `repeat` times, or as often as fits in `length`."""
    assert result.attack is not None
    prefix, pump, suffix = result.attack
    return prefix + pump * (repeat or max(1, (length - len(prefix) - len(suffix)) // len(pump))) + suffix


@pytest.mark.parametrize(("pattern", "culprit"), EXPONENTIAL)
def test_exponential_attacks_hang_quickjs(engine: Callable[[str, str, float], bool], pattern: str,
                                          culprit: str) -> None:
    del culprit
    # 40 pumps: 2^40 paths or more, against a limit of a tenth of a second (which QuickJS overshoots a little).
    assert engine(pattern, attack(analyze(pattern), repeat=40), 0.1)


@pytest.mark.parametrize(("pattern", "degree", "culprit"), POLYNOMIAL)
def test_polynomial_attacks_are_superlinear_in_quickjs(engine: Callable[[str, str, float], bool], pattern: str,
                                                       degree: int, culprit: str) -> None:
    del culprit
    # Lengths where n^(degree+1) is some 10^9 steps: far beyond the limit, which linear work of that length is not.
    length = {1: 40_000, 2: 1_500, 3: 250}[degree]
    assert engine(pattern, attack(analyze(pattern), length=length), 0.1)


def pumped_inputs(pattern: str, size: int = 3000) -> list[str]:
    """Inputs built from the pattern's own character sets: runs of one character, or alternations of two, with
    and without a character that is unlikely to complete a match."""
    chars: list[str] = []
    stack = [parse(pattern)]
    while stack:
        node = stack.pop()
        if isinstance(node, CharSet) and node.ranges:
            for unit in (node.ranges[0][0], node.ranges[-1][1]):
                if not 0xD800 <= unit <= 0xDFFF and chr(unit) not in chars:
                    chars.append(chr(unit))
            for candidate in "a0A _-.@":
                if ord(candidate) in node and candidate not in chars:
                    chars.append(candidate)
                    break
        for attribute in ("items", "alternatives"):
            stack.extend(getattr(node, attribute, ()))
        if isinstance(node, (Group, Lookaround, Quantifier)):
            stack.append(node.body)
    chars = chars[:8] or ["a"]
    inputs = [c * size + end for c in chars for end in ("", "!", "\n")]
    inputs += [(a + b) * (size // 2) + "!" for a in chars for b in chars if a < b]
    return inputs[:40]


@pytest.mark.parametrize("pattern", LINEAR)
def test_linear_patterns_stay_fast_in_quickjs(engine: Callable[[str, str, float], bool], pattern: str) -> None:
    slow = [text[:10] for text in pumped_inputs(pattern) if engine(pattern, text, 2.0)]
    assert not slow


ATOMS = st.sampled_from(["a", "b", "x", "@", "-", ".", "\\d", "\\w", "\\s", "\\S", "[a-z]", "[^b]", "\\b", "^", "$",
                         "(?=a)", "(?!b)"])
QUANTIFIERS = st.sampled_from(["", "", "*", "+", "?", "*?", "+?", "{2}", "{1,3}", "{2,}", "{0,12}"])


def _group(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    body = st.one_of(inner, st.tuples(inner, inner).map("|".join))
    return st.tuples(st.sampled_from(["(", "(?:", "(?=", "(?!", "(?<="]), body, QUANTIFIERS).map(
        lambda t: f"{t[0]}{t[1]})" + ("" if t[0] == "(?<=" else t[2]))


SMALL_PATTERNS = st.recursive(
    st.tuples(ATOMS, QUANTIFIERS).map("".join),
    lambda inner: st.one_of(_group(inner), st.lists(inner, min_size=2, max_size=3).map("".join)),
    max_leaves=6,
).filter(lambda p: our_verdict(p) is None)


@settings(max_examples=300, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(SMALL_PATTERNS)
def test_what_analyze_calls_linear_runs_fast_in_quickjs(pattern: str) -> None:
    result = analyze(pattern)  # terminates: its work is bounded
    assert result.kind in ("linear", "polynomial", "exponential", "unknown")
    if result.kind == "linear":
        context = quickjs.Context()
        context.set_time_limit(2.0)
        test = context.eval("(s, p) => new RegExp(p).test(s)")
        for text in pumped_inputs(pattern):
            test(text, pattern)  # raises quickjs.JSException "interrupted" past the limit
