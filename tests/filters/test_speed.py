"""What keeps filter expansion fast at plan scale, asserted as work done, not
time taken (the timing is `python -m benchmarks --only filters`): rules that
share filters share their evaluation, and every distinct atom is evaluated
once however many filters and rules use it."""

from __future__ import annotations

from collections import Counter

import pytest

import reconciler.desired.filters.evaluate as evaluate
from benchmarks.filters_bench import synthetic_filters, synthetic_org
from reconciler.desired.filters import Inventory, expand, parse
from reconciler.desired.filters.nodes import Atom, Expr


def test_rules_sharing_filters_evaluate_each_atom_once(monkeypatch: pytest.MonkeyPatch) -> None:
    members, org_units = synthetic_org(300)
    inventory = Inventory(members, org_units, management_account_id="100000000000")
    texts = synthetic_filters(100)
    evaluated: Counter[Expr] = Counter()
    real_atom = evaluate._atom

    def counting_atom(expr: Expr, inv: Inventory) -> frozenset[str]:
        evaluated[expr] += 1
        return real_atom(expr, inv)

    monkeypatch.setattr(evaluate, "_atom", counting_atom)
    cold = [expand(text, inventory) for text in texts]
    after_cold = sum(evaluated.values())
    # 10,000 rules reusing the 100 filters round-robin, as a large plan does.
    for i in range(10_000):
        assert expand(texts[i % len(texts)], inventory) == cold[i % len(texts)]
    assert sum(evaluated.values()) == after_cold  # the rules evaluated nothing new
    assert max(evaluated.values()) == 1  # an atom shared by filters: evaluated once
    written = [node for text in texts for node in parse(text).walk() if isinstance(node, Atom)]
    assert len(set(written)) < len(written)  # the filters do share atoms
    assert sum(map(len, cold)) / len(cold) > 10  # the filters select real work


def test_the_benchmark_filters_expand_to_what_they_say() -> None:
    members, org_units = synthetic_org(200)
    inventory = Inventory(members, org_units, management_account_id="100000000000")
    checked = 0
    for text in synthetic_filters(50):
        if text.startswith("ou:/Root/") and " and not tag:tier=" in text:
            path, tier = text[3:].split(" and not tag:tier=")
            expected = {
                a.id
                for a in members
                if a.in_ou(path) and a.tag_map["tier"] != tier and inventory.is_eligible(a)
            }
            assert expand(text, inventory) == expected
            checked += 1
    assert checked >= 3
