"""Rule 24: outputs leave the isolate with JSON semantics."""

from __future__ import annotations

import json


def test_outputs_are_copied_out_with_json_semantics(load):
    response = load("json_semantics.js").run([{"messageId": "m-1"}]).response
    assert len(response) == 1
    output = response[0]["output"]
    assert output == {
        "nan": None,
        "inf": None,
        "negInf": None,
        "date": "2024-01-02T03:04:05.006Z",
        "map": {},
        "set": {},
        "holes": [1, None, None, 2],
        "point": {"x": 1},
    }
    # Exact JSON text: `gone` and `point.y` (undefined) vanish, no key is left holding undefined.
    assert json.dumps(output, separators=(",", ":")) == (
        '{"nan":null,"inf":null,"negInf":null,"date":"2024-01-02T03:04:05.006Z","map":{},"set":{},'
        '"holes":[1,null,null,2],"point":{"x":1}}'
    )
