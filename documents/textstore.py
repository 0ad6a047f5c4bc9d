"""How long texts are stored: compressed, and clause wordings once for all versions.

A version's source and normalized texts are written once and read whole (a page, a PDF,
a comparison): they are stored zlib-compressed in their own columns, through
``CompressedTextField``, so every reader still gets a ``str`` and the ORM's
``only()``/``defer()`` by field name keep working. Markdown and plain text compress
four to six times.

A clause's wording (heading, markdown body, plain text, closing words) is shared by
every version that carries the clause unchanged: ``ClauseText`` rows are keyed by the
sha256 of the four parts (``content_sha``), and written only when a version brings a
wording the archive has never held.
"""

from __future__ import annotations

import hashlib
import zlib

from django.db import models

LEVEL = 6  # zlib's default: level 9 saves ~1% more for twice the CPU on these texts


def compress(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), LEVEL)


def decompress(data) -> str:
    return zlib.decompress(bytes(data)).decode("utf-8")


def content_sha(heading: str, body: str, text: str, closing: str) -> str:
    """Identity of a clause's stored wording: exact (unlike ``services.clause_text_sha``,
    which ignores whitespace to pair clauses, two wordings stored differ in a byte)."""
    digest = hashlib.sha256()
    for part in (heading, body, text, closing):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


class CompressedTextField(models.BinaryField):
    """A text stored zlib-compressed (a BLOB/bytea column); ``str`` in Python."""

    description = "Text, stored compressed"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        return name, "documents.textstore.CompressedTextField", args, kwargs

    def _check_str_default_value(self):
        return []  # its default is a str, as its values are

    def from_db_value(self, value, expression, connection):
        return None if value is None else decompress(value)

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        return decompress(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if isinstance(value, str):
            value = compress(value)
        return super().get_db_prep_value(value, connection, prepared)

    def get_default(self):
        default = super().get_default()
        return "" if default == b"" else default

    def value_to_string(self, obj):
        return self.value_from_object(obj) or ""
