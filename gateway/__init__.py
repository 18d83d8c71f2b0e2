"""pii-gateway: a sidecar reverse proxy that finds and protects personal data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pii-gateway")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+src"

__all__ = ["__version__"]
