"""The generated docs are current, and every command's --help reads well at
80 columns: it ends with examples, its one-line description is never cut
with "...", and no word is split across lines."""

from __future__ import annotations

import re

import click
import pytest

from reconciler.cli import reference
from tests.conftest import IdcRunner

COMMANDS = {" ".join(["idc", *path]): (cmd, ctx) for path, cmd, ctx in reference.commands()}


@pytest.mark.parametrize("name", sorted(reference.GENERATED))
def test_generated_docs_are_current(name: str) -> None:
    path = reference.DOCS / name
    expected = reference.GENERATED[name]()
    current = path.read_text(encoding="utf-8") if path.is_file() else ""
    assert current == expected, f"docs/{name} is stale; regenerate it with: {reference.REGENERATE}"


def test_the_reference_covers_every_command_and_subcommand() -> None:
    text = (reference.DOCS / "cli.md").read_text(encoding="utf-8")
    for name in ("idc plan", "idc history diff", "idc sim serve", "idc iam-policy"):
        assert name in COMMANDS
    for name in COMMANDS:
        assert f"\n## {name}\n" in text


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_ends_with_examples(name: str) -> None:
    cmd, ctx = COMMANDS[name]
    help_text = reference.help_text(cmd, ctx)
    description = help_text.split("\nOptions:\n", 1)[0]
    found = re.search(r"\n  Examples:\n((?:    \S.*\n?)+)$", description.rstrip() + "\n")
    assert found, f"`{name} --help` has no Examples: block at the end of its description"
    examples = found.group(1).splitlines()
    assert 1 <= len(examples) <= 3, examples
    assert any(line.strip().startswith("idc ") for line in examples), examples


@pytest.mark.parametrize(
    "name", sorted(n for n, (cmd, _) in COMMANDS.items() if isinstance(cmd, click.Group))
)
def test_command_lists_are_never_cut_short(name: str) -> None:
    cmd, ctx = COMMANDS[name]
    listing = reference.help_text(cmd, ctx).split("\nCommands:\n", 1)[1]
    for line in listing.splitlines():
        assert not line.rstrip().endswith("..."), f"cut in `{name} --help` at 80 columns: {line}"
        assert len(line.split(None, 1)) == 2, f"no description in `{name} --help`: {line}"


def _source_texts(cmd: click.Command) -> list[str]:
    texts = [cmd.help or ""]
    for param in cmd.params:
        if isinstance(param, click.Option) and param.help:
            texts.append(param.help)
    return texts


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_no_word_is_split_across_lines(name: str) -> None:
    """click wraps at hyphens and cuts words longer than the column; every
    word of the help as written must appear whole on one rendered line."""
    cmd, ctx = COMMANDS[name]
    lines = reference.help_text(cmd, ctx).splitlines()
    rendered = {word for line in lines for word in line.split()}
    for text in _source_texts(cmd):
        for word in text.split():
            if word != "\b":
                assert word in rendered, f"`{name} --help` splits {word!r} at 80 columns"


def test_no_word_check_catches_a_split_word() -> None:
    """The check above can fail: a hyphenated region at the wrap point is split."""

    @click.command()
    def demo() -> None:
        """Point clients at it with `--endpoint-url` or `AWS_ENDPOINT_URL`, region eu-west-1."""

    ctx = click.Context(demo, info_name="demo", terminal_width=80, max_content_width=80)
    rendered = {w for line in demo.get_help(ctx).splitlines() for w in line.split()}
    assert "eu-west-1." not in rendered


# SPEC as a word: the IDC_PIP_SPEC variable users set is not a citation.
INTERNAL = re.compile(r"(?<![A-Z_])SPEC(?![A-Z_])|AWS-NOTES|AWS_NOTES|\[EXT-\d+\]")


def test_user_visible_text_cites_no_internal_document(idc: IdcRunner) -> None:
    """Help, the iam-policy explanation, schemas, templates, README, docs/ and
    examples are what users read: none cites a document they do not have."""
    root = reference.DOCS.parent
    texts = {name: reference.help_text(cmd, ctx) for name, (cmd, ctx) in COMMANDS.items()}
    for args in (("snapshot",), ("plan",), ("apply", "--management-account")):
        result = idc("iam-policy", *args, "--format", "text")
        assert result.exit_code == 0, result.output
        texts[f"iam-policy {args[0]}"] = result.stdout
    for folder in ("reconciler/schemas", "reconciler/store/templates", "docs", "examples"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                texts[str(path.relative_to(root))] = path.read_text(encoding="utf-8")
    texts["README.md"] = (root / "README.md").read_text(encoding="utf-8")
    cited = {name: INTERNAL.findall(text) for name, text in texts.items()}
    assert not {name: found for name, found in cited.items() if found}
