"""Pure text -> structure: format detection, cleaning, clause splitting.

The public entry point is :func:`parse_document`.
"""
