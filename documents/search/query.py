"""The portal's query language: any string -> a bounded tree of terms and operators.

What each form does (the search page's help says the same, in users' words)::

    cookie consent         every word must match; plain words are stemmed, so
                           "cookies" also finds "cookie" and "processing" "processed"
    "governing law"        an exact phrase: these words, as written, one after the other
                           ("governed by the law" does not match); not stemmed
    cookie OR tracker      either word; AND is implied, and may be written
    NOT marketing, -ads    leave out clauses with the word
    (a OR b) c             grouping
    liabilit*              every word *as written* that starts with "liabilit"
                           (liability, liabilities); not stemmed
    cokie~ / cokie~2       fuzzy: one (or two) letters off
    publisher:zendesk kind:privacy document:<slug> heading:word    field filters

User input never reaches Whoosh's (or any engine's) query parser. ``parse_query`` is a
small hand-written parser that turns any string into a tree of :class:`Term`,
:class:`And`, :class:`Or` and :class:`Not`, with *notices* for what it had to ignore
or change: the input is capped (``MAX_QUERY_CHARS``, ``MAX_TERMS``, ``MAX_DEPTH``),
NUL and control characters are dropped, unbalanced quotes and parentheses are closed
or ignored, lone operators are dropped, wildcards only work at the end of a word
(``*ookie`` is searched as ``ookie`` with a notice), fuzzy distance is at most 2 and
only words of at most ``MAX_FUZZY_CHARS`` letters are matched fuzzily (the cost of
fuzzy matching grows with the word). Parsing never raises and the recursion depth is
bounded.

This module is pure: it knows nothing of Django or of any engine.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 500
MAX_RAW_CHARS = 20_000  # read at most this much of the raw parameter
MAX_TERMS = 24
MAX_DEPTH = 8
MAX_FUZZY = 2
MAX_FUZZY_CHARS = 24  # longer words are matched exactly: fuzzy cost grows with length
MIN_PREFIX = 2

FIELDS = ("publisher", "kind", "document", "heading")
OPERATORS = {"AND", "OR", "NOT"}


def slug(text: str) -> str:
    """A value of a slug field as typed (``publisher:Zendesk`` -> ``zendesk``), the
    way Django's ``slugify`` makes the stored slugs."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"[-\s]+", "-", text).strip("-_")


# --------------------------------------------------------------------------------------
# Query tree
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    text: str
    field: str | None = None  # None: the clause text (and heading)
    kind: str = "word"  # word | phrase | prefix | fuzzy
    distance: int = 0

    def __str__(self) -> str:
        prefix = f"{self.field}:" if self.field else ""
        if self.kind == "phrase":
            return f'{prefix}"{self.text}"'
        if self.kind == "prefix":
            return f"{prefix}{self.text}*"
        if self.kind == "fuzzy":
            return f"{prefix}{self.text}~{self.distance}"
        return f"{prefix}{self.text}"


@dataclass(frozen=True)
class Not:
    child: object

    def __str__(self) -> str:
        return f"-{_group(self.child)}"


@dataclass(frozen=True)
class And:
    children: tuple

    def __str__(self) -> str:
        return " ".join(_group(c) for c in self.children)


@dataclass(frozen=True)
class Or:
    children: tuple

    def __str__(self) -> str:
        return " OR ".join(_group(c) if isinstance(c, Or) else str(c) for c in self.children)


def _group(node) -> str:
    return f"({node})" if isinstance(node, (And, Or)) else str(node)


@dataclass
class ParsedQuery:
    raw: str
    tree: object | None
    notices: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.tree is None

    def __str__(self) -> str:
        return "" if self.tree is None else str(self.tree)

    def terms(self, kinds=("word",)) -> list[Term]:
        found: list[Term] = []

        def walk(node, negated=False):
            if isinstance(node, Term):
                if not negated and node.kind in kinds and node.field in (None, "heading"):
                    found.append(node)
            elif isinstance(node, Not):
                walk(node.child, not negated)
            elif isinstance(node, (And, Or)):
                for child in node.children:
                    walk(child, negated)

        if self.tree is not None:
            walk(self.tree)
        return found


# --------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPECIAL = set('()"')
_PAREN_RUN = re.compile(r"\({%d,}|\){%d,}" % (MAX_DEPTH + 1, MAX_DEPTH + 1))


def _clean_input(raw: str, notices: list[str]) -> str:
    text = raw if isinstance(raw, str) else str(raw)
    text = text[:MAX_RAW_CHARS]
    # Thousands of nested parentheses say nothing more than a few: keep MAX_DEPTH.
    squeezed = _PAREN_RUN.sub(lambda m: m.group(0)[0] * MAX_DEPTH, text)
    if squeezed != text:
        text = squeezed
        notices.append(f"Parentheses nested deeper than {MAX_DEPTH} levels were ignored.")
    text = unicodedata.normalize("NFKC", text[: MAX_QUERY_CHARS * 4])
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
        notices.append("Control characters in the query were ignored.")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notices.append(f"The query was cut to its first {MAX_QUERY_CHARS} characters.")
    return text


def _tokenize(text: str, notices: list[str]) -> list[tuple]:
    """Tokens: ("(",), (")",), ("op", "AND"), ("neg",), ("phrase", field, text), ("word", text)."""
    tokens: list[tuple] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            tokens.append((c,))
            i += 1
        elif c == '"':
            end = text.find('"', i + 1)
            if end == -1:
                notices.append("A quotation mark was not closed; the phrase runs to the end of the query.")
                end = n
            tokens.append(("phrase", None, text[i + 1 : end]))
            i = end + 1
        elif c == "-" and (i + 1 < n and not text[i + 1].isspace()) and (i == 0 or text[i - 1] in " ("):
            tokens.append(("neg",))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in _SPECIAL:
                j += 1
            word = text[i:j]
            # field:"a phrase"
            if word.endswith(":") and j < n and text[j] == '"' and word[:-1].lower() in FIELDS:
                end = text.find('"', j + 1)
                if end == -1:
                    notices.append("A quotation mark was not closed; the phrase runs to the end of the query.")
                    end = n
                tokens.append(("phrase", word[:-1].lower(), text[j + 1 : end]))
                i = end + 1
                continue
            if word in OPERATORS:
                tokens.append(("op", word))
            elif word in {"&&", "||", "!"}:
                tokens.append(("op", {"&&": "AND", "||": "OR", "!": "NOT"}[word]))
            elif word.strip("-"):
                tokens.append(("word", word))
            i = j
    return _balance(tokens, notices)


def _balance(tokens: list[tuple], notices: list[str]) -> list[tuple]:
    """Drop unmatched ")" and too-deep parentheses; close unclosed "(" at the end."""
    out: list[tuple] = []
    depth = 0
    dropped_deep = dropped_close = False
    skipped_opens = 0  # "(" dropped for depth, whose ")" must be dropped too
    for tok in tokens:
        if tok[0] == "(":
            if depth >= MAX_DEPTH:
                skipped_opens += 1
                dropped_deep = True
                continue
            depth += 1
            out.append(tok)
        elif tok[0] == ")":
            if skipped_opens:
                skipped_opens -= 1
                continue
            if depth == 0:
                dropped_close = True
                continue
            depth -= 1
            out.append(tok)
        else:
            out.append(tok)
    if dropped_deep:
        notices.append(f"Parentheses nested deeper than {MAX_DEPTH} levels were ignored.")
    if dropped_close:
        notices.append("A closing parenthesis without an opening one was ignored.")
    if depth:
        notices.append("An opening parenthesis was not closed; it was closed at the end.")
        out.extend([(")",)] * depth)
    return out


class _Parser:
    def __init__(self, tokens, notices, kinds=()):
        self.kinds = tuple(kinds)
        self.tokens = tokens
        self.pos = 0
        self.notices = notices
        self.term_count = 0
        self.capped = False
        self.dropped_ops = False

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self):
        tok = self.peek()
        self.pos += 1
        return tok

    def parse(self):
        node = self.parse_or()
        while self.peek() is not None:  # stray ")" cannot happen after balancing; be safe
            self.take()
            more = self.parse_or()
            node = _and([node, more])
        return node

    def parse_or(self):
        parts = [self.parse_and()]
        while self.peek() == ("op", "OR"):
            self.take()
            parts.append(self.parse_and())
        kept = [p for p in parts if p is not None]
        if len(parts) > 1 and len(kept) != len(parts):
            self.dropped_ops = True
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Or(tuple(kept))

    def parse_and(self):
        parts = []
        while True:
            tok = self.peek()
            if tok is None or tok[0] == ")" or tok == ("op", "OR"):
                break
            if tok == ("op", "AND"):
                self.take()
                if not parts:
                    self.dropped_ops = True
                continue
            node = self.parse_unary()
            if node is not None:
                parts.append(node)
        return _and(parts)

    def parse_unary(self):
        tok = self.peek()
        if tok is not None and (tok == ("op", "NOT") or tok[0] == "neg"):
            self.take()
            nxt = self.peek()
            if nxt is None or nxt[0] == ")" or nxt[0] == "op" and nxt[1] in {"OR", "AND"}:
                self.dropped_ops = True
                return None
            child = self.parse_unary()
            if child is None:
                return None
            return child.child if isinstance(child, Not) else Not(child)
        return self.parse_primary()

    def parse_primary(self):
        tok = self.take()
        if tok is None:
            return None
        if tok[0] == "(":
            node = self.parse_or()
            if self.peek() is not None and self.peek()[0] == ")":
                self.take()
            return node
        if tok[0] == ")":
            return None
        if tok[0] == "op":
            self.dropped_ops = True
            return None
        if tok[0] == "phrase":
            text = " ".join(tok[2].replace('"', " ").split())
            if not text:
                return None
            return self._term(Term(text=text, field=tok[1], kind="phrase" if len(text.split()) > 1 else "word"))
        return self._word(tok[1])

    def _term(self, term):
        if self.term_count >= MAX_TERMS:
            if not self.capped:
                self.notices.append(f"Only the first {MAX_TERMS} terms of the query were used.")
                self.capped = True
            return None
        self.term_count += 1
        return term

    def _word(self, word: str):
        field_name = None
        if ":" in word:
            head, _, rest = word.partition(":")
            if head.lower() in FIELDS and rest:
                field_name, word = head.lower(), rest
            elif head.lower() in FIELDS:
                self.notices.append(f"“{head}:” needs a value, as in {head}:example.")
                return None
        if field_name in ("publisher", "document"):
            value = slug(word.replace("*", "").replace("?", ""))
            return self._term(Term(text=value, field=field_name)) if value else None
        if field_name == "kind":
            value = word.lower().strip("*?")
            if self.kinds and value not in self.kinds:
                self.notices.append(f"Unknown kind “{value}”; kinds are {', '.join(self.kinds)}.")
            return self._term(Term(text=value, field="kind")) if value else None

        kind, distance = "word", 0
        fuzzy = re.fullmatch(r"(.+?)~(\d*)", word)
        if fuzzy:
            word, digits = fuzzy.group(1), fuzzy.group(2)
            distance = int(digits[:3]) if digits else 1
            if distance > MAX_FUZZY:
                self.notices.append(f"Fuzzy matching allows at most {MAX_FUZZY} letters off; “~{digits}” was read as ~{MAX_FUZZY}.")
                distance = MAX_FUZZY
            kind = "fuzzy" if distance > 0 else "word"
        word = word.replace("~", "")
        if kind == "fuzzy" and len(word) > MAX_FUZZY_CHARS:
            self.notices.append(
                f"Fuzzy matching works on words of up to {MAX_FUZZY_CHARS} letters; “{word[:40]}” was matched exactly."
            )
            kind, distance = "word", 0
        if word.endswith("*") and not any(ch in word[:-1] for ch in "*?"):
            stem = word.rstrip("*")
            if len(stem) >= MIN_PREFIX:
                kind, word = "prefix", stem
            else:
                self.notices.append(f"A prefix search needs at least {MIN_PREFIX} letters before the *.")
                word = stem
        elif "*" in word or "?" in word:
            cleaned = word.replace("*", "").replace("?", "")
            self.notices.append(
                f"Wildcards only work at the end of a word (as in cook*); “{word}” was searched as “{cleaned}”."
            )
            word = cleaned
        word = word.strip()
        if not word or not any(ch.isalnum() for ch in word):
            return None
        return self._term(Term(text=word, field=field_name, kind=kind, distance=distance))


def _and(parts):
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def parse_query(raw: str | None, kinds=()) -> ParsedQuery:
    """Any string -> a bounded query tree and notices. Never raises. ``kinds``: the
    values ``kind:`` accepts (others are kept, with a notice)."""
    notices: list[str] = []
    text = _clean_input(raw or "", notices)
    parser = _Parser(_tokenize(text, notices), notices, kinds)
    tree = parser.parse()
    if parser.dropped_ops:
        notices.append("Operators (AND, OR, NOT, -) need a word on each side; the stray ones were ignored.")
    return ParsedQuery(raw=text, tree=tree, notices=list(dict.fromkeys(notices)))



def replace_terms(node, replacements: dict):
    """The tree with the terms in ``replacements`` swapped (for "did you mean")."""
    if isinstance(node, Term):
        return replacements.get(node, node)
    if isinstance(node, Not):
        return Not(replace_terms(node.child, replacements))
    if isinstance(node, And):
        return And(tuple(replace_terms(c, replacements) for c in node.children))
    if isinstance(node, Or):
        return Or(tuple(replace_terms(c, replacements) for c in node.children))
    return node
