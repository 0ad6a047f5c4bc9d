"""Turns cross-references inside a clause into links to the clause they name.

Pure: takes the clause's markdown, the references the ingest finder located in it, and
an index of the version's clauses; returns markdown with links. Where a reference gives
a number and a quoted title that disagree ("6.4 (“Delete at User Request”)" when the
clause of that title is 6.3), the title wins, since a document's renumbering slips are
far more common than wrong titles, and the mismatch is shown to the reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

_TITLE_MATCH = 85  # token-set similarity (0-100) for a quoted title to name a heading


@dataclass(frozen=True)
class Target:
    number: str
    heading: str
    anchor: str


@dataclass(frozen=True)
class Resolution:
    target: Target
    cited_number: str
    mismatch: bool  # the cited number and the cited title name different clauses


def _norm_number(number: str) -> str:
    return number.strip().strip("()").rstrip(".").lower()


def _norm_title(title: str) -> str:
    return re.sub(r"[^\w\s]", " ", title).lower()


class ClauseIndex:
    """Looks up a version's clauses by number and by heading."""

    def __init__(self, targets: list[Target]):
        self.by_number: dict[str, Target] = {}
        for t in targets:
            if t.number:
                self.by_number.setdefault(_norm_number(t.number), t)
        self.headed = [t for t in targets if t.heading]

    def by_title(self, title: str) -> Target | None:
        wanted = _norm_title(title)
        best, score = None, 0.0
        for t in self.headed:
            s = fuzz.token_sort_ratio(wanted, _norm_title(t.heading))
            if s > score:
                best, score = t, s
        return best if score >= _TITLE_MATCH else None

    def resolve(self, number: str, title: str | None) -> Resolution | None:
        by_number = self.by_number.get(_norm_number(number)) if number else None
        by_title = self.by_title(title) if title else None
        if by_title is not None:
            mismatch = by_number is None or by_number.anchor != by_title.anchor
            return Resolution(target=by_title, cited_number=number, mismatch=mismatch and bool(number))
        if by_number is not None:
            return Resolution(target=by_number, cited_number=number, mismatch=False)
        return None


def _escape_link_text(text: str) -> str:
    return text.replace("[", r"\[").replace("]", r"\]")


def link_references(markdown: str, references, index: ClauseIndex, base_url: str = "") -> str:
    """Wrap each resolvable reference (objects with start, end, number, title) in a link.

    References inside an existing markdown link are left alone. Offsets are into
    ``markdown``; they are applied from the end so earlier offsets stay valid.
    ``base_url`` is the version page's URL when the clause is shown on a page of its own.
    """
    out = markdown
    for ref in sorted(references, key=lambda r: r.start, reverse=True):
        resolution = index.resolve(ref.number, getattr(ref, "title", None))
        if resolution is None or _inside_link(markdown, ref.start):
            continue
        target = resolution.target
        text = _escape_link_text(out[ref.start:ref.end])
        if resolution.mismatch:
            label = " ".join(p for p in (target.number, target.heading) if p)
            note = f"cited as {resolution.cited_number}; the clause with this title is {label}"
            link = f'[{text}]({base_url}#{target.anchor} "{_attr(note)}") *(→ {target.number or target.heading})*'
        else:
            label = " ".join(p for p in (target.number, target.heading) if p)
            link = f'[{text}]({base_url}#{target.anchor} "{_attr(label)}")'
        out = out[:ref.start] + link + out[ref.end:]
    return out


def _attr(text: str) -> str:
    # A markdown link title is delimited by double quotes.
    return text.replace('"', "'")


def _inside_link(markdown: str, offset: int) -> bool:
    opening = markdown.rfind("[", 0, offset)
    closing = markdown.rfind("]", 0, offset)
    return opening > closing and "](" in markdown[offset:offset + 400]
