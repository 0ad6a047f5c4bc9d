"""Full citations: how a reader cites each clause, as the document writes its numbers.

A clause's number alone is not a citation: "(g)" is "1.7(g)", "8" under lettered part
D is "D.8", "3.1" in a schedule is "Schedule 2, 3.1", "7(3)" in Part II is
"Part II, Article 7(3)". The path is built from the clause's own number and its
ancestors':

* a multi-level decimal ("3.1") already carries its section's number and replaces it;
* an item in parentheses or closed by one ("(g)", "g)") is appended to its parent's
  citation: "1.7(g)", "1.7(g)(ii)";
* a decimal restarting inside a numbered clause is a sub-paragraph: "3(1)";
* a decimal under a lettered or Roman part ("D", "II") is joined with a dot, as those
  documents cite themselves ("D.8");
* under a named part (Part, Article, Chapter, Schedule, Annex, Appendix, Exhibit) the
  part comes first, then a comma: "Schedule 2, 3.1";
* a titled clause without a number is its heading after its path ("5, Cookies"); an
  untitled one is its path and first words ("1.8 “We may terminate or restrict …”").

Unnumbered headings are not part of the path, unless two clauses would share a
citation: a second document appended to a capture restarts at "1", so its clauses are
qualified by the heading that opens it ("Additional Terms, 1"). Anything still equal
gets its first words, then an ordinal, so every citation is unique within a version.

Pure: takes and returns :class:`ParsedClause` lists.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .model import ParsedClause

# Parts of a document cited by name: "Schedule 2 - Data Processing Terms", "Annex A".
_PART_HEADING_RE = re.compile(
    r"^(?P<part>(?:part|article|chapter|schedule|annex|appendix|exhibit|addendum|attachment)"
    r"\s+(?:\d{1,3}|[A-Z]|[IVXLC]{1,6}))\b",
    re.I,
)
_PART_WORDS = ("Part", "Article", "Chapter")
_LETTER_RE = re.compile(r"^(?:[A-Z]|[IVXLC]{1,6})$")
_DECIMAL_RE = re.compile(r"^\d{1,3}(?:\.\d{1,3})*$")
_PAREN_RE = re.compile(r"^\(?([A-Za-z0-9]{1,6})\)$")
_FIRST_WORDS = 6


def _first_words(clause: ParsedClause) -> str:
    ws = clause.text.split()
    if not ws:
        return ""
    quote = " ".join(ws[:_FIRST_WORDS]).rstrip(",;:.")
    return f"“{quote}{' …' if len(ws) > _FIRST_WORDS else ''}”"


def _part_of(clause: ParsedClause) -> str:
    """"Article 7", "Schedule 2" when the clause is a named part, else ""."""
    if clause.citation and clause.citation.split(" ", 1)[0] in _PART_WORDS:
        return clause.citation
    if not clause.number:
        m = _PART_HEADING_RE.match(clause.heading)
        if m:
            return " ".join(w.capitalize() if w.isalpha() and not _LETTER_RE.match(w) else w
                            for w in m.group("part").split())
    return ""


def _join(path: str, own: str, sep: str = ", ") -> str:
    return f"{path}{sep}{own}" if path else own


def with_citations(clauses: list[ParsedClause]) -> list[ParsedClause]:
    """``clauses`` with ``citation`` set to their full, unique path (see the module)."""
    full: list[str] = []
    # The path of a clause without its own number's "tail", for numbers that replace
    # their parent's ("3.1" under "3" keeps "Schedule 2, " and drops "3").
    context: list[str] = []
    # The unnumbered heading a clause sits under, to tell apart two documents bound into one page.
    scope: list[str] = []
    for i, c in enumerate(clauses):
        p = c.parent
        parent = clauses[p] if p is not None else None
        path = full[p] if p is not None else ""
        parent_ctx = context[p] if p is not None else ""
        part = _part_of(c)
        number = c.number.strip()
        own_scope = scope[p] if p is not None else ""
        if parent is not None and not parent.number and parent.heading and not _part_of(parent):
            own_scope = parent.heading
        scope.append(own_scope)
        if part:
            # Article 7 in Part II: "Part II, Article 7"; a part at the top: "Schedule 2".
            cite, ctx = _join(_numbered_path(clauses, full, p), part), _numbered_path(clauses, full, p)
        elif number:
            cite, ctx = _numbered(number, parent, path, parent_ctx, _part_of(parent) if parent else "",
                                  _numbered_path(clauses, full, p))
        elif c.heading:
            ctx = _numbered_path(clauses, full, p)
            cite = _join(ctx, c.heading)
        else:
            ctx = _numbered_path(clauses, full, p)
            cite = _join(ctx, _first_words(c) or "(empty)", " ")
        full.append(cite)
        context.append(ctx)
    return [replace(c, citation=cite) for c, cite in zip(clauses, _unique(clauses, full, scope))]


def _numbered_path(clauses: list[ParsedClause], full: list[str], p: int | None) -> str:
    """The citation of the nearest ancestor that is numbered or a named part ("" if none):
    unnumbered headings are not part of a path."""
    while p is not None:
        if clauses[p].number or _part_of(clauses[p]):
            return full[p]
        p = clauses[p].parent
    return ""


def _numbered(number: str, parent: ParsedClause | None, path: str, parent_ctx: str, parent_part: str,
              numbered_path: str) -> tuple[str, str]:
    """(citation, context) of a numbered clause."""
    if parent is None or not numbered_path:
        return number, ""
    m = _PAREN_RE.match(number)
    if m and (parent.number.strip() or parent_part):
        return f"{path}({m.group(1)})", parent_ctx  # "1.7(g)", "Part II, Article 7(3)"
    if parent_part:
        return _join(path, number), path
    pnum = parent.number.strip()
    if not pnum:
        # Under an unnumbered heading inside a numbered clause: read from that clause.
        return _numbered(number, _Stub(number=numbered_path), numbered_path, "", "", numbered_path)
    if _DECIMAL_RE.match(number) and "." in number:
        if _DECIMAL_RE.match(pnum) and number.startswith(pnum + "."):
            return _join(parent_ctx, number), parent_ctx  # "3.1" under "3"
        if _LETTER_RE.match(pnum) and "." not in pnum:
            return f"{path}.{number}", parent_ctx  # "D.8.1" under "D"
        return _join(parent_ctx, number) if parent_ctx else number, parent_ctx
    m = _PAREN_RE.match(number)
    if m:
        return f"{path}({m.group(1)})", parent_ctx  # "1.7(g)", "7(3)"
    if _DECIMAL_RE.match(number):
        if _LETTER_RE.match(pnum):
            return f"{path}.{number}", parent_ctx  # "D.8"
        return f"{path}({number})", parent_ctx  # a list restarting at 1 inside § 3: "3(1)"
    return f"{path}({number})", parent_ctx  # "A" under 4: "4(A)"


class _Stub:
    def __init__(self, number: str) -> None:
        self.number = number
        self.heading = ""


def _unique(clauses: list[ParsedClause], full: list[str], scope: list[str]) -> list[str]:
    out = list(full)
    for qualify in (
        lambda i: _join(scope[i], out[i]) if scope[i] and not out[i].startswith(scope[i] + ", ") else out[i],
        lambda i: f"{out[i]} {_first_words(clauses[i])}" if clauses[i].number and clauses[i].text.strip() else out[i],
    ):
        seen: dict[str, list[int]] = {}
        for i, cite in enumerate(out):
            seen.setdefault(cite, []).append(i)
        for idxs in seen.values():
            if len(idxs) > 1:
                for i in idxs:
                    out[i] = qualify(i)
    seen_count: dict[str, int] = {}
    result = []
    taken = set()
    for cite in out:
        n = seen_count.get(cite, 0) + 1
        seen_count[cite] = n
        label = cite if n == 1 else f"{cite} ({n})"
        while label in taken:
            n += 1
            label = f"{cite} ({n})"
        taken.add(label)
        result.append(label)
    return result
