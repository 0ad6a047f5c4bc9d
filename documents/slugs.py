"""What a slug in a query string or form may be, checked before it reaches a query,
a model's ``full_clean()`` or ``reverse()``.

The URL patterns take slugs with Django's ``slug`` converter (ASCII letters, digits,
hyphens and underscores), so any other value can name no publisher or document and
would make ``reverse()`` raise ``NoReverseMatch``: it is refused with a message.
"""

from __future__ import annotations

import re

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def slug_error(value: str, *, what: str, max_length: int) -> str:
    """"" when ``value`` is empty or a slug of at most ``max_length`` characters, else
    a message for the person who sent it."""
    if not value:
        return ""
    if len(value) > max_length:
        return f"The {what} is {len(value):,} characters long; a {what} has at most {max_length}."
    if not _SLUG.fullmatch(value):
        return (f"“{value[:40]}” is not a {what}: a {what} is written with letters a–z, "
                "digits, hyphens and underscores only.")
    return ""
