"""haystack tests that cannot pass on the portal's engine: test id -> one-line reason.

Empty: every Whoosh test of haystack 3.4.0 passes on the portal's engine as on the
stock one (86 run, 1 skipped by haystack itself, 3 expected failures of its own).
"""

EXCEPTIONS: dict[str, str] = {}
