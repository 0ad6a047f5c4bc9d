"""Issue #25 (items 3-5): every public URL pattern, with hostile path and query values,
and every public POST, answers without a 5xx (Hypothesis).

The patterns are read from the URL resolver, so a new page is fuzzed without being
listed here. Path values are drawn to *match* each converter (so the view runs) or to
be arbitrary text; query values mix real references (slugs, labels, keys, version
references) with hostile text: controls, long runs, non-slugs, odd numbers, deep JSON.
PDF pages are fuzzed with values that name nothing (rendering a real PDF is the PDF
developer's part and takes seconds).
"""

from __future__ import annotations

import re
import string

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings, strategies as st

from documents.alerts.tokens import unsubscribe_token
from tests import factories

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=20, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

HOSTILE = ["", " ", "a.b", "a b", "é", "%", "%00", "\x00", "\x1b[31m", "\u202e", "..", "../../etc/passwd",
           "<script>alert(1)</script>", "' OR 1=1 --", "x" * 300, "9" * 40, "-1", "0", "1e9", "NaN", "[]", "{}",
           "[" * 1000, "current", "latest", "2024-02-30", "0000-00-00", "9999-12-31-99999999999", "@", "a@b@c",
           "*", "~", "\"", "\\", "\ufeff", "\U0001f600"]
PARAMS = ["q", "page", "per_page", "publisher", "document", "kind", "a", "b", "full", "as_of", "versions",
          "sort", "format", "text", "next", "filter", "ranges", "start", "stop", "clause", "w", "asof"]


def _patterns(resolver=None, prefix=""):
    """(route regex, name) of every URL pattern below ``resolver``."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        regex = prefix + entry.pattern.regex.pattern.lstrip("^")
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, regex.rstrip("$").replace("\\Z", ""))
        elif isinstance(entry, URLPattern):
            yield regex.rstrip("$").replace("\\Z", ""), entry.name or ""


PUBLIC = [(r, n) for r, n in _patterns() if not r.startswith(("admin/", "staff/"))]


@pytest.fixture
def world(django_user_model):
    doc = factories.document()
    v1 = factories.publish(doc, factories.POLICY_V1).version
    v2 = factories.publish(doc, factories.POLICY_V2).version
    doc.refresh_from_db()
    key = v2.clauses.exclude(lineage=None).first().lineage.key
    reader = django_user_model.objects.create_user("reader", "r@example.com", "a-long-test-password-1")
    from documents.alerts import services

    watch, _ = services.watch_document(user=reader, document=doc)
    refs = [doc.slug, doc.publisher.slug, v1.label, v2.label, key, f"{doc.slug}@{v1.label}",
            f"{doc.slug}@{v2.label}", str(watch.pk), unsubscribe_token(watch.pk)]
    return {"refs": refs, "reader": reader, "watch": watch}


def _values(refs):
    text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
    hostile = st.sampled_from(HOSTILE)
    return st.one_of(hostile, hostile, st.sampled_from(refs), text)


def _path(regex: str, draw, refs) -> str:
    """``regex`` with each group replaced by a drawn value (kept to what the group
    matches when it can be, else arbitrary), and its escapes undone."""
    def group(match):
        inner = match.group(0)
        candidates = [v for v in HOSTILE + refs if v and re.fullmatch(inner, v)]
        value = draw(st.one_of(st.sampled_from(candidates), _values(refs)) if candidates else _values(refs))
        return value.replace("/", "_") or "x"

    path = re.sub(r"\(\?P<\w+>(?:[^()]|\([^()]*\))*\)", group, regex)
    return "/" + path.replace("\\", "")


@pytest.mark.parametrize("regex,name", PUBLIC, ids=[n or r for r, n in PUBLIC])
@FUZZ
@given(data=st.data())
def test_no_public_get_is_a_server_error(client, world, data, regex, name):
    path = _path(regex, data.draw, world["refs"])
    query = data.draw(st.dictionaries(st.sampled_from(PARAMS), _values(world["refs"]), max_size=2), label="query")
    if name.endswith("pdf") and any(ref in text for ref in world["refs"] for text in [path, *query.values()]):
        return  # a real PDF render: not fuzzed here (see the module docstring)
    if data.draw(st.booleans(), label="signed in"):
        client.force_login(world["reader"])
    response = client.get(path, query)
    assert response.status_code < 500, (path, query, response.status_code)


POSTS = [
    ("/api/citations/", "json"), ("/api/citations/", "form"), ("/api/citations/", "raw"),
    ("/citations/", "form"), ("/watches/add/", "form"), ("/watches/{watch}/remove/", "form"),
    ("/alerts/unsubscribe/{token}/", "form"), ("/alerts/unsubscribe/{value}/", "form"),
    ("/accounts/login/", "form"), ("/accounts/password_reset/", "form"),
]
DEPTHS = st.sampled_from([1, 10, 999, 1_000, 5_000, 100_000])
FORM_FIELDS = ["text", "q", "publisher", "kind", "document", "document_filter", "clause", "next", "action",
               "username", "password", "email", "List-Unsubscribe"]


def _json(values):
    leaf = st.one_of(st.none(), st.booleans(), st.integers(), values)
    return st.one_of(st.recursive(leaf, lambda inner: st.lists(inner, max_size=3)
                                  | st.dictionaries(st.sampled_from(["text", "q", "x"]), inner, max_size=3),
                                  max_leaves=10),
                     DEPTHS.map(lambda n: "[" * n + "]" * n),
                     DEPTHS.map(lambda n: '{"text": ' + "[" * n + "]" * n + "}"))


@pytest.mark.parametrize("url,kind", POSTS, ids=[f"{u}:{k}" for u, k in POSTS])
@FUZZ
@given(data=st.data())
def test_no_public_post_is_a_server_error(world, data, url, kind):
    import json

    client = Client(enforce_csrf_checks=False)
    values = _values(world["refs"])
    url = url.format(watch=world["watch"].pk, token=unsubscribe_token(world["watch"].pk),
                     value=data.draw(values.filter(lambda v: v and "/" not in v and "\x00" not in v) | st.just("x")))
    if data.draw(st.booleans(), label="signed in"):
        client.force_login(world["reader"])
    if kind == "json":
        body = data.draw(_json(values), label="json")
        body = body if isinstance(body, str) and body.startswith(("[", "{")) else json.dumps(body)
        response = client.post(url, body, content_type="application/json")
    elif kind == "raw":
        body = data.draw(st.binary(max_size=200), label="raw")
        response = client.post(url, body, content_type=data.draw(st.sampled_from(["text/plain", "application/octet-stream", ""])))
    else:
        form = data.draw(st.dictionaries(st.sampled_from(FORM_FIELDS), values, max_size=5), label="form")
        if data.draw(st.booleans(), label="with q"):  # a saved search, whose filters are then read
            form.setdefault("q", "cookies")
        response = client.post(url, form)
    assert response.status_code < 500, (url, response.status_code)
