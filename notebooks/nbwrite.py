"""Write an example notebook from a list of (kind, source) cells, with fixed cell ids."""

from pathlib import Path

import nbformat


def write_example(path: Path, id_prefix: str, cells: list[tuple[str, str]]) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for i, (kind, source) in enumerate(cells, start=1):
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        cell = make(source)
        cell.id = f"{id_prefix}-{i:02d}"  # fixed ids keep the file reproducible
        nb.cells.append(cell)
    nbformat.write(nb, path)
