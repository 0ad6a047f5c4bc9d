"""Clause splitting: blocks -> a tree of clauses.

Which blocks start a clause:

* headings at every level: ``#`` and setext headings, bold-only or italic-only short
  lines, numbered title lines ("1. Intro", "**1\\. Who your contract is with**",
  "I. REQUIREMENTS"), one-item ordered lists whose item is a title followed by
  ordinary text, and - in documents with no other structure - plain title lines;
* numbered items: enumerated paragraphs ("(a) …", "1.1 Title. …", "**12.5 Title.** …")
  and ordered-list items (also bullets whose text starts with "a)"); an item that prints
  its own number in bold ("1. **5. Prohibited Conduct**") takes that number;
* unnumbered lead-in paragraphs ("**Age requirements.** You must …") where a clause's
  body holds two or more of them (see :func:`_bold_lead`): each becomes a sub-clause
  titled by its lead, holding the enumerated items that follow it;
* a plain title line over its own date statement, after the first heading: another
  instrument bound into the page ("Additional Terms for consumers" / "Effective …").

Appendices, schedules, annexes and exhibits ("Appendix 2 - …") are parts of the
document, never inside the section before them; numbering restarted inside such a
part continues there even where the page formats later items as bigger headings.

Unnumbered bullets, tables and plain paragraphs are body text of the clause they are in
(a large table is then made one clause per row: :mod:`tables`).

Nesting is decided by a stack. A clause's parent is the innermost open clause that
"contains" it (see :func:`_contains`): decimal numbers nest by prefix ("2.2" holds
"2.2.1"); other enumerator families nest like an outline - a family already open
further up the stack closes what is below it, a new family opens a level; unnumbered
headings compare by formatting rank (``#`` level, and for bold/italic/plain headings a
rank given where the style first appears, so "inverted" documents whose bold
paragraphs are the top level still nest right).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .blocks import Block, scan
from .numbering import Enumerator, family, is_prefix, parse_enumerator, parse_worded, roman_value
from .plain import clean_heading, is_label_like, is_long_sentence, is_sentence_like, is_title_like, strip_inline, words

_UNESCAPE_RE = re.compile(r"\\([.)(\[\]#*_-])")
_LINK_ONLY_RE = re.compile(r"^\s*(?:\*\*|__)?\[[^\]]+\]\([^)]*\)(?:\*\*|__)?\s*$")
_EMPH_LINE_RE = re.compile(r"^(\*\*\*?|__|\*|_)(?=\S)(.+?)(?<=\S)\1(\s*)$")
_PUNCT_RUN_RE = re.compile(r"^(?:\*\*|__)?\s*[.:]\s*(?:\*\*|__)?\s*")
_APPENDIX_RE = re.compile(r"^(?:appendix|annex|schedule|exhibit)\s+(?:\d{1,3}|[A-Z]|[IVX]{1,5})\b", re.I)
# "Application – Any software …": a short term, a spaced dash, and its definition.
_DASH_LEAD_RE = re.compile(r"^([^\s–—.:;!?][^–—:;!?]{0,60}?)\s+(?:–|—|--?)\s+(\S.*)$", re.S)
_DATEISH_RE = re.compile(r"\b(?:effective|updated|revised|modified)\b|\b(?:19|20)\d\d\b", re.I)


@dataclass
class Node:
    number: str
    enum: Enumerator | None
    heading: str
    source: str  # "H" heading-like, "P" enumerated paragraph, "L" list item, "" preamble
    rank: float | None = None  # formatting rank of heading-like nodes (lower = higher)
    indent: int = 0
    caps: bool = False
    sticky: bool = True  # keeps following unmarked paragraphs as its own body
    body: list[str] = field(default_factory=list)
    # Words after the clause's sub-clauses (Akoma Ntoso's wrapUp): "We may terminate …"
    # written after the list (i)-(ix) it closes. Read after the sub-clauses, never before.
    closing: list[str] = field(default_factory=list)
    has_children: bool = False
    parent: int | None = None
    child_numbers: set = field(default_factory=set)
    child_last: dict = field(default_factory=dict)  # family key -> last child value
    pseudo: bool = False  # heading recognised by formatting (bold/italic/plain line)
    inside_numbered: bool = False
    after_numbered: bool = False  # numbered headings of the same formatting came before
    intro: bool = False  # item text ends with ":" - it introduces the list that follows

    fmt: str = ""  # formatting family of headings: "md2", "bold", "italic", "plain"
    block: int = -1  # index of the block that opened the clause

    @property
    def key(self) -> tuple:
        cls = "L" if self.source == "L" else "B"
        return family(self.enum) + (cls,) if self.enum else ("none", cls)

    def same_level_as(self, other: "Node") -> bool:
        """Same enumerator family at the same list depth (indents within one column)."""
        return self.key == other.key and (self.source != "L" or abs(self.indent - other.indent) <= 1)


@dataclass
class ClauseStart:
    enum: Enumerator | None
    heading: str
    body: str  # markdown of the text after the number/heading in the same block
    source: str
    md_level: int | None = None  # markdown heading level, None for pseudo headings/items
    style: tuple | None = None  # pseudo-heading style, ranked at first appearance
    titled: bool = False
    caps: bool = False
    inside_numbered: bool = False  # a numbered heading of the same formatting follows later


def _fmt_of(start: "ClauseStart") -> str:
    if start.md_level is not None:
        return f"md{start.md_level}"
    return (start.style or ("plain",))[0].replace("num-", "")


# ---------------------------------------------------------------------------
# Reading numbers and titles out of a block's first line
# ---------------------------------------------------------------------------


def _unescape(s: str) -> str:
    return _UNESCAPE_RE.sub(r"\1", s)


def _lead_title(rest: str) -> tuple[str, str]:
    """Split "Access to the Service. To use…" into a title and the body.

    Recognised leads: a bold or italic run ("**Pay-in Methods.** text"), a short
    title-case phrase ending in "." or ":" ("Age. The Service…"), or the term of a
    definition set off by a dash ("Application – Any software…" -> "Application").
    """
    rest = rest.strip()
    m = re.match(r"^(\*\*|__)(.+?)\1\s*(.*)$", rest, re.S)
    if m and len(words(m.group(2))) <= 14:
        return clean_heading(m.group(2)), _PUNCT_RUN_RE.sub("", m.group(3)).strip()
    plain = rest
    m = re.match(r"^([^.:!?]{1,80}?)([.:])\s+(\S.*)$", plain, re.S)
    if m and is_label_like(strip_inline(m.group(1))) and (m.group(1)[-1:].isalnum() or m.group(1)[-1:] in "+)") and m.group(3)[:1].isupper():
        lead = strip_inline(m.group(1)).strip()
        if not re.search(r"\b(?:Inc|Ltd|Co|Corp|No|St|e\.g|i\.e|U\.S)$", lead):
            return clean_heading(lead), m.group(3).strip()
    m = _DASH_LEAD_RE.match(plain)
    if m:
        term = strip_inline(m.group(1)).strip()
        if len(words(term)) <= 6 and is_label_like(term, max_words=6) and not _is_date_line(term):
            return clean_heading(term), m.group(2).strip()
    return "", rest


def _numbered(text: str) -> tuple[Enumerator, str, str, bool] | None:
    """Parse "<number> [title] [body]" from a line: (enum, heading, body, bold_title_only)."""
    s = _unescape(text.strip())
    s = re.sub(r"^(\d{1,3})\.\s(\d{1,2})\s(?=[A-Z])", r"\1.\2 ", s)  # "11. 1 Arbitration" typo
    opener = ""
    m = re.match(r"^(\*\*|__)\s*", s)
    pos = 0
    if m:
        opener, pos = m.group(1), m.end()
    e = parse_enumerator(s, pos)
    worded = False
    if not e:
        e = parse_worded(s, pos)
        worded = True
        if not e:
            return None
    rest = s[e.end:]
    if opener:
        close = rest.find(opener)
        if close == -1:
            return None
        inner, after = rest[:close].strip(), rest[close + len(opener):].strip()
        if inner:
            after = _PUNCT_RUN_RE.sub("", after).strip() if re.match(r"^(?:\*\*|__)?\s*[.:](?:\s|\*|_|$)", after) else after
            if len(words(inner)) > _HEADING_WORDS and is_long_sentence(strip_inline(inner)):
                # A whole numbered paragraph in bold: its text is the body, not a title.
                lead, body = _lead_title(inner)
                body = body if lead else inner
                return e, lead, (body + ("\n" if after else "") + after).strip(), False
            return e, clean_heading(inner), after, not after
        # "**1\.** text" or "**3.** **Title**"
        if re.match(r"^(\*\*|__)", after):
            m2 = re.match(r"^(\*\*|__)(.+?)\1\s*(.*)$", after, re.S)
            if m2 and len(words(m2.group(2))) <= 14:
                body = _PUNCT_RUN_RE.sub("", m2.group(3)).strip()
                return e, clean_heading(m2.group(2)), body, not body
        if worded:
            return None
        heading, body = _lead_title(after)
        return e, heading, body, False
    rest = rest.strip()
    if not rest:
        return e, "", "", True
    plain = strip_inline(rest).strip()
    if (
        is_title_like(plain, max_words=14, strict_case=False)
        and not is_long_sentence(plain)
        and plain[-1:] not in ",;"
        and (not plain.endswith(".") or len(words(plain)) <= 6)
        and "://" not in plain
        and not (plain.endswith(".") and _DASH_LEAD_RE.match(plain))  # "Service – the thing we sell."
    ):
        return e, clean_heading(rest), "", True
    if worded:
        return None  # "Section 4 of these Terms …" is a sentence, not a numbered clause
    heading, body = _lead_title(rest)
    return e, heading, body, False


def _emphasis_heading(line: str) -> tuple[str, str] | None:
    """A line that is one bold/italic run reading like a heading -> (text, "bold"/"italic")."""
    line = line.strip()
    if line.endswith(("**.", "**:", "__.", "__:")):
        line = line[:-1]  # "**Suggest your account to other users**." - the stop outside the run
    m = _EMPH_LINE_RE.match(line + " ")
    if not m:
        return None
    inner = m.group(2)
    if inner.count("**") or (len(m.group(1)) == 1 and re.search(r"(?<!\w)[*_]|[*_](?!\w)", inner)):
        return None
    text = clean_heading(inner)
    n = len(words(text))
    if not text or n > 14 or len(text) > 130:
        return None
    raw = strip_inline(inner).strip()
    # A full stop after a lone capital is an initial ("U.S. State privacy disclosures"),
    # not the end of a sentence.
    if raw[-1:] in ",;" or re.search(r"(?<!\b[A-Z])[.!?]\s+\S", raw):
        return None
    if raw.endswith(".") and n > 7:
        return None
    if not (text[0].isupper() or text[0].isdigit() or text[0] in "“\"'("):
        return None
    return text, ("bold" if m.group(1) in ("**", "__", "***") else "italic")


def _is_date_line(text: str) -> bool:
    """"Last Updated: March 3, 2023" is a date statement, not a heading."""
    return len(words(text)) <= 10 and bool(
        re.search(r"\b(?:effective|updated|revised|modified|amended)\b", text, re.I)
    ) and bool(re.search(r"\b(?:19|20)\d\d\b", text))


def _unmarked_heading(blocks: list[Block], i: int) -> bool:
    """A heading the page lost the markup of: a short line on its own that names a
    topic ("Sharing your information", "What information do we collect?") and is
    followed by running text. Not a label of an address or a list ("Contact:"), not a
    sentence, not a date statement."""
    first = blocks[i].lines[0]
    if "](" in first or "|" in first:
        return False
    plain = strip_inline(first).strip()
    n = len(words(plain))
    question = plain.endswith("?")
    if not (2 <= n <= (14 if question else 10)) or len(plain) > 120 or plain[-1:] in ".,;:!)":
        return False
    if not plain[:1].isupper() or _DATEISH_RE.search(plain) or re.match(r"^[\d(]", plain):
        return False
    if not is_title_like(plain, max_words=14, strict_case=False):
        return False
    if not question and not is_title_like(plain, max_words=10) and words(plain)[0].lower() in _SENTENCE_START:
        return False  # "We do not sell data": a sentence without its full stop
    nxt = next((x for x in blocks[i + 1:] if x.kind != "blank"), None)
    if nxt is None or nxt.kind != "para" or not is_sentence_like(nxt.text):
        return False
    prev = next((x for x in reversed(blocks[:i]) if x.kind != "blank"), None)
    return prev is None or prev.kind != "para" or not prev.text.rstrip().endswith((":", ","))


_SENTENCE_START = frozenset("you we i it this these those the if in any all each they he she there that such when "
                            "as for to unless no not a an by with from at on please".split())


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _dedent(lines: list[str], n: int) -> list[str]:
    out = []
    for line in lines:
        k = len(line) - len(line.lstrip(" "))
        out.append(line[min(k, n):])
    return out


# ---------------------------------------------------------------------------
# Block classification
# ---------------------------------------------------------------------------


def _has_list_sibling(blocks: list[Block], i: int, step: int) -> bool:
    """Is there another ordered item of the same list before/after block ``i``?"""
    b = blocks[i]
    j = i + step
    while 0 <= j < len(blocks):
        x = blocks[j]
        if x.kind == "blank":
            j += step
            continue
        if x.kind == "item" and x.ordered and abs(x.indent - b.indent) <= 1:
            return True
        if x.kind == "item" and x.indent > b.indent + 1 or x.kind != "item" and x.indent >= b.indent + 2:
            j += step  # nested content of an item
            continue
        return False
    return False


_HEADING_WORDS = 30  # more words than any title: a paragraph the page marked as a heading


# "RobloxThe Roblox Corporation, a company …": a tooltip's text captured glued to the
# word it explains. The glue is a lower-case letter right before a sentence's first word
# ("The", "We" …, then a space), so brand names ("YouTube", "PayPal") never split.
_TOOLTIP_RE = re.compile(r"(?<=[a-z)])(?=(?:The|This|These|We|Our|You|Your|An?|It|Its|If|When|In|For)\s+\S+(?:\s+\S+){4,}$)")


def _untooltip(heading: str) -> tuple[str, str]:
    """(heading, glued tooltip text), the text kept as the clause's first words."""
    m = _TOOLTIP_RE.search(heading) if len(heading) <= 400 else None  # bounded: the lookahead reads to the end
    if not m or len(words(heading[:m.start()])) > 10:
        return heading, ""
    return heading[:m.start()].strip(), heading[m.start():].strip()


def _classify(blocks: list[Block], i: int, plain_titles: bool) -> ClauseStart | None:
    b = blocks[i]
    if b.kind == "heading":
        text = b.text
        plain = _unescape(strip_inline(text)).strip()
        if plain[:1] in "*_":
            plain = _unescape(strip_inline(plain)).strip()  # nested emphasis: "**_3.1. Title_**"
        e = parse_enumerator(plain) or parse_worded(plain)
        if e:
            heading = clean_heading(plain[e.end:])
            if is_long_sentence(heading) and len(words(heading)) > _HEADING_WORDS:
                # A whole numbered paragraph marked as a heading: its text is the body.
                lead, body = _lead_title(plain[e.end:])
                return ClauseStart(e, lead, body if lead else plain[e.end:].strip(), "H", md_level=b.level,
                                   titled=bool(lead))
            heading, tip = _untooltip(heading)
            return ClauseStart(e, heading, tip, "H", md_level=b.level, titled=True, caps=_is_caps(heading))
        heading = clean_heading(text)
        if not heading or _LINK_ONLY_RE.match(text) or _is_date_line(heading):
            return None
        if len(words(heading)) > _HEADING_WORDS and is_long_sentence(heading):
            return ClauseStart(None, "", text.strip(), "H", md_level=b.level)  # a paragraph marked as a heading
        heading, tip = _untooltip(heading)
        return ClauseStart(None, heading, tip, "H", md_level=b.level, titled=True, caps=_is_caps(heading))
    if b.kind == "para":
        first = b.lines[0]
        rest_lines = b.lines[1:]
        num = _numbered(first)
        if num:
            e, heading, body, title_only = num
            more = "\n".join(l.strip() for l in rest_lines)
            body = (body + ("\n" if body and more else "") + more).strip() if more else body
            if title_only and not body:
                bold = first.strip().startswith(("**", "__"))
                return ClauseStart(e, heading, "", "H", style=("num-bold" if bold else "num-plain", _is_caps(heading)),
                                   titled=True, caps=_is_caps(heading))
            return ClauseStart(e, heading, body, "P", titled=bool(heading))
        emph = _emphasis_heading(first)
        if emph and not _is_date_line(emph[0]):
            text, kind = emph
            body = "\n".join(l.strip() for l in rest_lines)
            return ClauseStart(None, text, body, "H", style=(kind, _is_caps(text)), titled=True, caps=_is_caps(text))
        if not rest_lines and i > 0:
            # A plain title line over its own date statement ("Additional Product Terms" /
            # "_Effective as of May 27 2025_") starts another instrument bound into the page.
            plain = strip_inline(first).strip()
            nxt = next((blocks[k] for k in range(i + 1, len(blocks)) if blocks[k].kind != "blank"), None)  # no copy: linear
            if (
                nxt is not None
                and nxt.kind == "para"
                and len(nxt.lines) == 1
                and _is_date_line(strip_inline(nxt.lines[0]).strip())
                and plain[-1:] not in ".:;,"
                and is_label_like(plain, max_words=10)
                and not _DATEISH_RE.search(plain)
                and any(x.kind == "heading" for x in blocks[:i])  # not the page's own title
            ):
                return ClauseStart(None, clean_heading(plain), "", "H", md_level=1, titled=True, caps=_is_caps(plain))
        if not plain_titles and not rest_lines and _unmarked_heading(blocks, i):
            plain = strip_inline(first).strip()
            return ClauseStart(None, clean_heading(plain), "", "H", style=("plain", _is_caps(plain)),
                               titled=True, caps=_is_caps(plain))
        if plain_titles and not rest_lines:
            plain = strip_inline(first).strip()
            nxt = next((blocks[k] for k in range(i + 1, len(blocks)) if blocks[k].kind != "blank"), None)  # no copy: linear
            if (
                nxt is not None
                and nxt.kind in ("para", "item", "table")
                and plain[-1:] not in ".:;,"
                and is_title_like(plain, max_words=10)
                and not _DATEISH_RE.search(plain)
            ):
                return ClauseStart(None, clean_heading(plain), "", "H", style=("plain", _is_caps(plain)),
                                   titled=True, caps=_is_caps(plain))
        return None
    if b.kind == "item":
        content = b.text
        if _LINK_ONLY_RE.match(content):
            return None  # a linked table of contents, not clauses
        if not b.ordered:
            num = _numbered(content)
            if not num or num[0].kind == "dec" and len(num[0].tokens) == 1 and num[0].style == ".":
                return None
            e, heading, body, _ = num
            return ClauseStart(e, heading, body, "L", titled=bool(heading))
        e = parse_enumerator(b.marker + " ")
        num = _numbered(b.marker + " " + content)
        own = _numbered(content) if content.lstrip().startswith(("**", "__")) else None
        if own is not None and own[0].is_dec:
            # "1. **5. Prohibited Conduct**", "1. **14.3** You agree …": each item of a list
            # the page restarts at 1 prints its own number in bold; that number is the
            # clause's, the list's "1." is an artefact of the page's markup.
            e, num = own[0], own
        if num is None or e is None:
            return None
        e, heading, body, title_only = num
        if title_only and heading:
            # "lists whose items are really headings": a one-item list followed by text
            alone = not _has_list_sibling(blocks, i, -1) and not _has_list_sibling(blocks, i, 1)
            if (alone or own is not None) and b.indent <= 3:
                bold = content.strip().startswith(("**", "__"))
                return ClauseStart(e, heading, "", "H", style=("num-bold" if bold else "num-plain", _is_caps(heading)),
                                   titled=True, caps=_is_caps(heading))
        return ClauseStart(e, heading, body, "L", titled=bool(heading))
    return None


# ---------------------------------------------------------------------------
# Tree building
# ---------------------------------------------------------------------------


def _resolve_ambiguous(e: Enumerator, stack_nodes: list[Node]) -> Enumerator:
    """Read "i"/"v"/"x"… (and "I"…) as a letter or a Roman numeral from the sequence."""
    if e.kind not in ("amb", "AMB"):
        return e
    upper = e.kind == "AMB"
    alpha, roman = ("ALPHA", "ROMAN") if upper else ("alpha", "roman")
    letter = e.tokens[0]
    for node in reversed(stack_nodes):
        pe = node.enum
        if not pe or pe.style != e.style:
            continue
        if pe.kind == alpha and pe.value() == ord(letter.lower()) - 96 - 1:
            return e.resolved(alpha)
        if pe.kind == roman and roman_value(pe.tokens[0]) == roman_value(letter) - 1:
            return e.resolved(roman)
    return e.resolved(roman if letter.lower() == "i" else alpha)


def _contains(p: Node, c: Node, below: list[Node]) -> bool:
    """Does open clause ``p`` contain new clause ``c``? ``below`` = stack under ``p``."""
    if p.source == "":
        return False  # the preamble holds no clauses
    if c.source == "H" and _APPENDIX_RE.match(c.heading) and not (p.source == "H" and _APPENDIX_RE.match(p.heading)):
        return False  # "Appendix 2 - …", "Schedule A": a part of the document, never inside a section
    if c.source == "T":
        return p.source == "H" or (p.source == "P" and p.sticky)
    if p.source == "T":
        # A lead-in paragraph ("**Restrictions.** You may not:") holds the enumerated
        # items that follow it, unless they continue a list of the clause around it.
        if c.enum is None or c.source in ("H", "T") or (c.enum.is_dec and len(c.enum.tokens) > 1):
            return False
        if any(n.same_level_as(c) for n in below):
            return False
        outer = below[-1] if below else None
        return not (outer is not None and outer.child_last.get(c.key) == c.enum.value() - 1)
    if c.enum and p.enum:
        ce, pe = c.enum, p.enum
        if ce.is_dec and pe.is_dec:
            if is_prefix(pe.tokens, ce.tokens):
                return True
            if len(ce.tokens) > 1:
                return False
        if c.source == "H" and c.rank is not None and p.source != "H":
            return False  # a heading never sits inside an item
        if c.source == "L" and p.source == "L":
            if c.indent >= p.indent + 2:
                return True
            if c.indent <= p.indent - 2:
                return False
        elif c.source != "L" and p.source == "L":
            return False
        if c.same_level_as(p):
            # "**1.** …" paragraphs restarting inside a numbered section heading, and the
            # paragraphs continuing that inner sequence ("**2.** …")
            if c.source == "P" and p.source == "H":
                last = p.child_last.get(c.key)
                return (c.enum.value() == 1 and p.enum.value() > 1) or (last is not None and last == c.enum.value() - 1)
            return False
        if any(n.same_level_as(c) for n in below):
            return False
        if c.source == "H" and p.source == "H" and _rank_cmp(p, c) < 0:
            return False
        return True
    if c.enum and not p.enum:
        if c.source == "H" and c.rank is not None and p.rank is not None:
            cmp = _rank_cmp(p, c)
            if cmp == 0 and c.enum is not None:
                # Numbering restarting at 1 right under an unnumbered heading of the same
                # level ("Appendix 2" then "1. For consumers in France"), and its sequel.
                # Only for headings after a numbered run ("Appendix"), not before it
                # ("Introduction" then "1. Definitions").
                last = p.child_last.get(c.key)
                if not p.after_numbered:
                    return False
                return (last is None and c.enum.value() == 1) or (last is not None and last == c.enum.value() - 1)
            if cmp < 0 and p.after_numbered and p.child_last.get(c.key) == c.enum.value() - 1:
                # The sequence restarted under this heading goes on, even where the page
                # formats the later items as bigger headings ("### 1." then "2." setext).
                return True
            return cmp > 0
        return True
    # unnumbered heading
    if p.source != "H" or p.rank is None or c.rank is None:
        return False
    cmp = _rank_cmp(p, c)
    if cmp > 0:
        return True
    if cmp == 0 and p.enum is not None and not c.caps and c.inside_numbered:
        # An unnumbered heading between numbered ones of the same level is a
        # sub-heading ("Background Check" under "4. Colorado Safety Policy"); after
        # the last numbered one it is a sibling ("Contact").
        return True
    return False


def _rank_cmp(p: Node, c: Node) -> int:
    """1 if heading ``c`` ranks below ``p``, 0 if level, -1 if above.

    A numbered and an unnumbered heading in the same formatting (both bold lines)
    are level: the numbering, not the order of first appearance, carries the outline.
    """
    if p.fmt and p.fmt == c.fmt and p.fmt in ("bold", "italic", "plain"):
        return 0
    if c.rank > p.rank:
        return 1
    return 0 if c.rank == p.rank else -1


class _Builder:
    def __init__(self, max_md_level: int = 6) -> None:
        self.max_md_level = max_md_level
        self.nodes: list[Node] = []
        self.stack: list[int] = []
        self.ranks: dict[tuple, float] = {}
        self.numbered_fmts: set[str] = set()

    def _rank_for(self, start: ClauseStart) -> float | None:
        if start.source != "H":
            return None
        if start.md_level is not None:
            return float(start.md_level)
        style = start.style or ("plain", False)
        if style not in self.ranks:
            # Where a bold/italic/plain heading style first appears decides its rank:
            # at the top it is the top level (documents whose sections are bold
            # paragraphs and sub-sections "###"); inside markdown headings it ranks
            # below every markdown level the document uses; inside another pseudo
            # style, just below that one.
            base = 0.0
            for idx in reversed(self.stack):
                node = self.nodes[idx]
                if node.rank is not None:
                    base = node.rank if node.pseudo else float(self.max_md_level)
                    break
            used = set(self.ranks.values())
            r, step = base + 0.5, 0.25
            while r in used and step > 1e-3:
                r = base + step
                step /= 2
            self.ranks[style] = r
        return self.ranks[style]

    def open_clause(
        self, start: ClauseStart, indent: int, fallback_lines: list[str], *, block: int = -1,
        owner_block: int | None = None,
    ) -> bool:
        """Open a clause. ``owner_block``: for a lead-in paragraph, the block that opened
        the clause whose body it was read as (it becomes that clause's child)."""
        stack_nodes = [self.nodes[i] for i in self.stack]
        enum = _resolve_ambiguous(start.enum, stack_nodes) if start.enum else None
        number = enum.printed if enum else ""
        node = Node(
            number=number,
            enum=enum,
            heading=start.heading,
            source=start.source,
            indent=indent,
            caps=start.caps,
            block=block,
        )
        node.rank = self._rank_for(start)
        node.pseudo = start.source == "H" and start.md_level is None
        node.inside_numbered = start.inside_numbered
        if start.source == "H":
            node.fmt = _fmt_of(start)
            node.after_numbered = bool(self.numbered_fmts)
            if enum is not None:
                self.numbered_fmts.add(node.fmt)
        node.sticky = start.source == "H" or start.titled or bool(enum and enum.is_dec and start.source == "P")
        # Multi-level decimals go straight to the clause whose number is their prefix.
        if enum and enum.is_dec and len(enum.tokens) > 1:
            for pos in range(len(self.stack) - 1, -1, -1):
                pe = self.nodes[self.stack[pos]].enum
                if pe and pe.is_dec and is_prefix(pe.tokens, enum.tokens):
                    del self.stack[pos + 1:]
                    break
        forced = False
        if start.source == "T" and owner_block is not None:
            for pos in range(len(self.stack) - 1, -1, -1):
                if self.nodes[self.stack[pos]].block == owner_block:
                    del self.stack[pos + 1:]
                    forced = True
                    break
        while self.stack and not forced:
            top = self.nodes[self.stack[-1]]
            below = [self.nodes[i] for i in self.stack[:-1]]
            if _contains(top, node, below):
                break
            self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        if parent is not None and number and number in self.nodes[parent].child_numbers and node.source != "H":
            # A list restarting in the same clause: keep it as text so numbers stay unique.
            self.add_text(parent, "\n".join(fallback_lines))
            return False
        if parent is not None and self.nodes[parent].closing:
            # Words between two sub-clauses: they can be neither the parent's lead-in nor
            # its closing without leaving reading order, so they are an unnumbered
            # paragraph of their own between the two (cited by its path and first words).
            self._paragraph(parent)
        if parent is not None:
            self.nodes[parent].has_children = True
            self.nodes[parent].child_numbers.add(number)
            if enum is not None:
                self.nodes[parent].child_last[node.key] = enum.value()
        node.parent = parent
        if start.body:
            node.body.append(start.body)
        node.intro = (start.body or start.heading).rstrip().endswith(":")
        self.nodes.append(node)
        self.stack.append(len(self.nodes) - 1)
        return True

    def add_text(self, owner: int, markdown: str) -> None:
        """Text read in a clause: its lead-in until it has sub-clauses, then its closing."""
        node = self.nodes[owner]
        (node.closing if node.has_children else node.body).append(markdown)

    def _paragraph(self, parent: int) -> None:
        host = self.nodes[parent]
        para = Node(number="", enum=None, heading="", source="X", indent=host.indent, sticky=False,
                    body=host.closing, parent=parent)
        host.closing = []
        self.nodes.append(para)

    def owner_for(self, block: Block) -> int | None:
        """Clause that receives a body block; closes list items the block is not inside."""
        bullet = block.kind == "item" and not block.ordered
        while self.stack:
            top = self.nodes[self.stack[-1]]
            if top.source == "L":
                if block.indent >= top.indent + 2 and block.kind != "blank":
                    return self.stack[-1]
                if bullet and (block.indent > top.indent or (top.intro and not top.has_children)):
                    # Indented under the item, or the list its words introduce ("… you
                    # agree not to:") even where the page lost the list's indentation.
                    return self.stack[-1]
                self.stack.pop()
                continue
            if top.source == "P" and not top.sticky:
                if (bullet and top.intro) or block.indent >= 2:
                    return self.stack[-1]
                self.stack.pop()
                continue
            return self.stack[-1]
        return None


def _block_markdown(b: Block, dedent: int) -> str:
    return "\n".join(_dedent(b.lines, dedent)).rstrip()


@dataclass
class SplitResult:
    title: str
    nodes: list[Node]
    preamble: str


def _find_title(blocks: list[Block]) -> int | None:
    """Index of the block that is the document title, if the document opens with one."""
    seen = 0
    skipped = 0  # leading date lines ("Effective date: April 15, 2025")
    for i, b in enumerate(blocks):
        if b.kind == "blank":
            continue
        seen += 1
        if b.kind == "para" and len(b.lines) == 1 and _is_date_line(strip_inline(b.lines[0])) and seen == skipped + 1:
            skipped += 1
            continue
        if seen > 3:
            return None
        if b.kind == "heading":
            if b.level == 1 or (b.level <= 2 and seen == 1 + skipped):
                if _numbered(b.text) is None and clean_heading(b.text):
                    return i
            return None
        if b.kind == "para" and seen == 1 and len(b.lines) == 1:
            plain = strip_inline(b.lines[0]).strip()
            if (
                plain
                and is_title_like(plain, max_words=12, strict_case=False)
                and not is_sentence_like(plain)
                and not _DATEISH_RE.search(plain)
                and _numbered(b.lines[0]) is None
                and not plain.endswith(".")
            ):
                return i
            continue
        if b.kind not in ("para",):
            return None
    return None


def split_blocks(lines: list[str], *, plain_titles: bool | None = None) -> SplitResult:
    blocks = scan(lines)
    if plain_titles is None:
        # Plain short lines count as headings only in documents with no other structure.
        structural = 0
        for i, b in enumerate(blocks):
            if b.kind in ("heading", "para", "item"):
                st = _classify(blocks, i, False)
                if st is not None and st.source == "H":
                    structural += 1
                    if structural >= 3:
                        break
        plain_titles = structural < 3
    title_idx = _find_title(blocks)
    title = clean_heading(blocks[title_idx].text or blocks[title_idx].lines[0]) if title_idx is not None else ""
    title = re.sub(r"\s+[|–—-]\s+[^|–—-]{1,40}$", "", title) if " | " in title else title

    starts = {i: _classify(blocks, i, plain_titles) for i, b in enumerate(blocks) if b.kind in ("heading", "para", "item")}
    last_numbered: dict[str, int] = {}
    for i, st in starts.items():
        if st is not None and st.source == "H" and st.enum is not None:
            last_numbered[_fmt_of(st)] = i
    levels = [b.level for b in blocks if b.kind == "heading"]
    max_level = max(levels) if levels else 0
    builder, preamble, owners = _build(blocks, starts, title_idx, title, last_numbered, max_level, {})
    # Unnumbered lead-in paragraphs ("**Age requirements.** You must be …"): where a
    # clause's body holds two or more, each is a sub-clause a reader cites by its title.
    leads = {i: lead for i, b in enumerate(blocks) if starts.get(i) is None and (lead := _bold_lead(b))}
    if leads:
        per_owner: dict[int, list[int]] = {}
        for i in leads:
            owner = owners.get(i)
            if owner is not None and builder.nodes[owner].source in ("H", "P", "L"):
                per_owner.setdefault(owner, []).append(i)
        # A bold run that is a whole lead-in titles the provision it opens, alone or in a run.
        runs = set(per_owner)
        # A bold title line ending in "." inside such a run ("**Governing law and
        # venue.**" over a list) is one more lead-in, not a heading above the rest.
        merged: dict[int, int] = {}
        heads_with_subheads = {n.parent for n in builder.nodes if n.source == "H"}
        for k, node in enumerate(builder.nodes):
            if (
                node.parent in runs and node.source == "H" and node.enum is None and node.fmt == "bold"
                and k not in heads_with_subheads
                and blocks[node.block].kind == "para"
                and strip_inline(blocks[node.block].lines[0]).strip().endswith(".")
            ):
                merged[k] = node.parent
                leads[node.block] = (node.heading, "\n".join(l.strip() for l in blocks[node.block].lines[1:]))
                per_owner[node.parent].append(node.block)
        for k, parent in merged.items():
            per_owner[parent].extend(per_owner.pop(k, []))
        chosen = {
            i: (leads[i], builder.nodes[owner].block)
            for owner, idxs in per_owner.items() if owner in runs for i in idxs
        }
        if chosen:
            builder, preamble, owners = _build(blocks, starts, title_idx, title, last_numbered, max_level, chosen)
    return SplitResult(title, builder.nodes, "\n\n".join(p for p in preamble if p.strip()))


_DEFINES_RE = re.compile(r"^(?:means|mean|shall\s+mean|refers?\s+to|has\s+the\s+meaning|includes?)\b", re.I)
_BOLD_LEAD_RE = re.compile(r"^\s*(\*\*|__)(?=\S)(.+?)(?<=\S)\1(.*)$", re.S)


def _bold_lead(b: Block) -> tuple[str, str] | None:
    """A paragraph opening with a short bold title: "**Age requirements.** You must …".

    The title ends in "." or ":" (inside or right after the bold run), is at most eight
    words with no sentence break inside, and is followed by text. A bold defined term
    ("**“Account”** means …") is a glossary entry, not a title.
    """
    if b.kind == "item" and not b.ordered:
        text = b.text  # a titled bullet: "* **Profile Information.** We collect …"
    elif b.kind != "para":
        return None
    else:
        text = "\n".join(l.strip() for l in b.lines)
    m = _BOLD_LEAD_RE.match(text)
    if not m:
        return None
    inner, after = m.group(2).strip(), m.group(3)
    if "**" in inner or "__" in inner or "\n" in inner:
        return None
    raw = strip_inline(inner).strip()
    if raw[-1:] in ".:":
        rest = after
    elif re.match(r"^\s*[.:](?:\s|$)", after):
        rest = after.strip()[1:]
    else:
        return None
    rest = rest.strip()
    heading = clean_heading(inner)
    if not heading or not rest or _DEFINES_RE.match(strip_inline(rest).strip()):
        return None
    if heading[:1] in "“\"'‘" or not (heading[0].isupper() or heading[0].isdigit()):
        return None
    if len(words(heading)) > 8 or re.search(r"[.!?;]\s+\S", raw.rstrip(".:")) or _is_date_line(strip_inline(text)):
        return None
    return heading, rest


def _build(
    blocks: list[Block],
    starts: dict[int, ClauseStart | None],
    title_idx: int | None,
    title: str,
    last_numbered: dict[str, int],
    max_level: int,
    leads: dict[int, tuple[tuple[str, str], int]],
) -> tuple[_Builder, list[str], dict[int, int | None]]:
    """Run the tree builder over the blocks; ``leads`` maps lead-in paragraphs that start
    sub-clauses to ((heading, body), block index of the clause they belong to).

    Returns the builder, the preamble parts, and for each body block the clause that got it.
    """
    builder = _Builder(max_level)
    preamble: list[str] = []
    owners: dict[int, int | None] = {}
    for i, b in enumerate(blocks):
        if i == title_idx:
            continue
        if b.kind == "blank":
            continue
        start = None if i in leads else starts.get(i)
        if start is not None and start.source == "H" and start.enum is None:
            start.inside_numbered = last_numbered.get(_fmt_of(start), -1) > i
        if start is not None and title and start.enum is None and start.heading == title and i < len(blocks) // 4:
            start = None  # the title block captured twice is not a clause
        if start is not None:
            indent = b.indent if b.kind == "item" else 0
            builder.open_clause(start, indent, b.lines, block=i)
            continue
        if i in leads:
            (heading, body), owner_block = leads[i]
            builder.open_clause(ClauseStart(None, heading, body, "T", titled=True), 0, b.lines, block=i,
                                owner_block=owner_block)
            continue
        owner = builder.owner_for(b)
        if owner is None and builder.nodes:
            # Text after the clauses that no open clause holds (all of them list items
            # it is not inside): an unnumbered paragraph at the top, where it is read,
            # never the preamble before them all.
            if not (builder.nodes[-1].source == "X" and builder.nodes[-1].parent is None):
                builder.nodes.append(Node(number="", enum=None, heading="", source="X", sticky=False))
            owner = len(builder.nodes) - 1
        owners[i] = owner
        if owner is None:
            preamble.append(_block_markdown(b, 0))
            continue
        node = builder.nodes[owner]
        dedent = node.indent + 2 if node.source == "L" else (b.indent if b.kind != "item" else 0)
        builder.add_text(owner, _block_markdown(b, dedent))
    return builder, preamble, owners
