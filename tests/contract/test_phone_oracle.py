"""`type: phone` against libphonenumber (the `phonenumbers` package) as the oracle.

The generated code carries a compact parser and the numbering plans (calling codes, trunk
prefixes, international prefixes, possible lengths) taken from libphonenumber's metadata.
For libphonenumber's example numbers of every region, written in every common form, and
for the messy forms real sources send, it must give what libphonenumber gives:
`parse(text, region)`, then E.164 when `is_possible_number_with_reason` is IS_POSSIBLE
(a local-only length, such as a US number without its area code, is not a number Customer.io
can text), else nothing.
"""

from __future__ import annotations

import functools
import random
import re
from typing import Any

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from phonenumbers.phonenumberutil import ValidationResult

from generator.contract import compile_contract, reference
from generator.runtime import Transformation

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
TYPES = (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE)
# Messy forms seen in real traffic: extensions, (0) after the country code, dots, tel: URIs,
# invisible characters, numbers as JSON numbers, and text that is no phone at all.
MESSY = (
    ("US", "212.555.0110"), ("US", "+1 (718) 555-0113"), ("US", "1-212-555-0110 ext. 12"), ("US", "(646) 555-0199 x9"),
    ("US", "+1\u00a0212\u200b555\u20110110"), ("US", "tel:+1-212-555-0110"), ("US", "555-0110"),
    ("US", "1-800-FLOWERS"),
    ("US", "011 44 20 7946 0958"), ("US", "+44 (0)20 7946 0958"), ("US", "n/a"), ("US", "+999 123 456"), ("US", "0"),
    ("GB", "020 7946 0958"), ("GB", "07700 900123"), ("GB", "0044 7700 900123"), ("GB", "+44 020 7946 0958"),
    ("DE", "030 123456"), ("DE", "+49 (0)30 1234567"), ("DE", "0151 23456789"), ("FR", "01 23 45 67 89"),
    ("FR", "06.12.34.56.78"), ("JP", "090-1234-5678"), ("JP", "03-1234-5678"), ("AU", "0412 345 678"),
    ("AU", "(02) 9876 5432"), ("IN", "098765 43210"), ("IN", "+91 98765 43210"), ("BR", "(11) 91234-5678"),
    ("MX", "55 1234 5678"), ("IT", "06 1234 5678"), ("IT", "+39 06 1234 5678"), ("ES", "612 34 56 78"),
    ("NL", "06-12345678"), ("BY", "8 029 491-19-11"), ("CA", "604-555-0199"), ("SG", "8123 4567"),
    ("US", "tel:+1-212-555-0110;ext=12"),
    ("JP", "\uff10\uff19\uff10\u2212\uff11\uff12\uff13\uff14\u2212\uff15\uff16\uff17\uff18"),
    ("US", "Phone: (212) 555-0110."), ("GB", "+44 (0) 7700 900123 / x5"), ("US", "212-555-0110,,42"),
    ("AR", "011 15-2345-6789"), ("MX", "044 55 1234 5678"), ("CN", "010 1234 5678"),
)


def oracle(text: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def abroad(text: str, region: str) -> str | None:
    """libphonenumber's reading, except that 00 + country code is international everywhere:
    where the region dials abroad with another prefix (011 in the US) libphonenumber reads
    "0044 20 7946 0958" as a national number, and gen as the London number it is."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    idd = metadata.international_prefix if metadata is not None else None
    lead = re.match(r"^([^0-9]*)0([^0-9]*)0([^0-9]*)([1-9])", text)
    digits = "".join(ch for ch in text if ch.isdigit())
    if lead is None or (idd and re.match(idd, digits)):
        return oracle(text, region)
    return oracle(lead.group(1).replace("+", "") + "+" + text[lead.end(3):], region)


def written_forms(region: str) -> list[tuple[str, str | None]]:
    """(text, what libphonenumber makes of it in `region`) for the region's example numbers."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    forms: list[tuple[str, str | None]] = []
    for kind in TYPES:
        number = phonenumbers.example_number_for_type(region, kind)
        if number is None:
            continue
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        for form in (PhoneNumberFormat.E164, PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.NATIONAL,
                     PhoneNumberFormat.RFC3966):
            text = phonenumbers.format_number(number, form)
            forms.append((text, oracle(text, region)))
        forms.append(("00" + e164[1:], abroad("00" + e164[1:], region)))
        idd = metadata.international_prefix if metadata is not None else None
        if idd and idd.isdigit() and idd != "00":
            text = idd + " " + phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)[1:]
            forms.append((text, oracle(text, region)))
    return forms


@functools.cache
def transformation() -> Transformation:
    # One property per region, each reading national numbers in its own region. Quoted: YAML
    # reads a bare NO (Norway) as false.
    props = "\n".join(f"      p_{region}: {{type: phone, region: '{region}'}}" for region in REGIONS)
    text = f"contract: {{name: phones, version: 1}}\nevents:\n  Phones:\n    properties:\n{props}\n"
    result = compile_contract(text, "contract.yaml")
    assert result.ok, result.diagnostics
    return Transformation(result.files["transformation.js"], "transformation.js")


def run(cases: list[tuple[str, Any]]) -> list[str | None]:
    """What the generated code makes of each (region, value): E.164, or None (removed or flagged)."""
    if len(cases) > 500:
        # Requests of 200, as rudder-server sends them (the 4 s limit is per request).
        return [answer for start in range(0, len(cases), 200) for answer in run(cases[start:start + 200])]
    events = [{"type": "track", "event": "Phones", "messageId": f"m-{index}", "properties": {f"p_{region}": value}}
              for index, (region, value) in enumerate(cases)]
    answers = {}
    for entry in transformation().run(events).response:
        assert entry["statusCode"] == 200, entry
        properties = entry["output"]["properties"]
        value = next((v for k, v in properties.items() if k.startswith("p_")), None)
        violated = "dq_issues" in properties
        answers[entry["metadata"]["messageId"]] = None if violated else value
    return [answers[f"m-{index}"] for index in range(len(cases))]


def test_the_committed_plans_are_those_of_the_pinned_phonenumbers() -> None:
    assert reference.phone_plans() == reference.phone_data_from_phonenumbers()


def test_every_region_and_written_form_agrees_with_libphonenumber() -> None:
    cases = [(region, text, expected) for region in REGIONS for text, expected in written_forms(region)]
    answers = run([(region, text) for region, text, _ in cases])
    wrong = [(region, text, expected, got) for (region, text, expected), got in zip(cases, answers, strict=True)
             if got != expected]
    assert len(cases) > 3000
    assert not wrong, "\n".join(f"{r} {t!r}: libphonenumber {e}, gen {g}" for r, t, e, g in wrong[:20])


@pytest.mark.parametrize(("region", "text"), MESSY, ids=[f"{r}:{t}" for r, t in MESSY])
def test_messy_forms_agree_with_libphonenumber(region: str, text: str) -> None:
    [got] = run([(region, text)])
    assert got == abroad(text.replace("\u200b", "").replace("\u2011", "-"), region)


def test_json_numbers_and_lists() -> None:
    assert run([("US", 2125550110), ("US", 12125550110), ("US", 2.5), ("US", -2125550110)]) == [
        "+12125550110", "+12125550110", None, None]
    assert run([("US", ["n/a", "555-0110", "(646) 555-0199", "+1 212 555 0110"])]) == ["+16465550199"]
    assert run([("US", ["n/a", 5])]) == [None]


def test_random_digit_strings_agree_with_libphonenumber() -> None:
    # Digits in every region, with and without +, 00, a trunk prefix or a bracketed (0),
    # punctuation anywhere and extensions after: libphonenumber's reading of each, exactly.
    rng = random.Random(1)
    cases = []
    for _ in range(4000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(2, 16)))
        text = rng.choice(["", "", "+", "00", "0", "1", "(0)", "+ "]) + digits
        text = "".join(ch + (rng.choice(" -./()") if rng.random() < 0.15 else "") for ch in text)
        if rng.random() < 0.1:
            text += rng.choice([" ext. 12", " x9", "#", ".", "  ", " - 42#", ",,7"])
        cases.append((rng.choice(REGIONS), text))
    answers = run(cases)
    wrong = [(r, t, abroad(t, r), g) for (r, t), g in zip(cases, answers, strict=True) if g != abroad(t, r)]
    assert sum(answer is not None for answer in answers) > 600  # numbers, not only rejections
    assert not wrong, "\n".join(f"{r} {t!r}: libphonenumber {e}, gen {g}" for r, t, e, g in wrong[:20])
