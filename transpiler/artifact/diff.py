"""``nb2jvm diff OLD NEW``: what changed between two builds, for a pull-request review.

Either side is a build directory or an artifact jar.  Reports added, removed and changed feature
sets (output columns and types, inputs and their schemas, SQL as a unified diff), UDFs (by their
source hash: a changed body is a new name) and the Spark settings the SQL assumes.
"""

from __future__ import annotations

import difflib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import manifests
from ..ir.errors import InputError, Span, error


@dataclass
class Build:
    """What a diff needs from one build: the manifest and each feature set's SQL."""

    label: str
    manifest: dict
    sql: dict[str, str] = field(default_factory=dict)


def load(path: Path) -> Build:
    """Read a build directory or an artifact jar."""
    try:
        return _load(path)
    except (OSError, KeyError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise error("DIFF001", f"{path} is an incomplete or corrupt nb2jvm build "
                    f"({type(exc).__name__}: {exc})", Span(str(path)), cls=InputError) from None


def _load(path: Path) -> Build:
    if path.is_dir() and (path / "manifest.json").is_file():
        manifest = manifests.read(path / "manifest.json")
        sql = {fs["name"]: (path / "sql" / fs["sql"]).read_text() for fs in
               manifest["feature_sets"]}
        return Build(str(path), manifest, sql)
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as jar:
            index = [n for n in jar.namelist() if n.endswith("/manifest.json")
                     and n.startswith("nb2jvm/")]
            if not index:
                raise error("DIFF001", f"{path} is not an nb2jvm artifact jar", Span(str(path)),
                            cls=InputError)
            root = index[0].rsplit("/", 1)[0]
            manifest = manifests.parse(jar.read(index[0]), f"{path}!{index[0]}")
            sql = {fs["name"]: jar.read(f"{root}/{fs['sql']}").decode()
                   for fs in manifest["feature_sets"]}
        return Build(str(path), manifest, sql)
    raise error("DIFF001", f"{path} is neither an nb2jvm build directory nor an artifact jar",
                Span(str(path)), hint="pass two `nb2jvm build` output directories or two jars",
                cls=InputError)


def _cols(columns: list[dict]) -> dict[str, str]:
    return {c["name"]: c["type"] for c in columns}


def diff(old: Build, new: Build) -> dict:
    """The changes as data (the JSON form); :func:`render` prints it for humans."""
    o = {fs["name"]: fs for fs in old.manifest["feature_sets"]}
    n = {fs["name"]: fs for fs in new.manifest["feature_sets"]}
    changed = {}
    for name in sorted(o.keys() & n.keys()):
        a, b = o[name], n[name]
        entry = {}
        ca, cb = _cols(a["columns"]), _cols(b["columns"])
        if ca != cb:
            entry["columns"] = {"added": {k: cb[k] for k in cb.keys() - ca.keys()},
                                "removed": {k: ca[k] for k in ca.keys() - cb.keys()},
                                "retyped": {k: [ca[k], cb[k]] for k in ca.keys() & cb.keys()
                                            if ca[k] != cb[k]},
                                "order_changed": list(ca) != list(cb) and set(ca) == set(cb)}
        ia = {i["name"]: _cols(i["columns"]) for i in a["inputs"]}
        ib = {i["name"]: _cols(i["columns"]) for i in b["inputs"]}
        if ia != ib:
            entry["inputs"] = {"old": ia, "new": ib}
        if old.sql.get(name) != new.sql.get(name):
            entry["sql"] = "".join(difflib.unified_diff(
                old.sql.get(name, "").splitlines(True), new.sql.get(name, "").splitlines(True),
                f"old/{name}.sql", f"new/{name}.sql"))
        if entry:
            changed[name] = entry
    ua = {u["sql_name"]: u for u in old.manifest.get("udfs", [])}
    ub = {u["sql_name"]: u for u in new.manifest.get("udfs", [])}
    return {
        "old": old.label, "new": new.label,
        "artifact": {"old": old.manifest["artifact"], "new": new.manifest["artifact"]},
        "feature_sets": {"added": sorted(n.keys() - o.keys()),
                         "removed": sorted(o.keys() - n.keys()), "changed": changed},
        "udfs": {"added": sorted(f"{ub[k]['name']} ({ub[k]['mode']})" for k in ub.keys() - ua.keys()),
                 "removed": sorted(f"{ua[k]['name']} ({ua[k]['mode']})"
                                   for k in ua.keys() - ub.keys())},
        "spark_conf": None if old.manifest.get("spark_conf") == new.manifest.get("spark_conf")
        else {"old": old.manifest.get("spark_conf"), "new": new.manifest.get("spark_conf")},
        "identical": old.manifest.get("content_hash") == new.manifest.get("content_hash")
        and not changed and o.keys() == n.keys(),
    }


def render(d: dict) -> str:
    a, b = d["artifact"]["old"], d["artifact"]["new"]
    lines = [f"nb2jvm diff {d['old']} -> {d['new']}",
             f"  artifact {a['group_id']}:{a['artifact_id']}:{a['version']} -> "
             f"{b['group_id']}:{b['artifact_id']}:{b['version']}"]
    fs = d["feature_sets"]
    if not (fs["added"] or fs["removed"] or fs["changed"] or d["udfs"]["added"]
            or d["udfs"]["removed"] or d["spark_conf"]):
        lines.append("  no changes to feature sets, columns, inputs, SQL or UDFs")
    lines += [f"  + feature set {n}" for n in fs["added"]]
    lines += [f"  - feature set {n}" for n in fs["removed"]]
    for name, entry in fs["changed"].items():
        lines.append(f"  ~ feature set {name}")
        cols = entry.get("columns")
        if cols:
            lines += [f"      + column {k} {t}" for k, t in sorted(cols["added"].items())]
            lines += [f"      - column {k} {t}" for k, t in sorted(cols["removed"].items())]
            lines += [f"      ~ column {k}: {t[0]} -> {t[1]}" for k, t in
                      sorted(cols["retyped"].items())]
            if cols["order_changed"]:
                lines.append("      ~ column order changed")
        if "inputs" in entry:
            lines.append(f"      ~ inputs: {entry['inputs']['old']} -> {entry['inputs']['new']}")
        if "sql" in entry:
            lines += ["      " + ln for ln in entry["sql"].rstrip("\n").splitlines()]
    lines += [f"  + UDF {u}" for u in d["udfs"]["added"]]
    lines += [f"  - UDF {u}" for u in d["udfs"]["removed"]]
    if d["spark_conf"]:
        lines.append(f"  ~ required Spark settings: {d['spark_conf']['old']} -> "
                     f"{d['spark_conf']['new']}")
    return "\n".join(lines) + "\n"
