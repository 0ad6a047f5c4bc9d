"""Repair publisher and document slugs that are not valid slugs.

Imports before this release built slugs from folder names as written ("Financial
Times-Privacy Policy"), saved them before validating, and so left rows whose URLs
cannot be reversed: every page listing them answered 500. Each such slug is derived
again from the names, the way ``services.name_slug`` does, and made unique. Only the
Publisher and Document rows change; published versions and clauses are untouched.
"""

import hashlib
import re
import unicodedata

from django.db import migrations
from django.utils.text import slugify

_VALID = re.compile(r"^[-a-zA-Z0-9_]+$")


def _slug(name, max_length):
    # A frozen copy of services.name_slug: a migration must not change when the code does.
    try:
        from text_unidecode import unidecode
    except ImportError:  # pragma: no cover - the dependency is pinned
        def unidecode(s):
            return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    slug = slugify(re.sub(r"[^\w\s-]", " ", unidecode(unicodedata.normalize("NFKC", name))))
    if not slug:
        slug = "n-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-")


def _unique(base, max_length, taken):
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
        n += 1
    return candidate


def repair(apps, schema_editor):
    Publisher = apps.get_model("documents", "Publisher")
    Document = apps.get_model("documents", "Document")
    taken = set(Publisher.objects.values_list("slug", flat=True))
    for publisher in Publisher.objects.order_by("pk"):
        if _VALID.match(publisher.slug) and len(publisher.slug) <= 80:
            continue
        taken.discard(publisher.slug)
        publisher.slug = _unique(_slug(publisher.slug or publisher.name, 80), 80, taken)
        taken.add(publisher.slug)
        publisher.save(update_fields=["slug"])
    taken = set(Document.objects.values_list("slug", flat=True))
    for document in Document.objects.select_related("publisher").order_by("pk"):
        if _VALID.match(document.slug) and len(document.slug) <= 120:
            continue
        taken.discard(document.slug)
        base = _slug(f"{document.publisher.slug} {document.title}", 120)
        document.slug = _unique(base, 120, taken)
        taken.add(document.slug)
        document.save(update_fields=["slug"])


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0002_version_recorded_date_official_title"),
    ]

    operations = [
        migrations.RunPython(repair, migrations.RunPython.noop),
    ]
