"""Filters as people type them: what the facets show, in any case, with or without accents.

``publisher:wordpress``, ``publisher:"WordPress.com"``, ``document:netflix``,
``kind:cookie`` and ``?publisher=Zendesk`` name a publisher, document or kind the way
the facets and pages show it (its name or title) or the way its address does (its
slug). Each value is matched against the catalogue by its words, folded (case,
accents and punctuation aside): first exactly, then as the start of a name ("wordpress"
for "WordPress.com", "cookie" for "Cookie policy"), then, for documents, by every word
appearing in "publisher title" ("netflix" for all of Netflix's documents). A value that
matches nothing is left as it is (so nothing matches it) and a notice names it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from documents.search.params import SearchParams
from documents.search.query import And, Not, Or, ParsedQuery, Term

MAX_MATCHES = 20  # documents one loose value may stand for


def words(text: str) -> tuple[str, ...]:
    """The folded words of a name or slug: "WordPress.com" and "wordpress-com" -> (wordpress, com)."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return tuple(re.findall(r"[^\W_]+", text))


@dataclass(frozen=True)
class Named:
    value: str  # what the index holds: a slug or a kind's value
    names: tuple[tuple[str, ...], ...]  # the word sequences it is known by
    loose: frozenset = frozenset()  # words any of which a loose document match may use


def _keys(w: tuple[str, ...]) -> set:
    return {w, ("".join(w),)}  # "wordpresscom" (Django's slugify of "WordPress.com") as well


def _match(value: str, candidates: list[Named], *, loose: bool) -> list[str]:
    typed = words(value)
    if not typed:
        return []
    typed_keys = _keys(typed)
    exact = [c.value for c in candidates if any(k in typed_keys for n in c.names for k in _keys(n))]
    if exact:
        return exact
    joined = "".join(typed)
    starts = [c.value for c in candidates
              if any(n[:len(typed)] == typed or (len(joined) >= 3 and "".join(n).startswith(joined)) for n in c.names)]
    if starts:
        return starts[:MAX_MATCHES]
    if loose:
        return [c.value for c in candidates if set(typed) <= c.loose][:MAX_MATCHES]
    return []


@dataclass(frozen=True)
class Catalogue:
    publishers: list[Named]
    documents: list[Named]
    kinds: list[Named]

    def resolve(self, field: str, value: str) -> list[str]:
        if field == "publisher":
            return _match(value, self.publishers, loose=False)
        if field == "document":
            return _match(value, self.documents, loose=True)
        if field == "kind":
            return _match(value, self.kinds, loose=False)
        return [value]


def catalogue() -> Catalogue:
    from documents.models import Document, DocumentKind, Publisher

    publishers = [Named(slug, (words(slug), words(name)))
                  for slug, name in Publisher.objects.values_list("slug", "name")]
    documents = []
    for slug, title, pub_slug, pub_name in Document.objects.values_list(
            "slug", "title", "publisher__slug", "publisher__name"):
        names = (words(slug), words(title), words(f"{pub_name} {title}"))
        documents.append(Named(slug, names, frozenset(w for n in (*names, words(pub_slug)) for w in n)))
    kinds = [Named(value, (words(value), words(str(label)))) for value, label in DocumentKind.choices]
    return Catalogue(publishers, documents, kinds)


_NOUNS = {"publisher": "publisher", "document": "document", "kind": "kind"}


def resolve(query: ParsedQuery, params: SearchParams, notices: list[str],
            known: Catalogue | None = None) -> tuple[ParsedQuery, SearchParams]:
    """The query and parameters with every filter value replaced by what it names
    (an OR when it names several documents); ``notices`` gets one line per value that
    names nothing."""
    fields = [f for f in ("publisher", "document", "kind") if getattr(params, f)]
    has_terms = query.tree is not None and _has_filter_terms(query.tree)
    if not fields and not has_terms:
        return query, params
    known = known or catalogue()
    unknown: list[str] = []

    def lookup(field: str, value: str) -> list[str]:
        found = known.resolve(field, value)
        if not found:
            unknown.append(f"No {_NOUNS[field]} matches “{value}”.")
        return found

    extra = []
    changes = {}
    for field in fields:
        value = getattr(params, field)
        found = lookup(field, value)
        if len(found) == 1:
            changes[field] = found[0]
        elif found:  # several documents: the filter moves into the query as an OR
            changes[field] = ""
            extra.append(Or(tuple(Term(text=v, field=field) for v in found)))

    def rewrite(node):
        if isinstance(node, Term):
            if node.field in _NOUNS:
                found = lookup(node.field, node.text)
                if not found:
                    return node
                if len(found) == 1:
                    return Term(text=found[0], field=node.field)
                return Or(tuple(Term(text=v, field=node.field) for v in found))
            return node
        if isinstance(node, Not):
            return Not(rewrite(node.child))
        if isinstance(node, And):
            return And(tuple(rewrite(c) for c in node.children))
        if isinstance(node, Or):
            return Or(tuple(rewrite(c) for c in node.children))
        return node

    tree = rewrite(query.tree) if query.tree is not None else None
    if extra:
        parts = ([tree] if tree is not None else []) + extra
        tree = parts[0] if len(parts) == 1 else And(tuple(parts))
    notices.extend(n for n in dict.fromkeys(unknown) if n not in notices)
    return replace(query, tree=tree), replace(params, **changes) if changes else params


def _has_filter_terms(node) -> bool:
    if isinstance(node, Term):
        return node.field in _NOUNS
    if isinstance(node, Not):
        return _has_filter_terms(node.child)
    if isinstance(node, (And, Or)):
        return any(_has_filter_terms(c) for c in node.children)
    return False
