"""The nb2jvm version (a leaf module: the package and its modules all import it from here)."""

__version__ = "0.1.0"
