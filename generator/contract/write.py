"""Stage 5, write: put rendered files in place atomically, or report how they differ (drift)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write(files: dict[str, str], out_dir: Path) -> list[Path]:
    """Write each file through a temporary file and a rename, so a reader never sees half a file."""
    written = []
    for relative, text in sorted(files.items()):
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and target.read_bytes() == text.encode("utf-8"):
            continue
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            # mkstemp makes the file private (0600); a generated file gets what any new file gets.
            os.fchmod(fd, 0o666 & ~_umask())
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(target)
    return written


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def drift(files: dict[str, str], out_dir: Path) -> list[Path]:
    """The files that are missing or differ from what the contract renders."""
    stale = []
    for relative, text in sorted(files.items()):
        target = out_dir / relative
        if not target.is_file() or target.read_bytes() != text.encode("utf-8"):
            stale.append(target)
    return stale
