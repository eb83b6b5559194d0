"""A plain install carries what `gen build` needs: the templates and the data files ride in the wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_templates_and_data(tmp_path: Path) -> None:
    # Built from a clean copy: a build/ left in the checkout would hide a missing file.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                    "--quiet", "-w", str(tmp_path)], check=True, cwd=tmp_path)
    (wheel,) = tmp_path.glob("gen_tracking_plan-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in sorted((ROOT / "templates").iterdir()):
        assert f"generator/templates/{template.name}" in names
    assert "generator/contract/data/phone.json" in names and "generator/runtime/sandbox.js" in names
    assert "generator/runtime/v8host.cjs" in names
    assert "generator/examples/contract.yaml" in names  # gen init starts from it
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "gen = generator.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
