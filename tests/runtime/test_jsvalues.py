"""JSON on the Python side at any depth: the iterative parser and writer agree with json and JSON.stringify."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.runtime import jsvalues

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(values)
def test_the_iterative_parser_reads_what_json_writes(value: object) -> None:
    text = json.dumps(value)
    assert jsvalues._loads_deep(text) == json.loads(text)


def _standard(text: str) -> object:
    def refuse(name: str) -> object:
        raise ValueError(name)

    return json.loads(text, parse_constant=refuse)


# Numbers as they appear in JSON text, past every edge orjson has: 64-bit integers and
# beyond, exponents that overflow or underflow, negative zero.
number_texts = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["18446744073709551615", "18446744073709551616", "-9223372036854775808",
                     "-9223372036854775809", "1e400", "-1e400", "2.5e-324", "-0", "-0.0", "1E22", "0.1e-7"]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)
json_texts = st.recursive(
    st.one_of(number_texts, st.text().map(json.dumps), st.text().map(lambda t: json.dumps(t, ensure_ascii=False)),
              st.sampled_from(['"\\ud800"', '"\\udc00x"', "null", "true"])),
    lambda children: st.lists(children, max_size=4).map(lambda items: "[" + ",".join(items) + "]")
    | st.lists(st.tuples(st.text(max_size=4).map(json.dumps), children), max_size=4).map(
        lambda pairs: "{" + ",".join(f"{k}:{v}" for k, v in pairs) + "}"),
    max_leaves=12,
)


@settings(max_examples=1000, deadline=None, derandomize=True, database=None)
@given(json_texts)
def test_the_fast_parser_reads_exactly_what_the_standard_library_reads(text: str) -> None:
    """jsvalues.loads takes orjson's path where it can; the values (and their types) must not change."""
    expected = _standard(text)
    assert repr(jsvalues.loads(text)) == repr(expected)


@pytest.mark.parametrize("text", ["[1,]", '{"a" 1}', "[1 2]", '{"a":1}x', "", '["\\x"]', "{,}", "NaN", "[Infinity]"])
def test_both_parsers_refuse_what_is_not_json(text: str) -> None:
    with pytest.raises(jsvalues.JSONError):
        jsvalues.loads(text)
    with pytest.raises(jsvalues.JSONError):
        jsvalues._loads_deep(text)


def test_ten_thousand_levels_go_both_ways() -> None:
    text = "[" * 10_000 + "]" * 10_000
    value = jsvalues.loads(text)
    assert jsvalues.deepest(value) == 10_000
    assert jsvalues.dumps(value) == text


def test_lone_surrogates_are_written_as_escapes_and_infinity_as_an_overflow() -> None:
    assert jsvalues.dumps({"s": "a\ud800b"}) == '{"s":"a\\ud800b"}'
    assert jsvalues.dumps([math.inf, -math.inf], overflow_infinity=True) == "[1e400,-1e400]"
    assert jsvalues.dumps([math.inf]) == "[null]"
