"""pykemo: an async Kemono client."""

__version__ = "0.6.2"
