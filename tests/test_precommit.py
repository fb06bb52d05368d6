"""The pre-commit hooks end to end, with the real `pre-commit` tool, in temporary git repositories.

pre-commit builds a virtualenv for the hook repository (pip install of cleaner and its dependencies: about 20 s
with pip's cache warm). `pre-commit try-repo` always builds it afresh (it keeps its store in a temporary
directory), so it runs once, with both hooks; the other scenarios use `pre-commit run` with a
`.pre-commit-config.yaml` naming the same repository and revision and a session-wide PRE_COMMIT_HOME, so that
the environment is built once for all of them. The hook repository is one commit of this checkout's files
(committed or not: the work in the tree is what is tested).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from strategies import PIER_ARTICLE

import cleaner

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

STORY = [
    "The regional rail operator said on Monday that night trains between Harlow Cross and the coast will run "
    "again from the first week of June, after a winter in which the line was closed for repairs to two bridges.",
    "Engineers replaced the steel spans of the Millbeck viaduct and strengthened the piers of the smaller bridge "
    "near Oster, work that the operator says will let heavier trains use the line for another fifty years.",
    "Tickets go on sale next week. The operator expects the sleeper service to be full on most weekends of the "
    "summer, as it was before the closure, and has added a fourth carriage to the Friday departures.",
    "Passenger groups welcomed the news but asked for the morning connection at Harlow Cross to be kept, which "
    "was dropped from the winter timetable when buses replaced the trains on the closed section of the line.",
]


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding this checkout's files (committed or not) in one commit, and that commit."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    target = tmp_path_factory.mktemp("hookrepo")
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "hooks under test")
    return target, _git(target, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    repo = tmp_path / "corpus"
    repo.mkdir()
    _git(repo, "init", "-q")
    return repo


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    # pre-commit's pip install builds the compiled core (rust/) in its copy of the repository: with this checkout's
    # cargo build folder (filled by `make install`, same profile and features) only the crate itself is compiled
    # again, not its dependencies (a build from nothing took 2.5 minutes of this test's time on a loaded machine)
    env.setdefault("CARGO_TARGET_DIR", str(REPO / "rust" / "target"))
    env.pop("VIRTUAL_ENV", None)
    return env


def try_repo(corpus: Path, hook_repo: tuple[Path, str], home: Path, *files: str) -> subprocess.CompletedProcess[str]:
    """Every hook of the repository, through `pre-commit try-repo`."""
    path, rev = hook_repo
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(path), "--ref", rev, "--verbose"]
    return subprocess.run([*command, "--files", *files], cwd=corpus, env=_env(home), capture_output=True, text=True)


def run_hook(
    corpus: Path, hook_repo: tuple[Path, str], home: Path, hook: str, *files: str
) -> subprocess.CompletedProcess[str]:
    """One hook through `pre-commit run` and a config naming the hook repository: (exit status, output)."""
    path, rev = hook_repo
    config = corpus / ".pre-commit-config.yaml"
    if not config.exists():
        hooks = "    hooks:\n      - id: cleaner-clean\n      - id: cleaner-dedup\n"
        config.write_text(f"repos:\n  - repo: {path}\n    rev: {rev}\n{hooks}")
        _git(corpus, "add", config.name)
    command = [sys.executable, "-m", "pre_commit", "run", hook, "--verbose", "--files", *files]
    return subprocess.run(command, cwd=corpus, env=_env(home), capture_output=True, text=True)


def page(paragraphs: list[str], title: str) -> str:
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


SCRAPED = "\n".join(
    ["Share", "Facebook", "Twitter", "WhatsApp", "Email", "Copy link", "", page(PIER_ARTICLE, "Pier to close")]
)
# another outlet's copy of STORY: re-titled, its own dateline, the last paragraph trimmed, a word changed
WIRE = page([f"LONDON — {STORY[0]}", STORY[1].replace("fifty", "sixty"), STORY[2]], "Sleeper trains back in June")


def commit_story(corpus: Path) -> None:
    (corpus / "stories").mkdir()
    (corpus / "stories" / "rail.txt").write_text(page(STORY, "Night trains return to the coast line"))
    (corpus / "stories" / "pier.txt").write_text(page(PIER_ARTICLE, "Veldmark pier to close for two years"))
    _git(corpus, "add", "-A")
    _git(corpus, "commit", "-q", "-m", "two stories")


def duplicate_line(output: str) -> str:
    return next((line for line in output.splitlines() if "duplicate of" in line), output)


def test_try_repo_runs_both_hooks(corpus: Path, hook_repo, pre_commit_home: Path) -> None:
    commit_story(corpus)
    (corpus / "wire.txt").write_text(WIRE)
    (corpus / "page.txt").write_text(SCRAPED)
    _git(corpus, "add", "wire.txt", "page.txt")
    done = try_repo(corpus, hook_repo, pre_commit_home, "wire.txt", "page.txt")
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "files were modified by this hook" in output  # cleaner-clean
    assert (corpus / "page.txt").read_text() == cleaner.clean(SCRAPED).render()
    assert duplicate_line(output).startswith("wire.txt: duplicate of stories/rail.txt (similarity ")


def test_cleaner_dedup_fails_on_a_copy_of_a_tracked_file(corpus: Path, hook_repo, pre_commit_home: Path) -> None:
    commit_story(corpus)
    (corpus / "wire.txt").write_text(WIRE)
    (corpus / "other.txt").write_text(page(PIER_ARTICLE[3:] + STORY[3:], "A different story entirely"))
    _git(corpus, "add", "wire.txt")

    failed = run_hook(corpus, hook_repo, pre_commit_home, "cleaner-dedup", "wire.txt")
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0, output
    line = duplicate_line(output)
    assert line.startswith("wire.txt: duplicate of stories/rail.txt (similarity "), output
    similarity = float(line.rsplit("similarity ", 1)[1].rstrip(")"))
    assert 0.5 <= similarity <= 1.0

    # a staged file that is no copy passes; the index the first run built is used again
    _git(corpus, "rm", "-q", "--cached", "wire.txt")
    (corpus / "wire.txt").unlink()
    (corpus / "fresh.txt").write_text(page([PIER_ARTICLE[0], STORY[3]], "Two halves of two stories"))
    _git(corpus, "add", "fresh.txt")
    passed = run_hook(corpus, hook_repo, pre_commit_home, "cleaner-dedup", "fresh.txt")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert (corpus / ".cleaner" / "index.sqlite").is_file()


def test_cleaner_dedup_fails_on_two_staged_copies(corpus: Path, hook_repo, pre_commit_home: Path) -> None:
    (corpus / "a.txt").write_text(page(STORY, "Night trains return"))
    (corpus / "b.txt").write_text(page(STORY[:3], "Sleeper trains are back"))
    _git(corpus, "add", "a.txt", "b.txt")
    failed = run_hook(corpus, hook_repo, pre_commit_home, "cleaner-dedup", "a.txt", "b.txt")
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0, output
    assert "b.txt: duplicate of a.txt (similarity" in output


def test_cleaner_clean_cleans_in_place_and_fails_like_black(corpus: Path, hook_repo, pre_commit_home: Path) -> None:
    (corpus / "page.txt").write_text(SCRAPED)
    _git(corpus, "add", "page.txt")
    first = run_hook(corpus, hook_repo, pre_commit_home, "cleaner-clean", "page.txt")
    assert first.returncode != 0, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    assert (corpus / "page.txt").read_text() == cleaner.clean(SCRAPED).render()

    _git(corpus, "add", "page.txt")
    second = run_hook(corpus, hook_repo, pre_commit_home, "cleaner-clean", "page.txt")
    assert second.returncode == 0, second.stdout + second.stderr


def test_cleaner_clean_passes_a_cleaned_html_page(corpus: Path, hook_repo, pre_commit_home: Path) -> None:
    # Text the HTML path wrote, which the density model alone would trim (a menu inside the article): the hook
    # trusts it.
    from test_html_idempotent import MENU_IN_ARTICLE_HTML

    cleaned = cleaner.clean(MENU_IN_ARTICLE_HTML).render()
    assert cleaner.clean(cleaned).render() != cleaned
    (corpus / "timetable.txt").write_text(cleaned)
    _git(corpus, "add", "timetable.txt")
    done = run_hook(corpus, hook_repo, pre_commit_home, "cleaner-clean", "timetable.txt")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (corpus / "timetable.txt").read_text() == cleaned
