"""The README's tour, read from README.md and run line by line, in order,
against the embedded simulator: the tour cannot drift from the product.

Each line is run as a user types it, with these stand-ins only: the venv
activation is skipped (the tests run in it), `/tmp/...` paths are moved
under the test's temporary directory, `$EDITOR FILE` is a scripted edit,
and a confirmation prompt is answered `y` as on a terminal. A line of any
other shape fails the test, so the tour can only hold commands it runs.
"""

from __future__ import annotations

import glob
import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import ROOT, IdcRunner

MARKER = "<!-- tour: the test runs the commands of the next block -->"


def tour_lines(readme: str) -> list[str]:
    after = readme.split(MARKER, 1)[1]
    block = re.match(r"\s*```sh\n(.*?)\n```", after, re.S)
    assert block is not None, "the tour marker must precede a ```sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def _edit(path: Path) -> None:
    """The change the tour asks for: one account fewer for ReadOnly."""
    text = path.read_text()
    assert "'444444444446'" in text, text
    path.write_text("".join(line for line in text.splitlines(True) if "444444444446" not in line))


def test_the_readme_tour_runs_as_written(
    idc: IdcRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr("click.testing._NamedTextIOWrapper.isatty", lambda self: True)

    def local(word: str) -> str:
        return str(tmp_path / word.removeprefix("/tmp/")) if word.startswith("/tmp/") else word

    ran: list[str] = []
    for line in tour_lines((ROOT / "README.md").read_text()):
        for part in line.split("&&"):
            words = [local(w) for w in shlex.split(part, comments=True)]
            if words[0] == ".":
                assert (ROOT / words[1]).parent.is_dir() or words[1].startswith(".venv")
            elif words[0] == "mkdir":
                Path(words[1]).mkdir()
            elif words[0] == "cd":
                monkeypatch.chdir(words[1])
            elif words[0] == "$EDITOR":
                _edit(Path(words[1]))
            elif words[0] == "idc":
                redirect = words.index(">") if ">" in words else None
                args = words[1:redirect]
                args = [m for a in args for m in (sorted(glob.glob(a)) if "*" in a else [a])]
                result = idc(*args, input="y\n")
                assert result.exit_code == 0, (line, result.output)
                if redirect is not None:
                    Path(words[redirect + 1]).write_text(result.stdout)
                ran.append(" ".join(args))
            else:
                pytest.fail(f"the tour line {line!r} is not one this test knows how to run")
    org = tmp_path / "org"
    assert any(arg.startswith("--sim restore HEAD~1 --test") for arg in ran)
    assert (org / "plan.json").is_file()
    assert '"Statement"' in (org / "apply-policy.json").read_text()
