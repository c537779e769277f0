"""A finished build: its Maven coordinates and what the build directory holds.  Records only."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Coordinates:
    """Maven coordinates of the artifact."""

    group_id: str = "nb2jvm.generated"
    artifact_id: str = ""
    version: str = "0.1.0"
    facade: str = ""  # the facade class name; default from the notebook's name


@dataclass(frozen=True)
class Artifact:
    """A finished build directory and what is in it."""

    directory: Path
    jar: Path
    manifest: dict
    coordinates: Coordinates
    sql_files: dict[str, Path] = field(default_factory=dict)
    warnings: tuple = ()
    data_files: tuple[Path, ...] = ()  # what the inputs were read from (schemas, golden rows)
