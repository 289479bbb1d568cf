"""`idc demo`: the guided end-to-end story on the embedded simulator.

Every step runs the real CLI (the same `run` the console script calls) against
a scratch GitOps repository whose `--sim` state persists between steps, so the
demo shows exactly what a user would see typing the commands.
"""

from __future__ import annotations

import shlex
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from reconciler.cli.context import AppContext, pass_app
from reconciler.errors import IdcError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@dataclass(frozen=True)
class Step:
    title: str
    explain: str
    argv: tuple[str, ...] = ()  # `idc` arguments, run with --repo <demo repo> --sim
    prepare: Callable[[Path], None] | None = None  # edits a person would make
    ok_codes: tuple[int, ...] = (0,)


def _add_auditor_access(repo: Path) -> None:
    """The edit a platform engineer would make in a pull request."""
    (repo / "desired" / "auditors.yaml").write_text(
        "# Auditors get read-only access to every production account.\n"
        "assignments:\n"
        "  - permission_set: ReadOnly\n"
        "    groups: [Auditors]\n"
        '    accounts: "tag:env=prod and not ou:/Root/Security"\n',
        encoding="utf-8",
    )


def _steps() -> list[Step]:
    return [
        Step(
            "Validate the example repositories",
            "Schema and semantic checks; errors would be file:line:col.",
        ),
        Step(
            "Adopt the live organization",
            "Scaffolds idc.yaml, workflows and desired/ written from live state.",
            ("init", "--from-live"),
        ),
        Step(
            "Preview an account filter",
            "Filters expand against the live Organizations inventory.",
            ("accounts", "--filter", "ou:/Root/Prod or tag:env=dev"),
        ),
        Step(
            "Take a snapshot",
            "Reads all of Identity Center and commits canonical YAML to state/.",
            ("snapshot", "-m", "demo: first snapshot"),
        ),
        Step(
            "Plan a reviewed change",
            "Auditors get ReadOnly on prod accounts, chosen by a filter.",
            ("plan", "--detailed-exitcode", "-o", "{repo}/plan.json"),
            prepare=_add_auditor_access,
            ok_codes=(0, 2),
        ),
        Step(
            "Apply the saved plan",
            "Every mutation is journaled (intent before, done after).",
            ("apply", "{repo}/plan.json", "--auto-approve"),
        ),
        Step(
            "Snapshot again",
            "Git history is the backup catalogue.",
            ("snapshot", "-m", "demo: after apply"),
        ),
        Step("Browse history", "Snapshots as commits.", ("history", "list")),
        Step("Diff two snapshots", "Semantic, by kind and key.", ("history", "diff", "HEAD~1")),
        Step(
            "Roll the apply back",
            "Undo exactly what the journal recorded.",
            ("rollback", "{journal}", "--auto-approve"),
        ),
        Step(
            "Plan again",
            "After the rollback the reviewed change is pending once more.",
            ("plan", "--detailed-exitcode"),
            ok_codes=(2,),
        ),
    ]


@click.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the demo repository here (default: a temporary directory, removed after).",
)
@pass_app
def command(app: AppContext, directory: Path | None) -> None:
    """Guided end-to-end run on the embedded simulator.

    Adopts the demo organization, snapshots it, plans and applies a change,
    browses history and rolls the change back, printing each command it
    runs.

    \b
    Examples:
      idc demo
      idc demo --dir /tmp/idc-demo
    """
    from reconciler.cli.main import COMMANDS, run
    from reconciler.cli.sim_extra import simulator_required

    with simulator_required("idc demo"):  # say so once, before any step runs
        import reconciler.sim  # noqa: F401

    keep = directory is not None
    repo = directory or Path(tempfile.mkdtemp(prefix="idc-demo-"))
    repo.mkdir(parents=True, exist_ok=True)
    out = app.out
    out.print(f"[bold]idc demo[/bold] in {repo} (embedded simulator, no AWS credentials needed)\n")
    try:
        for number, step in enumerate(_steps(), start=1):
            out.print(f"[bold cyan]{number}. {step.title}[/bold cyan] — {step.explain}")
            if not step.argv:
                _validate_examples(app)
                continue
            verb = step.argv[0]
            if verb not in COMMANDS:
                out.print(f"   [dim]`idc {verb}` is not built yet; it will run here.[/dim]\n")
                continue
            if step.prepare:
                step.prepare(repo)
            argv = [
                a.replace("{journal}", _latest_journal(repo)).replace("{repo}", str(repo))
                for a in step.argv
            ]
            out.print(f"   $ idc {shlex.join(argv)}")
            code = run(["--repo", str(repo), "--sim", "--no-color", *argv])
            if code not in step.ok_codes:
                raise IdcError(f"demo step {number} (`idc {shlex.join(argv)}`) exited {code}")
            out.print("")
        out.print("[bold green]Demo complete.[/bold green]")
    finally:
        if not keep:
            shutil.rmtree(repo, ignore_errors=True)


def _validate_examples(app: AppContext) -> None:
    from reconciler.cli.main import run

    if not EXAMPLES.is_dir():  # installed from a wheel: examples ship with the source only
        app.out.print("   [dim]the example repositories are in the source tree; skipped[/dim]\n")
        return
    for example in sorted(p for p in EXAMPLES.iterdir() if (p / "idc.yaml").exists()):
        app.out.print(f"   $ idc --repo examples/{example.name} validate")
        if run(["--repo", str(example), "--no-color", "validate"]) != 0:
            raise IdcError(f"example {example.name} does not validate")
    app.out.print("")


def _latest_journal(repo: Path) -> str:
    journals = sorted((repo / "journal").glob("*.jsonl")) if (repo / "journal").exists() else []
    journals = [j for j in journals if j.name != "audit.jsonl"]
    return str(journals[-1]) if journals else "journal/none.jsonl"
