"""Import (part of) the development corpus once for a whole test module.

The import runs in a transaction that is rolled back when the module is done, and
writes its search entries to a temporary Whoosh folder, so neither the database of the
other modules nor anyone's index sees it. Tests of the module use ``db`` as usual: each
runs in a savepoint inside that transaction.
"""

from __future__ import annotations

import contextlib

from django.db import transaction
from django.test import override_settings

from tests.conftest import CORPUS


@contextlib.contextmanager
def corpus_imported(tmp_path_factory, django_db_blocker, slugs: set[str] | None = None,
                    dates: set[str] | None = None):
    from haystack import connections

    from documents import importing

    whoosh = {"default": {"ENGINE": "documents.search.backend.PortalWhooshEngine",
                          "PATH": str(tmp_path_factory.mktemp("corpus-whoosh"))}}
    with django_db_blocker.unblock(), override_settings(HAYSTACK_CONNECTIONS=whoosh, PORTAL_ALERTS_SEND_ON_PUBLISH=False):
        connections.connections_info = whoosh
        connections.reload("default")
        with transaction.atomic():
            # ``slugs`` names documents by their folders: "<publisher>-<document>";
            # ``dates`` versions by their file names ("2025-10-03").
            items = [i for i in importing.collect([CORPUS])
                     if (slugs is None or f"{i.path.parent.parent.name}-{i.path.parent.name}" in slugs)
                     and (dates is None or i.path.stem in dates)]
            outcomes = [importing.import_item(item) for item in items]
            assert all(o.status == "created" for o in outcomes), [o.detail for o in outcomes if o.status != "created"]
            yield items
            transaction.set_rollback(True)
        connections.reload("default")
