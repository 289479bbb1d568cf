"""The plan as a pull-request comment.

A header names where the plan was made (instance, region, the commit of the
desired state), so the comment stands on its own; a legend lists the marks
it uses. Why the plan cannot be applied (when it cannot), the summary table, warnings
and what the plan leaves alone first, then one section per kind; attribute
diffs of updates and policy diffs (unified JSON) sit in collapsed `<details>`
blocks, as do long sections. GitHub rejects comments over 65,536 characters: when the full
rendering is larger, every section is cut at entry boundaries to a fair share
of the budget, with a note saying how much is left out and that the complete
plan is in the JSON plan artifact. An entry whose details alone are too big
(a policy diff of thousands of lines) is still listed, without its details,
so a reviewer always sees which resources change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from reconciler.plan import ACTIONS, Change, Plan
from reconciler.render.diffs import (
    attribute_changes,
    compact_json,
    named_account,
    pretty_json,
    shown_attributes,
    subject,
    unified_json_diff,
)
from reconciler.render.grouping import (
    KIND_TITLES,
    LEGEND,
    by_kind,
    header_facts,
    legend_entries,
    scope_notes,
    skipped_lines,
    summary_line,
)

GITHUB_COMMENT_LIMIT = 65_536
# Room left under the limit for what CI appends (links to the run and the
# plan artifact, a stale-plan notice), so the posted comment still fits.
CI_ROOM = 2_000
# The first line of every plan comment: a pull request's plan job finds its
# own (sticky) comment by this prefix and edits it in place.
MARKER = "<!-- idc-plan"
COLLAPSE_OVER = 10  # entries; longer sections start collapsed
MARK = {"create": "🟢 create", "update": "🟡 update", "delete": "🔴 delete"}
SYMBOL = {"create": "🟢", "update": "🟡", "delete": "🔴", "reprovision": "🔁"}
INLINE_UP_TO = 80  # characters of compact JSON shown inline; longer values get a block
TRUNCATED = (
    "> ✂️ {omitted} more {noun} not shown to stay under GitHub's comment size limit; "
    "the full plan is in the JSON plan artifact (`idc plan -o plan.json`)."
)
DETAILS_LEFT_OUT = (
    "  - details ({size:,} characters) left out to stay under GitHub's comment size "
    "limit; see `idc plan` or the JSON plan artifact"
)


@dataclass
class _Entry:
    full: str  # the change with its details
    brief: str  # the change line alone, with a note that details are left out


@dataclass
class _Section:
    kind: str
    entries: list[_Entry]
    shown: list[str] = field(default_factory=list)

    def full_size(self) -> int:
        return sum(len(e.full) + 1 for e in self.entries)


def render_markdown(plan: Plan, *, limit: int = GITHUB_COMMENT_LIMIT - CI_ROOM) -> str:
    """Markdown no longer than `limit` characters, starting with MARKER."""
    head = "\n".join(_head(plan)) + "\n"
    sections = [
        _Section(kind, [_entry(c, plan.accounts) for c in changes])
        for kind, changes in by_kind(plan.changes)
    ]
    reserve = 600 * (len(sections) + 1)  # titles, <details> wrappers, truncation notes
    _fit(sections, max(limit - len(head) - reserve, 0))
    text = head + "".join(_section_text(s) for s in sections)
    if len(text) > limit:  # a pathological head (thousands of warnings): cut hard
        cut = TRUNCATED.format(omitted="lines", noun="of this comment")
        text = text[: limit - len(cut) - 2] + "\n" + cut + "\n"
    return text


def marker(plan: Plan) -> str:
    """The hidden first line: MARKER, then where the plan was made."""
    facts = [f"instance={plan.instance_arn}"] if plan.instance_arn else []
    if plan.desired_commit:
        facts.append(f"commit={plan.desired_commit}")
    return " ".join([MARKER, *facts, "-->"])


def _head(plan: Plan) -> Iterable[str]:
    yield marker(plan)
    yield f"### idc plan: {summary_line(plan).removeprefix('Plan: ')}"
    yield ""
    facts = header_facts(plan)
    if facts:
        yield " · ".join(f"{name} `{_code(value)}`" for name, value in facts)
        yield ""
    if plan.refused:
        yield f"> ⛔ **This plan cannot be applied:** {_inline(plan.refused)}"
        yield ""
    if plan.empty:
        yield "No changes. Identity Center matches the desired state."
    else:
        yield "| kind | " + " | ".join(ACTIONS) + " |"
        yield "|---|" + "---:|" * len(ACTIONS)
        for kind, changes in by_kind(plan.changes):
            counts = [sum(1 for c in changes if c.action == a) for a in ACTIONS]
            yield f"| {KIND_TITLES[kind]} | " + " | ".join(map(str, counts)) + " |"
        yield ""
        legend = (f"{SYMBOL[entry]} = {LEGEND[entry]}" for entry in legend_entries(plan))
        yield "Legend: " + " · ".join(legend)
    if plan.skipped:
        yield ""
        yield f"**Skipped ({len(plan.skipped)})**"
        yield ""
        yield "```"
        yield from skipped_lines(plan)
        yield "```"
    if plan.warnings:
        yield ""
        yield "**Warnings**"
        yield ""
        for warning in plan.warnings:
            yield f"- ⚠️ {_inline(warning)}"
    notes = scope_notes(plan)
    if notes:
        yield ""
        yield "**Not changed by this plan**"
        yield ""
        yield from (f"- {_inline(note)}" for note in notes)
    yield ""


def _fit(sections: list[_Section], budget: int) -> None:
    """Show every entry if it fits; else give each section a fair share,
    smallest first, so unused share flows to the larger sections. Within a
    share, an entry too big with its details is shown brief."""
    if sum(s.full_size() for s in sections) <= budget:
        for s in sections:
            s.shown = [e.full for e in s.entries]
        return
    remaining = budget
    ordered = sorted(sections, key=_Section.full_size)
    for index, section in enumerate(ordered):
        share = remaining // (len(ordered) - index)
        used = 0
        section.shown = []
        for entry in section.entries:
            text = entry.full if used + len(entry.full) + 1 <= share else entry.brief
            if used + len(text) + 1 > share:
                break
            used += len(text) + 1
            section.shown.append(text)
        remaining -= used


def _section_text(section: _Section) -> str:
    total = len(section.entries)
    lines = [f"#### {KIND_TITLES[section.kind]} ({total})", ""]
    body = section.shown
    collapse = total > COLLAPSE_OVER
    if collapse:
        lines += [f"<details><summary>{total} changes</summary>", ""]
    lines += body
    if collapse:
        lines += ["", "</details>"]
    if len(section.shown) < total:
        omitted = total - len(section.shown)
        noun = "change" if omitted == 1 else "changes"
        lines += [
            "",
            TRUNCATED.format(omitted=omitted, noun=f"{KIND_TITLES[section.kind].lower()} {noun}"),
        ]
    return "\n".join(lines) + "\n\n"


def _entry(change: Change, accounts: Mapping[str, str]) -> _Entry:
    line = f"- {MARK[change.action]} `{_code(subject(change, accounts))}`"
    if change.reason:
        line += f": {_inline(change.reason)}"
    details = list(_details(change, accounts))
    if not details:
        return _Entry(line, line)
    full = "\n".join(
        [line, "  <details><summary>details</summary>", "", *details, "", "  </details>"]
    )
    return _Entry(full, line + "\n" + DETAILS_LEFT_OUT.format(size=len(full) - len(line)))


def _details(change: Change, accounts: Mapping[str, str]) -> Iterable[str]:
    if change.action == "create" and change.kind not in ("membership", "assignment"):
        for name, value in shown_attributes(change.after):
            yield from _value_lines(name, value)
    if change.action == "update":
        for attr in attribute_changes(change):
            if attr.structured or attr.status != "changed":
                yield f"  - `{attr.name}` ({attr.status}):"
                yield ""
                yield "    ```diff"
                yield from (
                    f"    {line}" for line in unified_json_diff(attr.name, attr.old, attr.new)
                )
                yield "    ```"
            else:
                old, new = _code(compact_json(attr.old)), _code(compact_json(attr.new))
                yield f"  - `{attr.name}`: `{old}` → `{new}`"
    if change.reprovision:
        names = ", ".join(named_account(a, accounts) for a in change.reprovision)
        yield f"  - {SYMBOL['reprovision']} re-provision to: {_inline(names)}"


def _value_lines(name: str, value: object) -> Iterable[str]:
    """A created attribute: inline when short, else pretty JSON in a fenced
    block (an inline policy reads as it does in the terminal plan; a JSON
    line never starts with a backtick, so it cannot close the fence)."""
    text = compact_json(value)
    if len(text) <= INLINE_UP_TO:
        yield f"  - `{name}` = `{_code(text)}`"
        return
    yield f"  - `{name}` ="
    yield ""
    yield "    ```json"
    yield from (f"    {line}" for line in pretty_json(value).splitlines())
    yield "    ```"


def _code(text: str) -> str:
    """Text safe inside a single-backtick code span."""
    return text.replace("`", "'").replace("\n", " ")


def _inline(text: str) -> str:
    """Plain text safe in a list item or table cell."""
    return text.replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")
