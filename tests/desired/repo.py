"""Build throwaway GitOps repositories for tests: idc.yaml plus desired files."""

from __future__ import annotations

import textwrap
from pathlib import Path

DEFAULT_SETTINGS = "instance: auto\n"


def make_repo(
    root: Path, files: dict[str, str | bytes], settings: str | None = DEFAULT_SETTINGS
) -> Path:
    """Write `files` (path relative to the repo -> text, dedented) and idc.yaml."""
    if settings is not None:
        (root / "idc.yaml").write_text(settings, encoding="utf-8")
    (root / "desired").mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root
