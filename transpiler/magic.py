"""The ``%%export`` cell magic, minimal form: run the cell as usual and record it.

The cell runs in the notebook's namespace exactly as it would without the magic (the last
expression still displays).  The magic remembers which cells were exported in this kernel, so
``transpiler.magic.exported_cells()`` lists them; the build itself always reads the saved
notebook file.
"""

from __future__ import annotations

from IPython.core.magic import Magics, cell_magic, magics_class

_EXPORTED: list[tuple[str, str]] = []


@magics_class
class ExportMagics(Magics):
    """Holds the ``%%export`` cell magic."""

    @cell_magic
    def export(self, line: str, cell: str):
        """Run the cell unchanged and record it as exported (``%%export [NAME ...]``)."""
        _EXPORTED.append((line.strip(), cell))
        result = self.shell.run_cell(cell, store_history=False)
        if result.error_in_exec is None and result.error_before_exec is None:
            return result.result
        return None


def exported_cells() -> list[tuple[str, str]]:
    """The (arguments, source) of every cell run with ``%%export`` in this kernel."""
    return list(_EXPORTED)


def register(ipython) -> None:
    ipython.register_magics(ExportMagics)
