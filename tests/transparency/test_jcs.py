"""RFC 8785 canonical JSON: the leaf encoding an outsider must be able to reproduce."""

from __future__ import annotations

import json
from typing import Any

import pytest

from projections.transparency.jcs import MAX_SAFE_INTEGER, CanonicalizationError, canonical_text, canonicalize


def test_members_are_sorted_by_utf16_code_units_as_in_rfc_8785_section_3_2_3() -> None:
    # RFC 8785 §3.2.3's example: the emoji (a surrogate pair, D83D DE00) sorts before U+FB33
    # although its code point is larger
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    names = list(json.loads(canonical_text(value)))
    assert [n.encode("unicode_escape").decode() for n in names] == [
        "\\r",
        "1",
        "\\x80",
        "\\xf6",
        "\\u20ac",
        "\\U0001f600",
        "\\ufb33",
    ]


def test_rfc_8785_section_3_2_2_string_and_literals_example() -> None:
    # the "string" and "literals" members of RFC 8785 §3.2.2's example (its numbers are floats)
    value = json.loads(
        '{"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}'
    )
    assert canonicalize(value) == '{"literals":[null,true,false],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'.encode()


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("\b\t\n\f\r", '"\\b\\t\\n\\f\\r"'),
        ("\x00\x01\x1f", '"\\u0000\\u0001\\u001f"'),
        ("\x7f", '"\x7f"'),  # DEL is not a JSON control character
        ('"\\', '"\\"\\\\"'),
        ("/", '"/"'),  # the solidus is never escaped
        ("\u2028\u2029", '"\u2028\u2029"'),  # literal, as ECMAScript's JSON.stringify writes them
        ("北海行政审批中心", '"北海行政审批中心"'),
        ("\U0001f600", '"\U0001f600"'),
        ("\ufeff", '"\ufeff"'),
    ],
)
def test_strings_escape_only_quote_backslash_and_control_characters(text: str, encoded: str) -> None:
    assert canonicalize(text) == encoded.encode("utf-8")


def test_no_whitespace_and_nested_values() -> None:
    value = {"b": [1, {"z": None, "a": True}], "a": {"y": -7, "x": "v"}, "": False}
    assert canonical_text(value) == '{"":false,"a":{"x":"v","y":-7},"b":[1,{"a":true,"z":null}]}'


def test_canonical_output_is_what_python_json_reads_back() -> None:
    value: dict[str, Any] = {"data": {"name": "王芳", "note": 'tab\there "quoted"\n'}, "n": 0, "list": []}
    assert json.loads(canonicalize(value)) == value
    assert canonicalize(json.loads(canonicalize(value))) == canonicalize(value)


@pytest.mark.parametrize("number", [1.0, 0.5, float("nan"), float("inf"), -float("inf")])
def test_floats_are_refused(number: float) -> None:
    with pytest.raises(CanonicalizationError, match="floats are not allowed"):
        canonicalize({"score": [number]})


def test_integers_beyond_the_i_json_range_are_refused() -> None:
    assert canonicalize([MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER]) == b"[9007199254740991,-9007199254740991]"
    with pytest.raises(CanonicalizationError, match=r"\$\.big"):
        canonicalize({"big": MAX_SAFE_INTEGER + 1})


def test_booleans_are_not_integers() -> None:
    assert canonicalize([True, False, 1, 0]) == b"[true,false,1,0]"


@pytest.mark.parametrize(
    "value",
    [{1: "x"}, b"bytes", {1.5}, object(), "\ud800", {"\udfff": 1}],
    ids=["int-key", "bytes", "set", "object", "lone-surrogate", "lone-surrogate-key"],
)
def test_values_outside_the_subset_are_refused(value: Any) -> None:
    with pytest.raises(CanonicalizationError):
        canonicalize(value)
