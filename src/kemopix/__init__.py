"""kemopix: the shared core (HTTP, retries, rate limits, downloads, archive), CLI and emulators."""

__version__ = "0.1.0"
