"""The clients' methods, one module per resource, each a thin call of a flow of ``_ops``.

``_async`` is written by hand; ``scripts/unasync.py`` generates ``_sync`` from it, and
``make test`` fails when that copy is stale.
"""
