"""A wheel a user can install (issue 21): `pip wheel` builds one from the repository, and a fresh virtual
environment holding nothing but that wheel and its dependencies from the package index runs `cleaner clean` on a
page, giving what this checkout gives.

Marked `wheel` (it runs in `make test`; `-m "not wheel"` leaves it out while iterating). It takes a few tens of
seconds with pip's cache warm: the build runs in a copy of the tracked files, so the checkout gets no `build/`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import cleaner

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "fixtures" / "pages"


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    return [name for name in listed.decode().split("\0") if name and (REPO / name).is_file()]


def pip(python: Path | str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONWARNINGS": "ignore"}
    env.pop("PIP_REQUIRE_VIRTUALENV", None)
    # the wheel holds the compiled core (rust/): with this checkout's cargo build folder (filled by `make install`)
    # only the crate is compiled again, not its dependencies
    env.setdefault("CARGO_TARGET_DIR", str(REPO / "rust" / "target"))
    done = subprocess.run(
        [str(python), "-m", "pip", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done


@pytest.mark.wheel
def test_a_built_wheel_installs_alone_and_cleans_a_page(tmp_path: Path) -> None:
    source = tmp_path / "source"
    for name in tracked_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    dist = tmp_path / "dist"
    pip(sys.executable, "wheel", "--no-deps", "-q", "-w", str(dist), ".", cwd=source)
    (wheel,) = dist.glob("cleaner-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "cleaner/packs/generic.toml" in names and "cleaner/models/density.json" in names
    assert not any(name.startswith("tests/") for name in names)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    pip(python, "install", "-q", str(wheel))

    page = sorted(PAGE.glob("*.txt"))[0]
    work = tmp_path / "work"  # not the checkout: the installed package must be the one that runs
    work.mkdir()
    shutil.copy(page, work / "page.txt")
    done = subprocess.run(
        [str(venv / "bin" / "cleaner"), "clean", "page.txt"], cwd=work, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == cleaner.clean(page.read_text(encoding="utf-8")).render()
    where = subprocess.run(
        [str(python), "-c", "import cleaner; print(cleaner.__file__)"], cwd=work, capture_output=True, text=True
    )
    assert where.stdout.startswith(str(venv))
