"""nb2jvm: exported Jupyter feature cells (an Ibis subset) -> Spark SQL on the JVM, verified.

``%load_ext transpiler`` in a notebook registers the ``%%export`` cell magic.
"""

__version__ = "0.1.0"


def load_ipython_extension(ipython):
    """Register ``%%export`` (see :mod:`transpiler.magic`)."""
    from .magic import register

    register(ipython)
