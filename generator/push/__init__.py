"""`gen push`: ship the transformation that `gen check` passed to RudderStack's Transformations API.

Uses generator.check (and through it the runtime); nothing below imports this package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import check
from ..contract.render import OUTPUT
from ..runtime import jsvalues
from .api import EU_API, REGIONS, TOKEN_VARIABLE, US_API, ApiError, Client, Request, url_problem
from .release import Outcome, PushError, Upload, description, push

__all__ = [
    "EU_API", "REGIONS", "TOKEN_VARIABLE", "US_API", "ApiError", "Client", "Outcome", "Prepared", "PushError",
    "Request", "Upload", "prepare", "push", "show", "url_problem",
]


@dataclass
class Prepared:
    """The check's report, and what to upload when it passed."""

    report: check.Report
    upload: Upload | None


def prepare(contract_path: Path, out_dir: Path, fixture_paths: list[Path], *, name: str | None = None,
            engine: str | None = None) -> Prepared:
    """Run `gen check`; when everything passes, the generated file's exact text, ready to upload."""
    report = check.run(contract_path, out_dir, fixture_paths, engine)
    if report.exit_code != check.OK or report.model is None:
        return Prepared(report, None)
    model = report.model  # the model the check passed, not a second read of the file
    target = out_dir / OUTPUT
    # Bytes, not read_text: newline translation would upload something other than what was checked.
    code = target.read_bytes().decode("utf-8")
    upload = Upload(name=name or model.name, code=code,
                    description=description(model.name, model.version, model.hash, contract_path.name),
                    source=target.as_posix())
    return Prepared(report, upload)


def show(request: Request, base_url: str, upload: Upload) -> str:
    """A request as `--dry-run` prints it: method, URL, and the JSON body with the code summarized."""
    lines = [f"{request.method} {base_url.rstrip('/')}{request.path}",
             f"  Authorization: Bearer ${TOKEN_VARIABLE}"]
    if request.body is not None:
        lines.append("  Content-Type: application/json")
        body: dict[str, Any] = dict(request.body)
        if body.get("code") == upload.code:
            size = len(upload.code.encode("utf-8"))
            body["code"] = f"<{upload.source}: {size} bytes, sha256 {upload.digest}>"
        lines += ["  " + line for line in jsvalues.dumps(body, indent=2).splitlines()]
    return "\n".join(lines)
