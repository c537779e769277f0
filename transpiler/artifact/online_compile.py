"""javac of the online path's sources (online_source.py) into class files for the jar, cached by
the sources' hash: the same feature sets compile once."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from ..common.paths import cache_dir
from ..ir.errors import JvmError, error
from ..jvm.compile_server import compile_with, javac_args
from ..jvm.spark import JAVA_RELEASE, runtime_classes
from .online_source import (PACKAGE, artifact_package, class_of, feature_source, main_source,
                            pipeline_source)


def sources(online, runtime_package: str, artifact_id: str) -> dict[str, str]:
    """The online path's Java sources by path in the jar (none when nothing is row-local)."""
    if not online:
        return {}
    package = artifact_package(artifact_id)
    root, own = PACKAGE.replace(".", "/"), package.replace(".", "/")
    out = {f"{own}/{class_of(k)}.java": feature_source(k, f, runtime_package, package)
           for k, f in enumerate(online)}
    out[f"{root}/OnlinePipeline.java"] = pipeline_source(runtime_package)
    out[f"{root}/Main.java"] = main_source(runtime_package)
    return out


def service_file(online, runtime_package: str, artifact_id: str) -> dict[str, bytes]:
    """META-INF/services entry: how OnlinePipeline finds this artifact's row functions."""
    if not online:
        return {}
    package = artifact_package(artifact_id)
    return {f"META-INF/services/{runtime_package}.OnlineFeature": "".join(
        f"{package}.{class_of(k)}\n" for k in range(len(online))).encode()}


def compile_online(online, runtime_package: str, artifact_id: str, udf_trees: list[Path]):
    """(class files by jar path, the folder holding them, the features kept, {name: reason}
    for those whose Java did not compile): a feature set whose generated Java javac rejects
    (an nb2jvm bug) loses its online path with that reason, not the whole artifact its build."""
    online, failed = list(online), {}
    for _ in range(3):
        try:
            classes, folder = _compile(online, runtime_package, artifact_id, udf_trees)
            return classes, folder, online, failed
        except _Failed as exc:
            bad = {int(k) for k in re.findall(r"/F(\d+)\.java:", exc.detail)}
            if not bad or not bad <= set(range(len(online))):
                raise error("JVM004", "javac failed on the generated online path (an nb2jvm "
                            "bug):\n" + exc.detail.strip(), cls=JvmError) from None
            for k in sorted(bad):
                failed[online[k].name] = ("its generated Java did not compile (an nb2jvm bug; "
                                          "the batch path is not affected)")
            online = [f for k, f in enumerate(online) if k not in bad]
    raise error("JVM004", "javac kept failing on the generated online path (an nb2jvm bug)",
                cls=JvmError)


class _Failed(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def _compile(online, runtime_package: str, artifact_id: str, udf_trees: list[Path]):
    texts = sources(online, runtime_package, artifact_id)
    if not texts:
        return {}, None
    key = hashlib.sha256("\0".join([*(f"{p}\0{t}" for p, t in sorted(texts.items())),
                                    str(runtime_classes()), JAVA_RELEASE,
                                    *map(str, udf_trees)]).encode()).hexdigest()[:16]
    done = cache_dir() / f"online-{key}"
    if not done.is_dir():
        with tempfile.TemporaryDirectory(prefix="nb2jvm-online-") as tmp:
            paths = []
            for rel, text in texts.items():
                p = Path(tmp) / "src" / rel
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(text, encoding="utf-8")
                paths.append(p)
            out = Path(tmp) / "classes"
            ok, detail = compile_with("java", javac_args(out, paths, udf_trees))
            if not ok:
                raise _Failed(detail)
            done.parent.mkdir(parents=True, exist_ok=True)
            partial = done.with_name(done.name + f".{os.getpid()}.tmp")
            shutil.copytree(out, partial)
            try:
                partial.rename(done)
            except OSError:  # another build made it meanwhile
                shutil.rmtree(partial, ignore_errors=True)
    classes = {p.relative_to(done).as_posix(): p.read_bytes()
               for p in sorted(done.rglob("*.class"))}
    classes.update(service_file(online, runtime_package, artifact_id))
    return classes, done
