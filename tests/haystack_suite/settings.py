"""haystack 3.4.0's own test settings, with its Whoosh connections on the portal's engine.

Used by ``tests/haystack_suite/run.py`` (see there). ``HAYSTACK_SUITE_ENGINE=stock``
runs the same tests on haystack's stock Whoosh engine, for comparison.
"""

import os
import unittest

from django.test.runner import DiscoverRunner
from test_haystack.settings import *  # noqa: F401,F403
from test_haystack.settings import HAYSTACK_CONNECTIONS as _CONNECTIONS

# The suite's other engines (Solr, Elasticsearch) need servers: not this suite.
HAYSTACK_CONNECTIONS = {k: v for k, v in _CONNECTIONS.items() if k in ("default", "whoosh", "filtered_whoosh", "simple")}
if os.environ.get("HAYSTACK_SUITE_ENGINE", "portal") == "portal":
    for _alias in ("whoosh", "filtered_whoosh"):
        HAYSTACK_CONNECTIONS[_alias]["ENGINE"] = "documents.search.backend.PortalWhooshEngine"
        # The suite deletes its index folders under rows it keeps in the database and
        # expects haystack's setup to make a new empty one: the portal's refusal to do
        # so (issue #25) is for the portal's data, not the suite's fixtures.
        HAYSTACK_CONNECTIONS[_alias]["REFUSE_EMPTY_OVER_DATA"] = False

from tests.haystack_suite.exceptions import EXCEPTIONS  # noqa: E402

TEST_RUNNER = "tests.haystack_suite.settings.ExceptionsRunner"


class ExceptionsRunner(DiscoverRunner):
    """Runs the suite, skipping the listed exceptions with their reason."""

    def build_suite(self, *args, **kwargs):
        suite = super().build_suite(*args, **kwargs)
        if os.environ.get("HAYSTACK_SUITE_ENGINE", "portal") != "portal" or not EXCEPTIONS:
            return suite
        out = unittest.TestSuite()
        for test in _flatten(suite):
            reason = EXCEPTIONS.get(test.id())
            if reason:
                setattr(test, test._testMethodName, unittest.skip(f"portal exception: {reason}")(
                    getattr(test, test._testMethodName)))
            out.addTest(test)
        return out


def _flatten(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _flatten(item)
        else:
            yield item
