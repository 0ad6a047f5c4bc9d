"""Placeholder: the search engineer replaces this with the tuned Whoosh backend."""
from haystack.backends.whoosh_backend import WhooshEngine


class PortalWhooshEngine(WhooshEngine):
    pass
