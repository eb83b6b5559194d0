"""Items 9-11 of the hardening issue: bad input to any command is one clear line and exit 2, never a traceback.

Each case writes some files, runs one command line, and states the exit code and a phrase the
output must contain. A case fails if the command raises, prints a traceback,
or takes more than a moment (the billion-laughs contract).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

IDENTITY = "export function transformEvent(event) {\n  return event;\n}\n"
EVENT = '[{"type": "track", "event": "A", "messageId": "m-1"}]'
LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip([None, "a", "b", "c", "d", "e", "f", "g", "h"], "abcdefghi", strict=True)
)


@dataclass
class Case:
    name: str
    argv: list[str]
    files: dict[str, str | bytes] = field(default_factory=dict)
    code: int = 2
    says: str = ""


CASES = [
    # -- gen build: contracts -------------------------------------------------------------
    Case("build: Latin-1 contract", ["build", "c.yaml"], {"c.yaml": "contract:\n  name: caf\xe9\n".encode("latin-1")},
         says="c.yaml:2:12: error: the contract is not UTF-8 text"),
    Case("build: UTF-16 contract", ["build", "c.yaml"], {"c.yaml": "contract: {}\n".encode("utf-16")},
         says="looks like UTF-16"),
    Case("build: binary contract", ["build", "c.yaml"], {"c.yaml": bytes(range(256))}, says="not UTF-8 text"),
    Case("build: empty events", ["build", "c.yaml"], {"c.yaml": "contract: {name: a, version: 1}\nevents:\n"},
         says="error"),
    Case("build: merge key", ["build", "c.yaml", "--out", "out"],
         {"c.yaml": "contract: {name: a, version: 1}\nevents:\n  A:\n    properties:\n"
                    "      p: &p {type: string}\n      q: {<<: *p, required: true}\n"}, code=0, says="wrote"),
    Case("build: merge key of a scalar", ["build", "c.yaml"],
         {"c.yaml": "contract: {name: a, version: 1}\nevents:\n  A: {<<: 5}\n"}, says="merge key"),
    Case("build: 10,000 nested brackets", ["build", "c.yaml"], {"c.yaml": "a: " + "[" * 10_000 + "]" * 10_000},
         says="nests more than"),
    Case("build: billion laughs", ["build", "c.yaml"], {"c.yaml": LAUGHS}, says="aliases expand"),
    Case("build: recursive alias", ["build", "c.yaml"], {"c.yaml": "a: &a [*a]\n"}, says="contains it"),
    Case("build: unknown tag", ["build", "c.yaml"], {"c.yaml": "contract: !nope x\nevents: {}\n"}, says="error"),
    Case("build: python tag", ["build", "c.yaml"],
         {"c.yaml": "contract: !!python/object/apply:os.system ['true']\nevents: {}\n"}, says="error"),
    Case("build: empty file", ["build", "c.yaml"], {"c.yaml": ""}, says="empty"),
    Case("build: a directory", ["build", "d"], {"d/x": ""}, says="cannot read"),
    Case("build: missing file", ["build", "missing.yaml"], says="cannot read"),
    Case("build: --out is a file", ["build", "c.yaml", "--out", "taken"],
         {"c.yaml": "contract: {name: a, version: 1}\nevents: {A: {}}\n", "taken": ""}, says="cannot write"),
    Case("build: --out under a file", ["build", "c.yaml", "--out", "taken/deeper"],
         {"c.yaml": "contract: {name: a, version: 1}\nevents: {A: {}}\n", "taken": ""}, says="cannot write"),
    Case("build: --check with a directory in the way", ["build", "c.yaml", "--out", "out", "--check"],
         {"c.yaml": "contract: {name: a, version: 1}\nevents: {A: {}}\n", "out/transformation.js/x": ""}, code=1,
         says="out of date"),
    Case("build: NUL and a lone surrogate in names", ["build", "c.yaml", "--out", "out"],
         {"c.yaml": 'contract: {name: "a\\0b", version: 1, description: "x\\0\\ud800"}\n'
                    'events:\n  "Order\\0Done": {description: "d\\0"}\n'}, code=0, says="wrote"),
    # -- gen run: transformations ------------------------------------------------------------
    Case("run: Latin-1 transformation", ["run", "t.js", "e.json"],
         {"t.js": "// caf\xe9\n".encode("latin-1") + IDENTITY.encode(), "e.json": EVENT}, says="not UTF-8 text"),
    Case("run: UTF-16 transformation", ["run", "t.js", "e.json"],
         {"t.js": IDENTITY.encode("utf-16"), "e.json": EVENT}, says="looks like UTF-16"),
    Case("run: binary transformation", ["run", "t.js", "e.json"], {"t.js": bytes(range(256)), "e.json": EVENT},
         says="not UTF-8 text"),
    Case("run: NUL in a comment", ["run", "t.js", "e.json"], {"t.js": "// a\0b\n" + IDENTITY, "e.json": EVENT},
         code=0, says=""),
    # -- gen run: events ------------------------------------------------------------------------
    Case("run: metadata is a list", ["run", "t.js", "e.json"],
         {"t.js": IDENTITY, "e.json": '{"message": {"type": "track"}, "metadata": [1]}'}, says="metadata"),
    Case("run: credentials in an envelope are numbers", ["run", "t.js", "e.json"],
         {"t.js": IDENTITY, "e.json": '{"message": {"type": "track"}, "credentials": [1, 2]}'}, says="credentials"),
    Case("run: lone surrogate", ["run", "t.js", "e.json"],
         {"t.js": IDENTITY, "e.json": '[{"type": "track", "x": "\\ud800"}]'}, code=0, says=""),
    Case("run: 10,000 nested brackets", ["run", "t.js", "e.json"],
         {"t.js": IDENTITY, "e.json": '[{"type": "track", "p": ' + "[" * 10_000 + "]" * 10_000 + "}]"},
         code=0, says="times out"),
    Case("run: NaN literal", ["run", "t.js", "e.json"], {"t.js": IDENTITY, "e.json": '[{"x": NaN}]'},
         says="NaN is not JSON"),
    Case("run: number overflow", ["run", "t.js", "e.json"], {"t.js": IDENTITY, "e.json": '[{"x": 1e400}]'},
         code=0, says=""),
    Case("run: not JSON", ["run", "t.js", "e.json"], {"t.js": IDENTITY, "e.json": "{"}, says="invalid JSON"),
    Case("run: a number", ["run", "t.js", "e.json"], {"t.js": IDENTITY, "e.json": "5"}, says="must be a JSON object"),
    Case("run: empty events", ["run", "t.js", "e.json"], {"t.js": IDENTITY, "e.json": " \n"}, says="no events"),
    Case("run: events not UTF-8", ["run", "t.js", "e.json"], {"t.js": IDENTITY, "e.json": b'[{"x": "\xff"}]'},
         says="not UTF-8 text"),
    # -- gen run: options -----------------------------------------------------------------------
    *[Case(f"run: --timeout {v}", ["run", "t.js", "e.json", "--timeout", v], {"t.js": IDENTITY, "e.json": EVENT},
           says="--timeout") for v in ("-1", "0", "nan", "inf", "abc", "1e12")],
    *[Case(f"run: --memory {v}", ["run", "t.js", "e.json", "--memory", v], {"t.js": IDENTITY, "e.json": EVENT},
           says="--memory") for v in ("0", "-5", "99999999", "1.5")],
    Case("run: --credentials [1, 2]", ["run", "t.js", "e.json", "--credentials", "c.json"],
         {"t.js": IDENTITY, "e.json": EVENT, "c.json": "[1, 2]"}, says="credentials"),
    Case("run: --credentials a string", ["run", "t.js", "e.json", "--credentials", "c.json"],
         {"t.js": IDENTITY, "e.json": EVENT, "c.json": '"key"'}, says="credentials"),
    Case("run: --metadata a list", ["run", "t.js", "e.json", "--metadata", "m.json"],
         {"t.js": IDENTITY, "e.json": EVENT, "m.json": "[1]"}, says="metadata"),
    Case("run: --metadata billion laughs", ["run", "t.js", "e.json", "--metadata", "m.yaml"],
         {"t.js": IDENTITY, "e.json": EVENT, "m.yaml": LAUGHS}, says="aliases expand"),
    Case("run: --fetch status not a number", ["run", "t.js", "e.json", "--fetch", "f.json"],
         {"t.js": IDENTITY, "e.json": EVENT, "f.json": '{"https://a.b/": {"status": "abc"}}'}, says="status"),
    Case("run: --fetch status overflowing", ["run", "t.js", "e.json", "--fetch", "f.json"],
         {"t.js": IDENTITY, "e.json": EVENT, "f.json": '{"https://a.b/": {"status": 1e400}}'}, says="status"),
    Case("run: --fetch headers a list", ["run", "t.js", "e.json", "--fetch", "f.json"],
         {"t.js": IDENTITY, "e.json": EVENT, "f.json": '{"https://a.b/": {"headers": [1]}}'}, says="headers"),
    Case("run: --fetch answer a string", ["run", "t.js", "e.json", "--fetch", "f.json"],
         {"t.js": IDENTITY, "e.json": EVENT, "f.json": '{"https://a.b/": "ok"}'}, says="canned response"),
    # -- gen test: fixtures ------------------------------------------------------------------------
    Case("test: Latin-1 fixture", ["test", "a.fixture.yaml"],
         {"a.fixture.yaml": "cases: [{name: caf\xe9}]\n".encode("latin-1")}, code=1, says="not UTF-8 text"),
    Case("test: fixture billion laughs", ["test", "a.fixture.yaml"], {"a.fixture.yaml": LAUGHS}, code=1,
         says="aliases expand"),
    Case("test: negative limits", ["test", "a.fixture.yaml"],
         {"t.js": IDENTITY, "a.fixture.yaml": "transformation: t.js\nlimits: {memory_mb: -1}\n"
                                              "cases: [{event: {type: track}, expect: {dropped: true}}]\n"},
         code=1, says="memory_mb"),
    Case("test: transformation not UTF-8", ["test", "a.fixture.yaml"],
         {"t.js": b"\xff\xfe", "a.fixture.yaml": "transformation: t.js\n"
                                                 "cases: [{event: {type: track}, expect: {dropped: true}}]\n"},
         code=1, says="failed"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_one_clear_line(case: Case, tmp_path: Path) -> None:
    for name, content in case.files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, case.argv)
    finally:
        os.chdir(cwd)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    assert result.exit_code == case.code, result.output
    if case.code == 0 and case.argv[0] == "run":
        json.loads(result.stdout)
    assert case.says in result.output, result.output
    if case.argv[0] == "build" and case.code == 2 and "cannot" not in case.says:
        # compiler-style: FILE:LINE:COLUMN: error: …
        assert any(line.startswith(f"{case.argv[1]}:") and ": error: " in line for line in result.stderr.splitlines())
