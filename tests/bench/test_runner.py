"""`make bench` (python -m benchmarks) fails when a row misses its target or a
benchmark breaks; fed made-up rows here, no benchmark is run."""

from __future__ import annotations

import pytest

from benchmarks.__main__ import run_benches
from benchmarks.common import Row


def row(metric: str, ok: bool) -> Row:
    return Row("fake", "small", metric, 2.0, "s", "< 1.5 s", ok)


def test_every_target_met_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_benches({"a": lambda quick: [row("wall time", True)]}) == 0
    out, err = capsys.readouterr()
    assert "wall time" in out and "ok" in out and "missed" not in err


def test_a_missed_target_exits_1_and_names_the_row(capsys: pytest.CaptureFixture[str]) -> None:
    benches = {
        "a": lambda quick: [row("wall time", True)],
        "b": lambda quick: [row("API calls", False), row("peak memory", True)],
    }
    assert run_benches(benches) == 1
    out, err = capsys.readouterr()
    assert "MISS" in out and "peak memory" in out  # the whole table is still shown
    assert "missed: fake small API calls: target < 1.5 s" in err
    assert "wall time" not in err


def test_a_broken_benchmark_exits_1_and_the_others_still_report(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken(quick: bool) -> list[Row]:
        raise RuntimeError("simulator refused")

    ran: list[bool] = []

    def fine(quick: bool) -> list[Row]:
        ran.append(quick)
        return [row("wall time", True)]

    assert run_benches({"broken": broken, "fine": fine}, quick=True) == 1
    out, err = capsys.readouterr()
    assert ran == [True] and "wall time" in out
    assert "simulator refused" in err and "failed: broken" in err


@pytest.mark.parametrize(("target", "ok"), [("", True), ("< 3 s", None)])
def test_a_row_must_carry_its_target_and_whether_it_met_it(target: str, ok: object) -> None:
    with pytest.raises(ValueError, match="needs a target"):
        Row("fake", "small", "wall time", 1.0, "s", target, ok)  # type: ignore[arg-type]
