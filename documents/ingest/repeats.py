"""Pages captured twice: drop the second copy of a document that repeats itself.

Web captures sometimes record a page's text twice in a row (the whole policy, then the
whole policy again), so every clause would occur twice. A legal document does not
repeat itself wholesale - boilerplate paragraphs recur, a title is doubled - so the
test is strict: a run of blocks recurs verbatim, in the same order, later in the
document; the two copies hold at least 80% of the text, and the run holds at least
five blocks that start clauses (headings, numbered paragraphs and items). Only then
is the second copy removed; what lies before, between and after the copies stays.
A short run with a heading repeated right after itself (a doubled title block) goes too.
"""

from __future__ import annotations

import re

from .blocks import scan

MIN_CLAUSES = 5
MIN_SHARE = 0.8
MAX_OCCURRENCES = 6

_STRUCTURAL_RE = re.compile(
    r"^\s*(?:(?:\*\*|__)\s*)?(?:\d{1,3}(?:\\?\.\d{1,3})+\\?\.?\s|\d{1,3}\\?[.)]\s|\([a-zA-Z0-9]{1,5}\)\s|[a-zA-Z]{1,4}[.)]\s)"
)


def _is_structural(kind: str, first: str) -> bool:
    return kind == "heading" or (kind in ("para", "item") and bool(_STRUCTURAL_RE.match(first)))


def longest_repeat(keys: list[str]) -> tuple[int, int, int]:
    """(length, first start, second start) of the longest run of ``keys`` that occurs
    twice without overlapping; (0, 0, 0) if nothing repeats."""
    positions: dict[str, list[int]] = {}
    for k, key in enumerate(keys):
        positions.setdefault(key, []).append(k)
    # Runs are measured from blocks that occur only a few times: a page captured twice
    # has each block about twice, and boilerplate repeated a hundred times would make
    # the search quadratic.
    frequent = {key for key, found in positions.items() if len(found) > MAX_OCCURRENCES}
    best = (0, 0, 0)
    for j, key in enumerate(keys):
        if key in frequent:
            continue
        for i in positions[key]:
            if i >= j:
                break
            if i > 0 and keys[i - 1] == keys[j - 1] and keys[i - 1] not in frequent:
                continue  # inside a run already measured from its start
            n = 0
            while i + n < j and j + n < len(keys) and keys[i + n] == keys[j + n]:
                n += 1
            if n > best[0]:
                best = (n, i, j)
    return best


def _doubled_title_blocks(keys: list[str], heading: list[bool], longest: int = 4) -> set[int]:
    """Blocks of short runs with a heading repeated right after itself ("Privacy Policy",
    "Effective: …", "Privacy Policy", "Effective: …"): the second copies' indexes.

    One pass collects every such run (skipping past each one found), so a page of many
    doubled runs costs one linear pass, not one pass (and a recursion) per run."""
    found: set[int] = set()
    k = 0
    while k < len(keys):
        for n in range(2, longest + 1):
            if k + 2 * n <= len(keys) and any(heading[k:k + n]) and keys[k:k + n] == keys[k + n:k + 2 * n]:
                found.update(range(k + n, k + 2 * n))
                k += 2 * n
                break
        else:
            k += 1
    return found


def drop_repeated_copy(lines: list[str]) -> list[str]:
    """``lines`` without the second copy of a document captured twice (see module doc)."""
    blocks = scan(lines)
    spans: list[tuple[int, int]] = []  # line range of each non-blank block
    keys: list[str] = []
    structural: list[bool] = []
    heading: list[bool] = []
    at = 0
    for b in blocks:
        start, at = at, at + len(b.lines)
        if b.kind == "blank":
            continue
        spans.append((start, at))
        keys.append(" ".join(" ".join(b.lines).split()))
        structural.append(_is_structural(b.kind, b.lines[0]))
        heading.append(b.kind == "heading")
    drop = _doubled_title_blocks(keys, heading)
    if drop:
        # Each pass halves a run repeated many times over: logarithmic depth.
        gone = {x for k, (a, b) in enumerate(spans) if k in drop for x in range(a, b)}
        return drop_repeated_copy([line for x, line in enumerate(lines) if x not in gone])
    if len(keys) < 2 * MIN_CLAUSES:
        return lines
    n, i, j = longest_repeat(keys)
    if n == 0 or sum(structural[i:i + n]) < MIN_CLAUSES:
        return lines
    total = sum(len(k) for k in keys)
    if 2 * sum(len(k) for k in keys[i:i + n]) < MIN_SHARE * total:
        return lines
    first, last = spans[j][0], spans[j + n - 1][1]
    return lines[:first] + lines[last:]
