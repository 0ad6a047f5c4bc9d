"""Reconstruct the numbering of a flattened, renumbered outline.

Some extractions turn a document's headings and paragraphs into ONE ordered list:

    1. Acceptance of Terms            <- a heading
    2. This API TOS is an agreement…  <- its paragraph, now numbered 2
    3. If you are entering into…      <- another paragraph
    4. API Key Definitions            <- the second heading
        1. Application – …            <- its sub-clauses (really 2.1, 2.2 …)

The printed numbers are meaningless; the document's own cross-references ("Section
4.2 through 4.11") use the true ones. How such lists look, in general: an item that
is a short title (or "Title. body…" with a short title-case lead) starts a section;
long sentence items after it are paragraphs of that section; nested items belong to
the current section and are numbered within it.
"""

from __future__ import annotations

import re

from .plain import is_long_sentence, is_sentence_like, is_title_like, strip_inline

_ITEM_RE = re.compile(r"^(\s*)(\d{1,3})[.)]\s+(\S.*)$")


def title_lead(text: str) -> tuple[str, str] | None:
    """("Use of ClickDesk Brand or Marks", "You must not …") or None if no title lead."""
    plain = strip_inline(text).strip()
    if is_title_like(plain) and not is_long_sentence(plain):
        return plain, ""
    m = re.match(r"^(.{2,80}?)[.:]\s+(\S.*)$", plain)
    if m and is_title_like(m.group(1), max_words=8) and m.group(1)[-1:].isalnum():
        return m.group(1), m.group(2)
    return None


def _classify_top(text: str) -> str:
    if re.match(r"^\s*\[[^\]]*\]\([^)]*\)\s*$", text):
        return "link"  # a linked table of contents is not a flattened outline
    if title_lead(text) is not None:
        return "title"
    return "para" if is_sentence_like(strip_inline(text)) else "other"


def reconstruct(lines: list[str]) -> list[str]:
    """Rewrite a flattened outline (see module doc) into explicitly numbered lines.

    Returns ``lines`` unchanged when no list looks flattened: it needs at least six
    consecutively numbered top items, starting with a title, with three or more
    titles, two or more paragraph items, and some title directly followed by a
    paragraph item (a heading whose body became the next item).
    """
    items = [(i, _ITEM_RE.match(l)) for i, l in enumerate(lines)]
    items = [(i, m) for i, m in items if m]
    if len(items) < 6:
        return lines
    top_indent = min(len(m.group(1)) for _, m in items)
    tops = [(i, m) for i, m in items if len(m.group(1)) == top_indent]
    # Longest run of consecutively numbered top items.
    numbers = [int(m.group(2)) for _, m in tops]
    if numbers[:1] != [1] or numbers != list(range(1, len(numbers) + 1)) or len(tops) < 6:
        return lines
    kinds = [_classify_top(m.group(3)) for _, m in tops]
    titles, paras = kinds.count("title"), kinds.count("para")
    follows = any(a == "title" and b == "para" for a, b in zip(kinds, kinds[1:]))
    if kinds[0] != "title" or titles < 3 or paras < 2 or not follows or "link" in kinds:
        return lines
    first, last = tops[0][0], items[-1][0]
    out = lines[:first]
    section = 0
    counters: list[int] = []
    indents: list[int] = []
    for idx in range(first, len(lines)):
        line = lines[idx]
        m = _ITEM_RE.match(line) if idx <= last else None
        if not m:
            out.append(line)
            continue
        indent, text = len(m.group(1)), m.group(3)
        if indent == top_indent:
            if _classify_top(text) == "title":
                section += 1
                counters, indents = [], []
                out += ["", f"{section}\\. {text}", ""]
            else:
                out += ["", text, ""]
            continue
        # Nested item: depth by the distinct deeper indents seen in this section.
        while indents and indents[-1] > indent:
            indents.pop()
            counters.pop()
        if not indents or indents[-1] < indent:
            indents.append(indent)
            counters.append(0)
        counters[-1] += 1
        number = ".".join([str(max(section, 1))] + [str(c) for c in counters])
        out += ["", f"{number} {text}", ""]
    return out
