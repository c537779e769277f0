"""pytest plugin: ``pytest --nb2jvm notebooks/`` turns every exported feature set into a test.

Each ``.ipynb`` under the given paths is verified once (transpile, run on Spark, compare with
ibis on DuckDB) on the user's warm server, as ``nb2jvm verify`` is (in this process with
``NB2JVM_SERVER=off`` or when the server cannot be used); each feature set is one test item
whose failure shows the verdict, the diagnostic or the first mismatching rows side by side.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("nb2jvm")
    group.addoption("--nb2jvm", action="store_true", default=False,
                    help="collect the exported feature sets of *.ipynb files as tests that "
                    "compare Spark on the JVM with the notebook's own engine")
    group.addoption("--nb2jvm-edge-cases", action="store_true", default=False,
                    help="with --nb2jvm: add adversarial rows derived from the input schemas")


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix == ".ipynb" and parent.config.getoption("--nb2jvm") \
            and ".ipynb_checkpoints" not in file_path.parts:
        return NotebookFile.from_parent(parent, path=file_path)
    return None


class NotebookFile(pytest.File):
    """A notebook: verified once, one item per feature set."""

    _report = None

    def report(self):
        if self._report is None:
            edge = self.config.getoption("--nb2jvm-edge-cases")
            self._report = _served_report(self.path, edge)
            if self._report is None:
                from ..pipeline import Options
                from ..verify import verify

                self._report = verify(self.path, Options(), edge_cases=edge)
        return self._report


    def collect(self):
        from ..ir.errors import Nb2jvmError
        from ..pipeline import Options, transpile

        try:
            lowered = transpile(self.path, Options())
        except Nb2jvmError as exc:
            yield NotebookProblem.from_parent(self, name="transpile", error=exc)
            return
        names = [lf.name for lf in lowered.lowered] + [r.name for r in lowered.refused]
        for name in names:
            yield FeatureSetItem.from_parent(self, name=name)


class FeatureSetFailure(Exception):
    """A feature set that is not conformant (the message is the verdict and its details)."""


class FeatureSetItem(pytest.Item):
    """One exported feature set: passes when Spark computes what the notebook computes."""

    def runtest(self):
        verdict = next(v for v in self.parent.report().feature_sets if v.name == self.name)
        if verdict.status != "conformant":
            raise FeatureSetFailure(f"{verdict.status}: {verdict.message}\n{verdict.details}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, FeatureSetFailure):
            return f"feature set '{self.name}' of {self.path.name}: {excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, self.name


class NotebookProblem(pytest.Item):
    """A notebook that cannot be transpiled at all (not JSON, no exported cells, ...)."""

    def __init__(self, *, error, **kwargs):
        super().__init__(**kwargs)
        self.error = error

    def runtest(self):
        raise FeatureSetFailure(self.error.render())

    def repr_failure(self, excinfo, style=None):
        return f"{self.path.name}: {excinfo.value}"

    def reportinfo(self):
        return self.path, None, f"{self.path.name}::transpile"


def _served_report(path: Path, edge_cases: bool):
    """The verify report from the user's warm server (as ``nb2jvm verify --report`` writes
    it), or None when the server is off or cannot be used (then this process verifies)."""
    import json
    import tempfile

    from . import client

    if not client.enabled():
        return None
    from ..verify import FeatureVerdict, VerifyReport

    with tempfile.TemporaryDirectory(prefix="nb2jvm-pytest-") as folder:
        out = Path(folder) / "report.json"
        argv = ["verify", str(path), "-q", "--report", str(out)] + \
            (["--edge-cases"] if edge_cases else [])
        code = client.run_on_server(argv, echo=False)
        if code is None or not out.is_file():
            return None
        data = json.loads(out.read_text(encoding="utf-8"))
    fields = {f for f in FeatureVerdict.__dataclass_fields__}
    return VerifyReport(data["notebook"], [FeatureVerdict(**{k: v for k, v in fs.items()
                                                             if k in fields})
                                           for fs in data["feature_sets"]],
                        data.get("inputs", []), data.get("artifact"), data.get("timings", {}))
