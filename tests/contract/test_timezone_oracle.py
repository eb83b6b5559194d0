"""`type: timezone` against the IANA database as Python's zoneinfo reads it (the pinned `tzdata`).

The generated code cannot use Intl (QuickJS has none, and V8's answer depends on its ICU
build), so it carries the zone names: every name zoneinfo can load is accepted, in any
case, and given its own spelling; anything else is not a zone.
"""

from __future__ import annotations

import functools
import zoneinfo

from generator.contract import compile_contract, reference
from generator.runtime import Transformation

CONTRACT = """contract: {name: zones, version: 1}
traits:
  fields:
    timezone: {type: timezone}
events:
  Viewed: {}
"""


@functools.cache
def transformation() -> Transformation:
    result = compile_contract(CONTRACT, "contract.yaml")
    assert result.ok, result.diagnostics
    return Transformation(result.files["transformation.js"], "transformation.js")


def run(values: list[object]) -> list[object]:
    """The timezone trait each value leaves as (None when it was not a zone)."""
    answers: list[object] = []
    for start in range(0, len(values), 200):
        events = [{"type": "identify", "userId": "u-1", "messageId": f"m-{index}", "traits": {"timezone": value}}
                  for index, value in enumerate(values[start:start + 200])]
        for entry in transformation().run(events).response:
            traits = entry["output"]["traits"]
            answers.append(None if "dq_issues" in traits else traits.get("timezone"))
    return answers


def loadable(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def test_the_committed_names_are_those_of_the_pinned_tzdata() -> None:
    assert reference.timezones() == reference.timezone_data_from_tzdata()
    assert set(reference.timezones()) == zoneinfo.available_timezones() - {"Factory", "localtime"}


def test_every_zone_is_accepted_in_any_case_and_given_its_own_spelling() -> None:
    names = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})
    assert run(names) == names
    assert run([name.lower() for name in names]) == names
    assert run([f"  {name.upper()}\u200b " for name in names]) == names


def test_what_is_not_a_zone_name_is_not_accepted() -> None:
    others = ["PST", "CEST", "IST", "BST", "AEST", "GMT+5", "UTC+01:00", "+05:30", "America/New York",
              "America/NewYork", "Europe/Londres", "New York", "Eastern Time", "Mars/Olympus", "", " ", "null",
              "America/", "/UTC", "America//New_York", "../etc/passwd", "America\u2215New_York", 5, True, ["UTC"]]
    answers = run(others)
    for value, answer in zip(others, answers, strict=True):
        expected = value.strip() if isinstance(value, str) and value.strip() and loadable(value.strip()) else None
        assert answer == expected, value
