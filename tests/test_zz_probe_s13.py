import datetime as dt, time
import pytest
from django.urls import reverse
from tests import factories
from tests.test_performance import big_text, fifty_documents, get  # noqa: F401

pytestmark = pytest.mark.django_db

def t(client, url, n=20):
    client.get(url)
    times = []
    for _ in range(n):
        s = time.perf_counter(); client.get(url); times.append(time.perf_counter() - s)
    times.sort(); return f"p50 {times[n//2]*1000:.1f} ms min {times[0]*1000:.1f}"

def test_probe(client, fifty_documents):  # noqa: F811
    print("\nhome", t(client, reverse("documents:home")), get(client, reverse("documents:home"))[1:])
    doc = factories.document(title="Big Terms", kind="terms")
    v1 = factories.publish(doc, big_text(300), dt.date(2024, 1, 1)).version
    factories.publish(doc, big_text(300, fix="fixedword"), dt.date(2024, 2, 1))
    clause = v1.clauses.get(heading="Section heading 150")
    print("clause latest", t(client, reverse("documents:clause_latest", args=[clause.lineage.key])))
    print("clause pinned", t(client, reverse("documents:clause_pinned", args=[clause.lineage.key, v1.label])))
    print("document", t(client, reverse("documents:document", args=[doc.slug])))
    import cProfile, pstats
    pr = cProfile.Profile(); pr.enable()
    for _ in range(10): client.get(reverse("documents:home"))
    pr.disable(); pstats.Stats(pr).sort_stats("cumulative").print_stats(30)
