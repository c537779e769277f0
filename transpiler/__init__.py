"""nb2jvm: exported Jupyter feature cells (an Ibis subset) -> Spark SQL on the JVM, verified.

``%load_ext transpiler`` in a notebook registers the ``%%export`` cell magic.
"""

from .common.version import __version__

__all__ = ["__version__", "load_ipython_extension"]


def load_ipython_extension(ipython):
    """Register ``%%export`` (see :mod:`transpiler.interfaces.magic`)."""
    from .interfaces.magic import register

    register(ipython)
