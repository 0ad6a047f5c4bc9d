"""The gold set of hand-aligned version pairs (tests/gold/pairs/*.json), read the same
way by its tests (tests/test_align_gold.py) and its benchmark (bench/bench_align.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

GOLD = Path(__file__).parent
FILES = sorted((GOLD / "pairs").glob("*.json"))


@dataclass(frozen=True)
class Clause:
    anchor: str
    number: str
    heading: str
    text: str


def load(path: Path) -> tuple[list[Clause], list[Clause], dict]:
    """(old clauses, new clauses, the pair file's data: its "pairs" are the decisions)."""
    data = json.loads(path.read_text())
    return [Clause(**c) for c in data["old"]], [Clause(**c) for c in data["new"]], data


def gold_pairs(old: list[Clause], new: list[Clause], decisions: list[dict]) -> tuple[dict[int, int], set[int]]:
    """({old index: new index} the gold set pairs, old indexes it leaves open ("?"))."""
    ia = {c.anchor: i for i, c in enumerate(old)}
    ib = {c.anchor: j for j, c in enumerate(new)}
    gold, ambiguous = {}, set()
    for d in decisions:
        if d["new"] == "?":
            ambiguous.add(ia[d["old"]])
        elif d["new"] is not None:
            gold[ia[d["old"]]] = ib[d["new"]]
    return gold, ambiguous
