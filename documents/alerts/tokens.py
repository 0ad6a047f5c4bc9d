"""Signed unsubscribe tokens: the link in an e-mail works without signing in.

The token signs the watch's id with the secret key (and a salt of its own), so it
cannot be forged or pointed at another watch; it does not expire, because an old
e-mail's unsubscribe link must still work.
"""

from __future__ import annotations

from django.core import signing

_SALT = "documents.alerts.unsubscribe"


def unsubscribe_token(watch_id: int) -> str:
    return signing.dumps({"w": watch_id}, salt=_SALT, compress=False)


def watch_id_from_token(token: str) -> int | None:
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    value = data.get("w") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None
