"""Moved to ``documents.search.backend``; kept so an ENGINE path in an existing
settings file (``documents.search.backend.PortalWhooshEngine``) keeps working."""

from documents.search.backend import *  # noqa: F401,F403
from documents.search.backend import PortalWhooshEngine, PortalWhooshSearchBackend, SearchIndexBusy  # noqa: F401
